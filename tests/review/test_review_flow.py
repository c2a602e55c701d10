"""In a real browser: the bureau returns the seed report with a row comment, the department
corrects and resubmits, the reviewer sees what changed and approves, an admin publishes,
and the public page lists it."""

from __future__ import annotations

import os
import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from reports.models import Report, ReportEvent, ReportIndicator, ReportRender
from reports.services.workflow import report_transition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("PERFEVAL_SCREENSHOT_DIR")
COMMENT = "满意度应填写调查测得的数值，不能填写“≥80%”。"
RETURN_REASON = "请按审核意见修正服务对象满意度，并补全第三、四部分。"


def shot(page, name: str, element: str | None = None) -> None:
    """A screenshot (of the page, or of one element) when PERFEVAL_SCREENSHOT_DIR is set."""
    if not SHOTS:
        return
    if element:
        page.locator(element).first.screenshot(path=os.path.join(SHOTS, name))
    else:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def session_cookie(username: str) -> str:
    """A logged-in session for a demo user (the login form is not what this test is about)."""
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def test_return_correct_resubmit_approve_publish(demo, review_browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The approval queues the archive PDF (reports.pdf); rendering it is that package's tests' work.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    accountant = get_user_model().objects.get(username="accountant")
    cookies = {name: session_cookie(name) for name in ("reviewer", "accountant", "admin")}
    # The seed's own errors would refuse the submission; the department fixes them below.
    Report.objects.filter(pk=demo.pk).update(error_count=0)
    report_transition(report=demo, action="submit", actor=accountant)
    pk = demo.pk
    satisfaction = ReportIndicator.objects.get(report=demo, level3="服务对象满意度")
    row_id = f"#row-{satisfaction.pk}"

    def scenario(browser):
        def page_for(username: str | None):
            context = browser.new_context(
                base_url=live_server.url, locale="zh-CN", viewport={"width": 1600, "height": 1000}
            )
            context.set_default_timeout(15_000)
            if username:
                context.add_cookies(
                    [{"name": settings.SESSION_COOKIE_NAME, "value": cookies[username], "url": live_server.url}]
                )
            return context.new_page()

        # The reviewer finds the report waiting in the queue and returns it with a row comment.
        reviewer = page_for("reviewer")
        reviewer.goto("/review/")
        queued = reviewer.locator("#queue tr[data-department='101001']")
        expect(queued.locator(".state")).to_have_text("已送审")
        shot(reviewer, "review_queue.png")
        queued.locator(".col-dept a").click()
        expect(reviewer.locator("#report-state")).to_have_text("已送审")
        expect(reviewer.locator(f"{row_id} .c-rule .msg-error")).to_contain_text("不是测量值")
        reviewer.fill(f"{row_id} textarea[name^=comment-]", COMMENT)
        reviewer.fill("#id_reason", RETURN_REASON)
        shot(reviewer, "review_page.png")
        shot(reviewer, "review_decision.png", "#decision")
        reviewer.click("#do-return")
        reviewer.click("#confirm-ok")  # the confirmation step
        expect(reviewer.locator("#report-state")).to_have_text("已退回")
        expect(reviewer.locator(f"{row_id} .rv-comment-text")).to_have_text(COMMENT)
        expect(reviewer.locator("#timeline")).to_contain_text(RETURN_REASON)

        # The department sees the comment beside its row and the reason, corrects and resubmits.
        dept = page_for("accountant")
        dept.goto(f"/reports/{pk}/")
        expect(dept.locator("#report-state")).to_have_text("已退回")
        satisfaction_row = dept.locator("tr.ind-row", has=dept.locator("td.c-l3", has_text="服务对象满意度"))
        expect(satisfaction_row).to_contain_text(COMMENT)
        shot(dept, "review_department_row.png", "tr.ind-row:has(td.c-l3:has-text('服务对象满意度'))")
        expect(dept.locator("#events")).to_contain_text(RETURN_REASON)
        satisfaction_row.locator("[data-field=actual_text]").fill("85%")
        dept.locator("textarea[name=narrative_3]").fill("综合评价结论：评价得分及各项指标得分情况见自评表。")
        dept.locator("textarea[name=narrative_4]").fill(
            "（一）部门资金情况分析：预算执行情况见自评表。\n（二）各一级指标完成情况见自评表。"
        )
        expect(dept.locator("[data-out=count-error]").first).to_have_text("0")
        dept.keyboard.press("Control+s")
        expect(dept.locator("#save-status")).to_contain_text("已保存")
        dept.locator("#submit-button").click()
        dept.locator("#confirm-submit").click()
        expect(dept.locator("#report-state")).to_have_text("已送审")

        # The reviewer sees exactly what changed, highlighted, and approves.
        reviewer.goto(f"/review/{pk}/")
        changes = reviewer.locator("#changes")
        expect(changes).to_contain_text("服务对象满意度 · 实际完成值")
        change = changes.locator("tr").filter(has=reviewer.get_by_text("服务对象满意度 · 实际完成值", exact=True))
        expect(change.locator("td.old-text")).to_have_text("≥80%")
        expect(change.locator("td.new-text")).to_have_text("85%")
        expect(changes).to_contain_text("三、综合评价结论")
        expect(reviewer.locator(row_id)).to_have_class(re.compile(r"\brow-changed\b"))
        expect(reviewer.locator(f"{row_id} td.c-actual")).to_have_class(re.compile(r"\bcell-changed\b"))
        expect(reviewer.locator("#narrative-3")).to_have_class(re.compile(r"\bsection-changed\b"))
        expect(reviewer.locator("tr.row-changed")).to_have_count(1)
        shot(reviewer, "review_changes.png", "#changes")
        shot(reviewer, "review_changed_row.png", row_id)
        reviewer.click("#do-approve")
        reviewer.click("#confirm-ok")  # the confirmation step
        expect(reviewer.locator("#report-state")).to_have_text("审核通过")
        expect(reviewer.locator("#do-publish")).to_have_count(0)  # publishing is the admin's

        # An admin publishes.
        admin = page_for("admin")
        admin.goto(f"/review/{pk}/")
        admin.click("#do-publish")
        admin.click("#confirm-ok")  # the confirmation step
        expect(admin.locator("#report-state")).to_have_text("已公开")
        expect(admin.locator("#do-reopen")).to_be_visible()
        shot(admin, "review_admin.png", "#admin-actions")
        shot(admin, "review_timeline.png", "#timeline")

        # Anyone sees it on the public page, without logging in.
        public = page_for(None)
        public.goto("/public/")
        listed = public.locator("tr[data-department='101001']")
        expect(listed).to_contain_text(demo.department.name)
        shot(public, "review_public.png")
        expect(listed).to_contain_text("PDF 暂无")  # its archive copy is queued, not rendered here
        listed.locator(".col-dept a").click()
        expect(public.locator("h1").first).to_contain_text(demo.department.name)
        expect(public.locator(row_id)).to_contain_text("85%")
        expect(public.locator("textarea, input[type=text]")).to_have_count(0)
        shot(public, "review_public_report.png")

    review_browser(scenario)

    report = Report.objects.get(pk=pk)
    assert report.state == Report.State.PUBLISHED
    actions = list(
        ReportEvent.objects.filter(report=report, kind="transition")
        .order_by("created_at", "pk")
        .values_list("action", flat=True)
    )
    assert actions[-5:] == ["submit", "return", "submit", "approve", "publish"]
    assert ReportIndicator.objects.get(pk=satisfaction.pk).review_comment == COMMENT
    assert ReportRender.objects.filter(report=report, purpose="archive").exists()  # the PDF was asked for


def test_review_sheet_keeps_the_reasons_readable_on_a_laptop_screen(demo, review_browser, live_server):
    """At 1366 px the review sheet has a column more than the department's: the reasons
    column was squeezed to one character (its header read downwards, letter by letter)."""
    report = Report.objects.get(department__code="203001", round__year=2021)
    cookie = session_cookie("reviewer")

    def scenario(browser):
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 768})
        context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"/review/{report.pk}/")
        reason = page.locator("#indicator-table td.c-reason").filter(has_text=re.compile(r"\S")).first
        header = page.locator("#indicator-table thead th").nth(9)
        sizes = {
            "reason": reason.bounding_box()["width"],
            "header": header.bounding_box()["height"],
            "overflow": page.evaluate(
                "() => { const w = document.querySelector('.rv-sheet'); return w.scrollWidth - w.clientWidth; }"
            ),
        }
        context.close()
        return sizes

    sizes = review_browser(scenario)
    assert sizes["reason"] >= 120, sizes  # about 8 Chinese characters a line
    assert sizes["header"] <= 60, sizes  # two lines at most
    assert sizes["overflow"] <= 0, sizes  # no sideways scrolling at this width
