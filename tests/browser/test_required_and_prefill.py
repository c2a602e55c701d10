"""送审 refused at the blank narrative, and a new year's draft prefilled from last year's, in a browser."""

import os
import re

import pytest
from playwright.sync_api import expect

from indicators.models import Template
from indicators.services import template_roll_forward
from reports.models import Report
from tests.shapes import open_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("PERFEVAL_SCREENSHOT_DIR")
NO_COLOUR = "rgba(0, 0, 0, 0)"  # computed background-color of `background: none`
GRADE_PINK = "rgb(253, 242, 242)"  # .grade's #fdf2f2 in static/css/app.css


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name))


def test_submit_is_refused_at_the_blank_narrative_section(new_page, demo):
    Report.objects.filter(pk=demo.pk).update(narrative_5="")
    page = new_page("accountant")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"/reports/{demo.pk}/submit/")
    link = page.locator("ol.findings li.sev-error a", has_text="请填写“五、发现的主要问题和改进措施”。")
    expect(link).to_have_count(1)
    expect(page.locator("#confirm-submit")).to_have_count(0)
    shot(page, "submit_refused.png")

    link.click()
    expect(page).to_have_url(re.compile(rf"/reports/{demo.pk}/#goto=required\.narrative@narrative\.5$"))
    field = page.locator("textarea[name=narrative_5]")
    expect(field).to_be_focused()
    expect(field).to_be_in_viewport()
    section = page.locator("section[data-anchor='narrative.5']")
    expect(section.locator(".msg-error")).to_have_text("请填写“五、发现的主要问题和改进措施”。")
    shot(page, "submit_refused_field.png")

    field.fill("主要问题：部分项目进度偏慢；改进措施：按月调度。")
    expect(section.locator(".msg-error")).to_have_count(0)
    with page.expect_response(lambda r: r.url.endswith("/save/")):
        page.locator("#save-button").click()
    expect(page.locator("#save-status")).to_contain_text("已保存")


def test_a_new_years_draft_is_prefilled_and_shows_no_grade_yet(new_page, demo):
    rolled = template_roll_forward(template=demo.round.template, rule_set=demo.round.rule_set)
    round_ = open_round(rolled.template, demo.department, name="2022年度部门整体绩效自评")
    round_.rule_set = rolled.rule_set
    round_.save()
    page = new_page("accountant")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto("/")
    page.locator(f"form[action$='/rounds/{round_.pk}/start/{demo.department_id}/'] button").click()
    expect(page.locator(".messages")).to_contain_text("已按 2021 年报告预填")
    expect(page.locator("#bar-total")).to_have_text("—")
    grade = page.locator("#bar-grade")
    expect(grade).to_have_text("—")
    # The dash is no grade: no badge colour behind it.
    expect(grade).to_have_class(re.compile(r"\bgrade-blank\b"))
    expect(grade).to_have_css("background-color", NO_COLOUR)
    expect(page.locator("input[name=contact]")).to_have_value(demo.contact)
    expect(page.locator("tr.task-row input[data-field=name]").first).to_have_value(demo.tasks.first().name)
    shot(page, "prefilled_draft.png")
    # One message per missing item: a qualitative row says once that it has neither tier nor score.
    first = page.locator("tr.ind-row").first
    expect(first.locator(".msg-error")).to_have_count(1)
    expect(first.locator("[data-out=row-explain]")).to_have_text("")
    first.scroll_into_view_if_needed()
    shot(page, "prefilled_draft_rows.png")
    assert Template.objects.filter(year=2022).count() == 1

    # A first figure gives a real grade: the script drops the blank class and the pink is back.
    page.locator("input[name=execution_self_score]").fill("5")
    expect(grade).not_to_have_text("—")
    expect(grade).not_to_have_class(re.compile(r"\bgrade-blank\b"))
    expect(grade).to_have_css("background-color", GRADE_PINK)
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "prefilled_draft_first_grade.png")
    # Saved now: a dirty page would save as it closes, racing the database flush after the test.
    with page.expect_response(lambda r: r.url.endswith("/save/")):
        page.locator("#save-button").click()
    expect(page.locator("#save-status")).to_contain_text("已保存")


def test_a_real_grade_keeps_its_badge(new_page, demo):
    page = new_page("accountant")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"/reports/{demo.pk}/")
    grade = page.locator("#bar-grade")
    expect(grade).to_have_text("优")
    expect(grade).not_to_have_class(re.compile(r"\bgrade-blank\b"))
    expect(grade).to_have_css("background-color", GRADE_PINK)
    shot(page, "report_bar_grade.png")


def test_the_admin_rolls_a_template_forward(new_page, demo):
    page = new_page("admin")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto("/admin/indicators/template/")
    page.locator(f"input[name=_selected_action][value='{demo.round.template_id}']").check()
    page.locator("select[name=action]").select_option("roll_forward")
    page.locator("button[name=index]").click()
    expect(page.locator("ul.messagelist")).to_contain_text("已结转为")
    shot(page, "admin_roll_forward.png")
    assert Template.objects.filter(year=2022, version=1, locked=False).count() == 1
