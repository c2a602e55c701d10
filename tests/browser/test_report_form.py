"""The accountant's form in a real browser: live scoring, saving, conflicts, paste, submission."""

import os
import re

import pytest
from playwright.sync_api import expect

from reports.models import Report, ReportIndicator
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("PERFEVAL_SCREENSHOT_DIR")


def row(page, level3: str):
    return page.locator("tr.ind-row", has=page.locator("td.c-l3", has_text=re.compile(rf"^\s*{level3}")))


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def open_seed_report(page, demo, *, via_login: bool = True):
    if via_login:
        log_in(page, "accountant")
        page.get_by_role("link", name=demo.department.display_name).click()
    else:
        page.goto(f"/reports/{demo.pk}/")
    expect(page.locator("h1.sheet-title").first).to_contain_text("2021年度部门整体绩效自评表")


def test_accountant_fills_checks_saves_and_submits(new_page, demo):
    page = new_page()
    open_seed_report(page, demo)
    shot(page, "report_page.png")
    expect(page.locator("#bar-total")).to_have_text("99.44")
    expect(page.locator("#bar-grade")).to_have_text("优")

    served = row(page, "服务社区数量")
    expect(served.locator("[data-out=row-score]")).to_have_text("30.00")
    served.locator("[data-field=actual_text]").fill("20")
    # the server's engine scores the unsaved row, the subtotals, the total and the grade
    expect(served.locator("[data-out=row-score]")).to_have_text("14.63")
    expect(served.locator("[data-out=row-explain]")).to_contain_text("20 ÷ 41 × 30")
    expect(page.locator("#bar-total")).to_have_text("84.07")
    expect(page.locator("#bar-grade")).to_have_text("良")
    expect(page.locator("th.l1[data-l1=产出指标] [data-out=l1-score]")).to_have_text("14.63")
    # and the reason becomes required, with the message at the field
    reason = served.locator("[data-field=reason]")
    expect(reason).to_have_attribute("aria-required", "true")
    expect(served.locator("td.c-reason .msg-error")).to_contain_text("须填写未完成原因分析")
    expect(page.locator("#save-status")).to_have_text("有未保存的修改")

    served.locator("[data-field=self_score]").fill("14.63")
    reason.fill("两个社区撤并，年内实际服务20个社区。")
    expect(served.locator("td.c-reason .msg-error")).to_have_count(0)
    expect(page.locator("#bar-self-total")).to_have_text("83.97")

    # the seed's own errors block submission: fix them through the form
    satisfaction = row(page, "服务对象满意度")
    expect(satisfaction.locator("td.c-actual .msg-error")).to_contain_text("不是测量值")
    satisfaction.locator("[data-field=actual_text]").fill("85")
    page.locator("textarea[name=narrative_3]").fill("综合评价结论：评价得分及各项指标得分情况见自评表。")
    page.locator("textarea[name=narrative_4]").fill(
        "（一）部门资金情况分析：预算执行情况见自评表。\n（二）各一级指标完成情况见自评表。"
    )
    expect(page.locator("[data-out=count-error]").first).to_have_text("0")

    page.keyboard.press("Control+s")
    expect(page.locator("#save-status")).to_contain_text("已保存")
    page.reload()
    served = row(page, "服务社区数量")
    expect(served.locator("[data-field=actual_text]")).to_have_value("20")
    expect(served.locator("[data-field=self_score]")).to_have_value("14.63")
    expect(served.locator("[data-field=reason]")).to_have_value("两个社区撤并，年内实际服务20个社区。")
    expect(served.locator("[data-out=row-score]")).to_have_text("14.63")
    expect(row(page, "服务对象满意度").locator("[data-field=actual_text]")).to_have_value("85")
    expect(page.locator("#bar-total")).to_have_text("84.07")
    expect(page.locator("#bar-grade")).to_have_text("良")
    expect(page.locator("#events")).to_contain_text("服务社区数量 · 实际完成值")

    page.locator("#submit-button").click()
    expect(page.locator("h1")).to_contain_text("送审")
    expect(page.locator("ol.findings li.sev-warning").first).to_be_visible()  # the warnings, listed to confirm
    page.locator("#confirm-submit").click()
    expect(page.locator("#report-state")).to_have_text("已送审")
    expect(page.locator("#report-form input[name$=actual_text]")).to_have_count(0)
    expect(page.locator(".readonly-note")).to_contain_text("不能修改")
    expect(row(page, "服务社区数量").locator("td.c-actual")).to_contain_text("20")
    expect(page.locator("#events")).to_contain_text("送审")
    assert Report.objects.get(pk=demo.pk).state == Report.State.SUBMITTED


def test_second_session_is_refused_and_sees_the_other_changes(new_page, demo):
    first, second = new_page("accountant"), new_page("accountant")
    open_seed_report(first, demo, via_login=False)
    open_seed_report(second, demo, via_login=False)

    row(first, "服务社区数量").locator("[data-field=actual_text]").fill("38")
    first.locator("#save-button").click()
    expect(first.locator("#save-status")).to_contain_text("已保存")

    row(second, "服务对象满意度").locator("[data-field=actual_text]").fill("85")
    second.locator("#save-button").click()
    conflict = second.locator("#conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("报告已被他人修改")
    expect(conflict.locator("table.diff")).to_contain_text("服务社区数量 · 实际完成值")
    expect(second.locator("#save-status")).to_contain_text("未保存")
    # the typed value is still on the page, nothing was overwritten
    expect(row(second, "服务对象满意度").locator("[data-field=actual_text]")).to_have_value("85")
    assert ReportIndicator.objects.get(report=demo, level3="服务社区数量").actual_text == "38"
    assert ReportIndicator.objects.get(report=demo, level3="服务对象满意度").actual_text == "≥80%"


def test_paste_a_column_keyboard_and_own_rows(new_page, demo):
    page = new_page("accountant")
    open_seed_report(page, demo, via_login=False)
    first = row(page, "部门绩效评价完成率").locator("[data-field=actual_text]")
    first.focus()
    page.evaluate(
        """el => {
            const data = new DataTransfer();
            data.setData('text/plain', '98%\\r\\n99%\\r\\n97%\\r\\n');
            el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        first.element_handle(),
    )
    expect(first).to_have_value("98%")
    expect(row(page, "绩效监控完成率").locator("[data-field=actual_text]")).to_have_value("99%")
    expect(row(page, "绩效自评完成率").locator("[data-field=actual_text]")).to_have_value("97%")
    expect(row(page, "绩效自评完成率").locator("[data-out=row-score]")).to_have_text("1.94")

    # Enter moves down the column, as in a spreadsheet
    first.press("Enter")
    expect(row(page, "绩效监控完成率").locator("[data-field=actual_text]")).to_be_focused()

    # a row of the department's own, in a group of the template; merged cells follow it
    page.select_option("#add-group", label="产出指标 / 履职目标和主要任务完成情况")
    page.locator("#add-indicator").click()
    new = page.locator("tr.ind-row.custom")
    expect(new).to_have_count(1)
    expect(new.locator("[data-field=level3]")).to_be_focused()
    new.locator("[data-field=level3]").fill("培训社区工作者人次")
    new.locator("[data-field=kind]").select_option("quantitative")
    new.locator("[data-field=target_text]").fill("≥200")
    new.locator("[data-field=weight]").fill("0")
    new.locator("[data-field=actual_text]").fill("210")
    expect(page.locator("th.l2[data-l2='产出指标|履职目标和主要任务完成情况']")).to_have_attribute("rowspan", "2")
    new.locator("[data-field=actual_text]").press("Alt+ArrowUp")
    expect(page.locator("tr.ind-row").nth(21)).to_have_class(re.compile("custom"))
    page.locator("#save-button").click()
    expect(page.locator("#save-status")).to_contain_text("已保存")
    added = ReportIndicator.objects.get(report=demo, level3="培训社区工作者人次")
    assert (added.order, added.target, added.actual) == (21, 200, 210)
    assert ReportIndicator.objects.get(report=demo, level3="服务社区数量").order == 22

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("tr.ind-row.custom button[data-act=remove]").click()
    expect(page.locator("tr.ind-row.custom")).to_have_count(0)
    page.locator("#save-button").click()
    expect(page.locator("#save-status")).to_contain_text("已保存")
    assert not ReportIndicator.objects.filter(report=demo, level3="培训社区工作者人次").exists()


def test_submit_page_links_each_error_to_its_field(new_page, demo):
    """Refused at 送审, the accountant goes from each listed error straight to the field to fix."""
    page = new_page("accountant")
    page.goto(f"/reports/{demo.pk}/submit/")
    errors = page.locator("ol.findings li.sev-error a")
    expect(errors).to_have_count(8)

    errors.filter(has_text="服务对象满意度").click()
    expect(page).to_have_url(re.compile(rf"/reports/{demo.pk}/#goto=actual\.not_measured@indicators%5B\d+%5D$"))
    field = row(page, "服务对象满意度").locator("[data-field=actual_text]")
    expect(field).to_be_focused()
    expect(field).to_be_in_viewport()

    page.go_back()
    page.locator("ol.findings li.sev-error a").filter(has_text="4774760.72 万元").click()
    narrative = page.locator("textarea[name=narrative_4]")
    expect(narrative).to_be_focused()
    expect(narrative).to_be_in_viewport()
