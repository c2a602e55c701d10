"""Pasting a block copied from Excel (rows × columns) into the task, budget and indicator blocks."""

import os
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from departments.models import BudgetLine
from reports.models import ReportIndicator, ReportTask
from tests.browser.test_report_form import open_seed_report, row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("PERFEVAL_SCREENSHOT_DIR")


def paste(page, locator, text: str) -> None:
    locator.focus()
    page.evaluate(
        """([el, text]) => {
            const data = new DataTransfer();
            data.setData('text/plain', text);
            el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        [locator.element_handle(), text],
    )


def test_paste_blocks_into_tasks_budget_and_indicators(new_page, demo):
    page = new_page("accountant")
    open_seed_report(page, demo, via_login=False)
    status = page.locator("#save-status")

    # 3 rows × 2 columns into the first task's 预算资金 合计 and 其中：财政资金
    paste(page, page.locator("input[name='task-0-budget']"), "140.50\t140.50\r\n200\t180\r\n50\t0\r\n")
    expect(status).to_contain_text("已粘贴 3 行")
    for i, (total, fiscal) in enumerate((("140.50", "140.50"), ("200", "180"), ("50", "0"))):
        expect(page.locator(f"input[name='task-{i}-budget']")).to_have_value(total)
        expect(page.locator(f"input[name='task-{i}-budget_fiscal']")).to_have_value(fiscal)
    # the block stops at the last task; the read-only 执行率 column takes nothing
    paste(page, page.locator("input[name='task-1-executed_fiscal']"), "150\t99%\n30\t99%\n7\t99%\n8\n")
    expect(status).to_contain_text("已粘贴 2 行")
    expect(page.locator("input[name='task-1-executed_fiscal']")).to_have_value("150")
    expect(page.locator("input[name='task-2-executed_fiscal']")).to_have_value("30")
    expect(page.locator("#task-body tr.task-row")).to_have_count(3)

    # a column into 全年预算数: the heading rows (资金来源, 资金结构) have no inputs and are passed over
    paste(page, page.locator("input[name='budget-total_annual']"), "500.00\r\n480.00\r\n20.00\r\n300.00\r\n200.00")
    expect(status).to_contain_text("已粘贴 5 行")
    for key, value in (
        ("total", "500.00"),
        ("fiscal", "480.00"),
        ("other", "20.00"),
        ("basic", "300.00"),
        ("project", "200.00"),
    ):
        expect(page.locator(f"input[name='budget-{key}_annual']")).to_have_value(value)
    expect(page.locator("input[name='budget-total_initial']")).not_to_have_value("500.00")

    # 2 rows × 2 columns into 实际完成值 and 分值 of two indicators
    first = row(page, "部门绩效评价完成率")
    paste(page, first.locator("[data-field=actual_text]"), "96%\t2\n88%\t3\n")
    expect(status).to_contain_text("已粘贴 2 行")
    second = row(page, "绩效监控完成率")
    expect(first.locator("[data-field=actual_text]")).to_have_value("96%")
    expect(first.locator("[data-field=weight]")).to_have_value("2")
    expect(second.locator("[data-field=actual_text]")).to_have_value("88%")
    expect(second.locator("[data-field=weight]")).to_have_value("3")
    # and 分值 | 得分 side by side, from the second row
    paste(page, second.locator("[data-field=weight]"), "2.5\t2.25\r\n")
    expect(status).to_contain_text("已粘贴 1 行")
    expect(second.locator("[data-field=self_score]")).to_have_value("2.25")

    # a text box keeps lines of text as text (no tab: the browser pastes them)
    content = page.locator("textarea[name='task-0-content']")
    content.fill("")
    paste(page, content, "第一行\n第二行")
    expect(content).to_have_value("")  # a synthetic event inserts nothing: the handler left it alone
    expect(page.locator("textarea[name='task-1-content']")).not_to_have_value("第二行")

    if SHOTS:
        page.set_viewport_size({"width": 1366, "height": 768})
        page.locator("#tasks-table").scroll_into_view_if_needed()
        page.screenshot(path=os.path.join(SHOTS, "paste-tasks.png"))
    page.locator("#save-button").click()
    expect(status).to_contain_text("已保存")

    tasks = list(
        ReportTask.objects.filter(report=demo)
        .order_by("order")
        .values_list("budget", "budget_fiscal", "executed_fiscal")
    )
    assert [t[:2] for t in tasks] == [
        (Decimal("140.50"), Decimal("140.50")),
        (Decimal("200.00"), Decimal("180.00")),
        (Decimal("50.00"), Decimal("0.00")),
    ]
    assert [t[2] for t in tasks[1:]] == [Decimal("150.00"), Decimal("30.00")]
    annual = dict(
        BudgetLine.objects.filter(department=demo.department, year=demo.round.year).values_list("row", "annual")
    )
    assert annual == {
        "total": Decimal("500.00"),
        "fiscal": Decimal("480.00"),
        "other": Decimal("20.00"),
        "basic": Decimal("300.00"),
        "project": Decimal("200.00"),
    }
    saved = {
        r.level3: r
        for r in ReportIndicator.objects.filter(report=demo, level3__in=["部门绩效评价完成率", "绩效监控完成率"])
    }
    assert (saved["部门绩效评价完成率"].actual, saved["部门绩效评价完成率"].weight) == (Decimal("96"), Decimal("2"))
    assert (saved["绩效监控完成率"].actual, saved["绩效监控完成率"].weight, saved["绩效监控完成率"].self_score) == (
        Decimal("88"),
        Decimal("2.5"),
        Decimal("2.25"),
    )


def test_a_formatted_amount_pastes_as_its_number(new_page, demo):
    """Excel copies an amount as it shows it, grouped by thousands: a figure box takes the number."""
    page = new_page("accountant")
    open_seed_report(page, demo, via_login=False)
    status = page.locator("#save-status")
    executed = page.locator("input[name='budget-total_executed']")
    executed.fill("")
    paste(page, executed, "1,234.50")
    expect(executed).to_have_value("1234.50")
    paste(page, page.locator("input[name='task-0-budget']"), "1,140.50\t1,000\n2,000\t180\n")
    expect(page.locator("input[name='task-0-budget']")).to_have_value("1140.50")
    expect(page.locator("input[name='task-0-budget_fiscal']")).to_have_value("1000")
    expect(page.locator("input[name='task-1-budget']")).to_have_value("2000")
    # In a text box it is text: the browser's to paste (a synthetic event inserts nothing).
    name = page.locator("input[name='task-0-name']")
    before = name.input_value()
    paste(page, name, "1,234")
    expect(name).to_have_value(before)
    # Not a thousands grouping: left as typed, and the save names the field.
    odd = page.locator("input[name='task-2-budget']")
    paste(page, odd, "1,2,3\t5\n")
    expect(odd).to_have_value("1,2,3")
    page.locator("#save-button").click()
    expect(status).to_contain_text("未保存")
    expect(page.locator("tr.task-row").nth(2).locator(".msg-error")).not_to_have_count(0)
    odd.fill("3")
    with page.expect_response(lambda r: r.url.endswith("/save/")):
        page.locator("#save-button").click()
    expect(status).to_contain_text("已保存")
    line = BudgetLine.objects.get(department=demo.department, year=demo.round.year, row="total")
    assert line.executed == Decimal("1234.50")
    budgets = list(ReportTask.objects.filter(report=demo).order_by("order").values_list("budget", "budget_fiscal"))
    assert budgets[:2] == [(Decimal("1140.50"), Decimal("1000.00")), (Decimal("2000.00"), Decimal("180.00"))]
