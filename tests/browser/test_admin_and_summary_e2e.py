"""In a real browser at 1366×768: the admin's 万元 amounts with two decimals, the admin's help texts
in the chosen language, the round summary workbook's ranking downloaded from the dashboard, and the
public page without the bureau's internal notes (review comments, the review opinion, the findings)."""

import io
import os
import re

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from departments.models import BudgetLine
from reports.models import Report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("PERFEVAL_SCREENSHOT_DIR")
TWO_PLACES = re.compile(r"^-?\d+\.\d{2}$")


def shot(page, name: str, at: str | None = None) -> None:
    """A screenshot of the viewport, `at` scrolled into view first, when PERFEVAL_SCREENSHOT_DIR is set."""
    if SHOTS:
        if at:
            page.locator(at).first.evaluate("e => { e.scrollIntoView(); window.scrollBy(0, -80); }")
        page.screenshot(path=os.path.join(SHOTS, name))


def open_page(new_page, username: str | None, language: str | None = None, live_server=None):
    page = new_page(username)
    page.set_viewport_size({"width": 1366, "height": 768})
    if language:
        page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    return page


def test_admin_budget_lines_show_two_decimals(new_page, demo):
    page = open_page(new_page, "admin")
    page.goto(reverse("admin:departments_budgetline_changelist") + "?year=2021&q=101001")
    total = page.locator("#result_list tbody tr", has_text="部门预算总额")
    expect(total.locator("td.field-annual_money")).to_have_text("477.48")
    # Every amount in the list: two places, none of Decimal(20, 6)'s six.
    cells = page.locator("#result_list td.field-initial_money, #result_list td.field-annual_money")
    expect(cells.first).to_be_visible()
    texts = [t.strip() for t in cells.all_inner_texts() if t.strip() not in ("", "-")]
    assert texts and all(TWO_PLACES.match(t) for t in texts), texts
    expect(page.locator("#result_list")).not_to_contain_text("477.480")
    shot(page, "admin_budget_lines.png")

    line = BudgetLine.objects.get(department__code="101001", year=2021, row="project")
    page.goto(reverse("admin:departments_budgetline_change", args=[line.pk]))
    expect(page.locator("input[name=initial]")).to_have_value("343.00")
    expect(page.locator("input[name=annual]")).to_have_value("343.00")
    expect(page.locator("input[name=executed]")).to_have_value("315.71")
    shot(page, "admin_budget_line_form.png")


RULE_SET_HELP = {
    "en": (
        "Rescaled to 100: total = sum of scores × 100 ÷ sum of applicable weights "
        "(incl. budget execution rate); the self-assessed total is rescaled likewise.",
        "Already used by a report submitted for review, so it can no longer be changed; "
        "to adjust it, copy it as a new version.",
    ),
    "zh-hans": (
        "按百分制折算：总分 = 各项得分合计 × 100 ÷ 适用指标分值合计（含预算执行率），自评总分同样折算。",
        "已有报告送审使用，不能再修改；如需调整请复制为新版本。",
    ),
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_admin_help_texts_in_the_chosen_language(new_page, demo, live_server, language):
    page = open_page(new_page, "admin", language, live_server)
    page.goto(reverse("admin:indicators_ruleset_change", args=[demo.round.rule_set_id]))
    not_applicable, locked = RULE_SET_HELP[language]
    help_text = page.locator(".form-row.field-not_applicable .help")
    expect(help_text).to_have_text(not_applicable)
    expect(page.locator(".form-row.field-locked .help")).to_have_text(locked)
    other = RULE_SET_HELP["zh-hans" if language == "en" else "en"][0]
    expect(page.locator("#content")).not_to_contain_text(other)
    shot(page, f"admin_help_{language}.png", ".form-row.field-not_applicable")


def test_the_dashboards_summary_workbook_ranks_by_final_score(new_page, demo):
    page = open_page(new_page, "reviewer")
    page.goto(f"/rounds/{demo.round_id}/")
    link = page.locator("a[data-download=workbook]")
    expect(link).to_have_text("下载汇总表")
    shot(page, "dashboard_summary_link.png")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as file:
        sheet = openpyxl.load_workbook(io.BytesIO(file.read())).active
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    code, final, rank = header.index("预算编码"), header.index("审核得分"), header.index("排名")

    scored = sorted((r for r in rows if r[final] is not None), key=lambda r: r[final], reverse=True)
    # The demo's approved reports have distinct final scores: ranks 1..n from the highest down
    # (ties sharing a rank are tests/dashboard/test_final_score.py's).
    assert len(scored) >= 2 and len({r[final] for r in scored}) == len(scored)
    assert [r[rank] for r in scored] == list(range(1, len(scored) + 1))
    # Unscored reports have no rank; the scores are the stored final scores.
    assert all(r[rank] is None for r in rows if r[final] is None)
    reports = Report.objects.filter(round=demo.round).select_related("department")
    stored = {r.department.code: float(r.final_score) for r in reports if r.final_score is not None}
    assert {r[code]: r[final] for r in scored} == stored


def test_the_public_page_hides_the_bureaus_internal_notes(new_page, demo):
    published = Report.objects.get(department__code="206001", round__year=2021)
    assert published.state == Report.State.PUBLISHED
    row = published.indicators.order_by("order").first()
    row.review_comment = "内部意见：佐证材料待补充"
    row.save(update_fields=["review_comment"])
    Report.objects.filter(pk=published.pk).update(review_opinion="内部总体意见：下年度重点核查")

    reviewer = open_page(new_page, "reviewer")
    reviewer.goto(f"/review/{published.pk}/")
    expect(reviewer.locator(f"#row-{row.pk} .rv-comment-text")).to_have_text("内部意见：佐证材料待补充")
    expect(reviewer.locator("body")).to_contain_text("内部总体意见：下年度重点核查")
    # The engine's check messages at the rows: the reviewer's, not the public's.
    expect(reviewer.locator("table td.c-rule .msg")).not_to_have_count(0)
    shot(reviewer, "review_internal_notes.png", f"#row-{row.pk}")

    visitor = open_page(new_page, None)
    visitor.goto(f"/public/{published.pk}/")
    expect(visitor.locator(f"#row-{row.pk}")).to_be_visible()
    body = visitor.locator("body")
    expect(body).not_to_contain_text("内部意见")
    expect(body).not_to_contain_text("内部总体意见")
    expect(visitor.locator("td.c-review, th.c-review-head")).to_have_count(0)
    expect(visitor.locator("table td.c-rule .msg")).to_have_count(0)
    assert "68922060" not in visitor.content()
    shot(visitor, "public_without_internal_notes.png", f"#row-{row.pk}")
