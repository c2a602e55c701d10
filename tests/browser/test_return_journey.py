"""The return → fix → resubmit journey as the department sees it, and the bureau's confirmations,
in headless chromium at 1366×768 (a laptop): the reviewer returns with a reason, an overall
opinion and a row comment (confirming in the dialog); the department finds all three at the top
of its report, follows the comment to its row, fixes it and resubmits; the reviewer sees it
submitted again, approves (confirming), the department keeps the opinion, and an admin
publishes the approved reports from the queue in one go (confirming)."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from reports.models import Report, ReportEvent, ReportIndicator
from reports.services.review import ReviewRow, report_review_save
from reports.services.workflow import report_transition
from tests.browser.conftest import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("PERFEVAL_SCREENSHOT_DIR")
REASON = "请按审核意见修正服务对象满意度，并补全第三、四部分。"
OPINION = "总体较好；预算执行率偏低，请在第四部分说明原因。"
COMMENT = "满意度应填写调查测得的数值，不能填写“≥80%”。"


def shot(page, name: str, element: str | None = None) -> None:
    if not SHOTS:
        return
    os.makedirs(SHOTS, exist_ok=True)
    target = page.locator(element).first if element else page
    target.screenshot(path=os.path.join(SHOTS, name))


# Recorded before the page's own scripts run: confirm.js must work under the CSP.
LISTEN = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP " + e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture
def laptop(browser, live_server):
    """`laptop("reviewer")`: a page at 1366×768, signed in as that demo user; no script error or
    CSP violation on any of them (checked after the test)."""
    contexts = []
    errors: list[str] = []

    def make(username: str):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1366, "height": 768})
        context.set_default_timeout(15_000)
        context.add_cookies([session_cookie(username, live_server.url)])
        contexts.append(context)
        page = context.new_page()
        page.add_init_script(LISTEN)
        page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    yield make
    for context in contexts:
        context.close()
    # Chromium asks for /favicon.ico on its own; the app has none.
    assert [e for e in errors if "Failed to load resource" not in e] == []


def submitted_seed(demo) -> Report:
    # The seed's own errors would refuse the submission; the department fixes them below.
    Report.objects.filter(pk=demo.pk).update(error_count=0)
    return report_transition(report=demo, action="submit", actor=get_user_model().objects.get(username="accountant"))


def test_the_department_sees_why_it_was_returned_fixes_the_row_and_resubmits(demo, laptop):
    report = submitted_seed(demo)
    row = ReportIndicator.objects.get(report=report, level3="服务对象满意度")
    note = f"#review-note-{row.pk}"

    # The reviewer types the three things and presses 退回: first a confirmation, which can be cancelled.
    reviewer = laptop("reviewer")
    reviewer.goto(f"/review/{report.pk}/")
    reviewer.fill(f"#row-{row.pk} textarea[name^=comment-]", COMMENT)
    reviewer.fill("#id_opinion", OPINION)
    reviewer.fill("#id_reason", REASON)
    reviewer.click("#do-return")
    dialog = reviewer.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("确定退回该报告")
    expect(dialog.locator("[data-confirm-detail]")).to_have_text(REASON)
    expect(reviewer.locator("#confirm-ok")).to_have_text("退回")
    shot(reviewer, "confirm-return.png")
    reviewer.click("#confirm-cancel")
    expect(dialog).to_be_hidden()
    assert Report.objects.get(pk=report.pk).state == "submitted"  # nothing was sent
    expect(reviewer.locator("#id_reason")).to_have_value(REASON)  # nor lost
    reviewer.click("#do-return")
    reviewer.click("#confirm-ok")
    expect(reviewer.locator("#report-state")).to_have_text("已退回")

    # The department opens its report: why, the opinion and the row's comment, at the top.
    dept = laptop("accountant")
    dept.goto(f"/reports/{report.pk}/")
    banner = dept.locator("#return-banner")
    expect(banner).to_be_in_viewport()
    expect(banner.locator("#return-reason")).to_contain_text(REASON)
    expect(banner.locator("#return-opinion")).to_have_text(OPINION)
    link = banner.locator(f"#return-comments a[href='{note}']")
    expect(link).to_have_text("服务对象满意度")
    expect(banner.locator("#return-comments li")).to_have_count(1)
    expect(banner.locator("#return-comments li")).to_contain_text(COMMENT)
    shot(dept, "return-banner.png")

    # The comment's link leads to the row, where the comment sits beside the input to fix.
    link.click()
    assert dept.url.endswith(note)
    expect(dept.locator(note)).to_be_in_viewport()
    expect(dept.locator(note)).to_contain_text(COMMENT)
    shot(dept, "return-row.png")
    fixed_row = dept.locator("tr.ind-row", has=dept.locator(note))
    fixed_row.locator("[data-field=actual_text]").fill("85%")
    dept.locator("textarea[name=narrative_3]").fill("综合评价结论：评价得分及各项指标得分情况见自评表。")
    dept.locator("textarea[name=narrative_4]").fill(
        "（一）部门资金情况分析：预算执行率偏低，原因是部分项目延后。\n（二）各一级指标完成情况见自评表。"
    )
    expect(dept.locator("[data-out=count-error]").first).to_have_text("0")
    dept.locator("#save-button").click()
    expect(dept.locator("#save-status")).to_contain_text("已保存")
    dept.locator("#submit-button").click()
    dept.locator("#confirm-submit").click()
    expect(dept.locator("#report-state")).to_have_text("已送审")
    expect(dept.locator("#return-banner")).to_have_count(0)  # handed in again: the banner has done its work

    # The reviewer sees it submitted again, with the fixed value among the changes.
    reviewer.goto("/review/")
    expect(reviewer.locator("#queue tr[data-department='101001'] .state")).to_have_text("已送审")
    reviewer.goto(f"/review/{report.pk}/")
    expect(reviewer.locator("#report-state")).to_have_text("已送审")
    change = reviewer.locator("#changes tr").filter(has=reviewer.get_by_text("服务对象满意度 · 实际完成值", exact=True))
    expect(change.locator("td.new-text")).to_have_text("85%")
    expect(reviewer.locator("#id_opinion")).to_have_value(OPINION)

    fixed = ReportIndicator.objects.get(pk=row.pk)
    assert fixed.actual_text == "85%" and fixed.review_comment == COMMENT
    actions = list(
        ReportEvent.objects.filter(report=report, kind="transition")
        .order_by("created_at", "pk")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == ["submit", "return", "submit"]


def test_approve_and_publish_ask_first_and_the_opinion_stays_with_the_approved_report(demo, laptop, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The approval queues the archive PDF; rendering it is reports.pdf's tests' work.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    report = submitted_seed(demo)
    reviewer_user = get_user_model().objects.get(username="reviewer")
    rows = {r.pk: ReviewRow(score=None, comment="") for r in report.indicators.all()}
    report_review_save(report=report, actor=reviewer_user, rows=rows, opinion=OPINION, expected_version=report.version)
    others = list(Report.objects.filter(round_id=report.round_id, state="approved").values_list("pk", flat=True))
    assert len(others) == 2

    reviewer = laptop("reviewer")
    reviewer.goto(f"/review/{report.pk}/")
    reviewer.click("#do-approve")
    expect(reviewer.locator("#confirm-dialog")).to_contain_text("确定通过该报告的审核")
    shot(reviewer, "confirm-approve.png")
    reviewer.keyboard.press("Escape")  # Esc is a 取消 too
    expect(reviewer.locator("#confirm-dialog")).to_be_hidden()
    assert Report.objects.get(pk=report.pk).state == "submitted"
    reviewer.click("#do-approve")
    reviewer.click("#confirm-ok")
    expect(reviewer.locator("#report-state")).to_have_text("审核通过")

    dept = laptop("accountant")
    dept.goto(f"/reports/{report.pk}/")
    expect(dept.locator("#review-opinion")).to_contain_text(OPINION)
    expect(dept.locator("#return-banner")).to_have_count(0)
    shot(dept, "approved-opinion.png")

    # An admin publishes one report from its page (confirming), then the rest from the queue at once.
    admin = laptop("admin")
    admin.goto(f"/review/{others[0]}/")
    admin.click("#do-publish")
    expect(admin.locator("#confirm-dialog")).to_contain_text("确定公开该报告")
    shot(admin, "confirm-publish.png")
    admin.click("#confirm-ok")
    expect(admin.locator("#report-state")).to_have_text("已公开")

    admin.goto("/review/")
    picks = admin.locator("input[name=report][form=bulk-publish]")
    expect(picks).to_have_count(2)  # the seed and the one approved report left
    picks.nth(0).check()
    picks.nth(1).check()
    admin.click("#do-bulk-publish")
    expect(admin.locator("#confirm-dialog")).to_contain_text("确定公开所选的 2 份报告")
    shot(admin, "confirm-bulk-publish.png")
    admin.click("#confirm-ok")
    expect(admin.locator(".messages")).to_contain_text("已公开 2 份报告")
    expect(admin.locator("input[name=report][form=bulk-publish]")).to_have_count(0)
    shot(admin, "bulk-published.png")

    states = set(Report.objects.filter(pk__in=[report.pk, *others]).values_list("state", flat=True))
    assert states == {"published"}
    assert Report.objects.get(pk=report.pk).review_opinion == OPINION
