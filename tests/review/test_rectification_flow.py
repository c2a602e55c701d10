"""In a real browser: the reviewer issues a rectification item on a returned report, the department
sees it on its report page and answers, the bureau's dashboard counts it, the reviewer closes it."""

from __future__ import annotations

import os

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from reports.models import RectificationItem, Report, ReportEvent
from reports.services.workflow import report_transition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("PERFEVAL_SCREENSHOT_DIR")
REQUIREMENT = "服务对象满意度须以问卷调查测得的数值填写，请补充调查报告并说明样本量。"
ANSWER = "已补做满意度问卷调查（样本 312 份），测得满意度 92.3%，调查报告已归档。"
NOTE = "调查报告已核实，整改到位。"


def shot(page, name: str, element: str | None = None) -> None:
    if not SHOTS:
        return
    if element:
        page.locator(element).first.screenshot(path=os.path.join(SHOTS, name))
    else:
        page.screenshot(path=os.path.join(SHOTS, name))


def session_cookie(username: str) -> str:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def test_issue_answer_close(demo, review_browser, live_server, settings):
    accountant = get_user_model().objects.get(username="accountant")
    reviewer = get_user_model().objects.get(username="reviewer")
    Report.objects.filter(pk=demo.pk).update(error_count=0)
    report_transition(report=demo, action="submit", actor=accountant)
    report_transition(report=demo, action="return", actor=reviewer, reason="请按审核意见修正。")
    cookies = {name: session_cookie(name) for name in ("reviewer", "accountant")}
    pk, dashboard_url = demo.pk, reverse("dashboard:round", args=[demo.round_id])

    def scenario(browser):
        def page_for(username: str):
            context = browser.new_context(
                base_url=live_server.url, locale="zh-CN", viewport={"width": 1366, "height": 768}
            )
            context.set_default_timeout(15_000)
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookies[username], "url": live_server.url}]
            )
            return context.new_page()

        # The reviewer issues an item on the returned report, about one row, from the review page.
        bureau = page_for("reviewer")
        bureau.goto(f"/review/{pk}/")
        expect(bureau.locator("#report-state")).to_have_text("已退回")
        bureau.locator("#rect-link").click()
        bureau.fill("#id_rect_text", REQUIREMENT)
        bureau.select_option("#id_rect_indicator", label="服务对象满意度")
        bureau.click("#rect-issue")
        item = bureau.locator("#rectifications .rect-item").first
        expect(item).to_contain_text(REQUIREMENT)
        expect(item.locator(".rect-state")).to_have_text("待整改")
        expect(item).to_contain_text("服务对象满意度")

        # The department finds it at the top of its report page and answers it.
        dept = page_for("accountant")
        dept.goto(f"/reports/{pk}/")
        panel = dept.locator("#rectifications")
        expect(panel).to_contain_text(REQUIREMENT)
        expect(panel).to_contain_text("1 项待整改")
        assert panel.bounding_box()["y"] < 600  # in the first screen (under the return banner), above the table
        shot(dept, "rect_report_page.png")
        panel.locator("textarea[name=answer]").fill(ANSWER)
        panel.get_by_role("button", name="提交整改情况").click()
        expect(dept.locator(".messages")).to_contain_text("整改情况已提交")
        expect(dept.locator("#rectifications .rect-state")).to_have_text("已答复")
        expect(dept.locator("#rectifications .rect-answer")).to_contain_text(ANSWER)
        shot(dept, "rect_report_panel.png", "#rectifications")
        # The report's own form still saves from the bar (the bar sits outside the form now).
        dept.locator("textarea[name=narrative_8]").fill("无。")
        dept.locator("#save-button").click()
        expect(dept.locator("#save-status")).to_contain_text("已保存")

        # The dashboard counts it as answered, waiting to be closed.
        bureau.goto(dashboard_url)
        row = bureau.locator(".dash-table tr[data-department='101001']")
        expect(row.locator("td.rect")).to_contain_text("1 待销号")
        expect(bureau.locator("[data-card=rectification] .stat-value")).to_have_text("1")
        shot(bureau, "rect_dashboard.png")
        bureau.locator("[data-card=rectification]").click()
        expect(bureau.locator(".dash-table tbody tr").first).to_have_attribute("data-department", "101001")
        shot(bureau, "rect_dashboard_table.png", "#departments")

        # The reviewer reads the answer and closes the item with a note.
        bureau.goto(f"/review/{pk}/#rectifications")
        item = bureau.locator("#rectifications .rect-item").first
        expect(item.locator(".rect-answer")).to_contain_text(ANSWER)
        shot(bureau, "rect_review_panel.png", "#rectifications")
        item.locator("textarea[name=note]").fill(NOTE)
        item.get_by_role("button", name="销号").click()
        expect(bureau.locator("#rectifications .rect-state")).to_have_text("已销号")
        expect(bureau.locator("#rectifications")).to_contain_text("已全部销号")
        expect(bureau.locator("#timeline")).to_contain_text("整改事项销号")
        shot(bureau, "rect_review_page.png")

        dept.goto(f"/reports/{pk}/")
        expect(dept.locator("#rectifications")).to_contain_text("无待整改事项")
        expect(dept.locator("#rectifications textarea[name=answer]")).to_have_count(0)

    review_browser(scenario)

    item = RectificationItem.objects.get(report_id=pk)
    assert (item.state, item.answer, item.review_note) == ("closed", ANSWER, NOTE)
    assert item.indicator.level3 == "服务对象满意度"
    actions = list(
        ReportEvent.objects.filter(report_id=pk, kind="rectification").order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["rectification_issue", "rectification_answer", "rectification_close"]
