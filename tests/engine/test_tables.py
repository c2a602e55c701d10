"""Budget and task tables: printed rates, sums, over-execution, 元 written as 万元, negatives."""

from dataclasses import replace
from decimal import Decimal as D

from indicators.engine import Budget, BudgetRow, Task, table_findings
from tests.engine.seed import BUDGET, TASKS


def fs_of(budget=BUDGET, tasks=TASKS):
    return table_findings(budget, tasks)


def where(fs, code):
    return sorted(f.where for f in fs if f.code == code)


def test_seed_tables():
    fs = fs_of()
    assert where(fs, "rate.printed_differs") == [
        "budget.basic",
        "budget.fiscal",
        "budget.total",
        "tasks[0]",
        "tasks[2]",
    ]
    assert where(fs, "budget.over_executed") == ["budget.basic", "tasks[0]"]
    assert where(fs, "budget.sum_mismatch") == []
    assert where(fs, "amount.unit_suspicious") == []
    assert where(fs, "amount.negative") == []


def test_printed_rate_messages():
    fs = {f.where: f.message for f in fs_of() if f.code == "rate.printed_differs"}
    assert "94.50%" in fs["budget.total"] and "94.47%" in fs["budget.total"] and "一位小数" in fs["budget.total"]
    assert "100.66%" in fs["budget.basic"] and "100.65%" in fs["budget.basic"]
    assert "100%" in fs["tasks[0]"] and "100.65%" in fs["tasks[0]"] and "封顶" in fs["tasks[0]"]
    assert "59.93%" in fs["tasks[2]"] and "60.00%" in fs["tasks[2]"] and "1.7979" in fs["tasks[2]"]


def test_rates_matching_at_their_printed_precision_are_quiet():
    b = Budget(rows=(BudgetRow("total", D("477.48"), D("477.48"), D("451.06"), "94.47%"),))
    assert where(table_findings(b, ()), "rate.printed_differs") == []
    b = Budget(rows=(BudgetRow("total", D("477.48"), D("477.48"), D("451.06"), "94.5%"),))
    assert where(table_findings(b, ()), "rate.printed_differs") == []  # 1 place printed, 1 place compared


def _rows(**changes):
    rows = {r.row: r for r in BUDGET.rows}
    for key, fields in changes.items():
        rows[key] = replace(rows[key], **fields)
    return replace(BUDGET, rows=tuple(replace(r, rate_text="") for r in rows.values()))


def test_structure_and_sources_must_add_up():
    fs = fs_of(_rows(project={"annual": D("342")}), ())
    assert where(fs, "budget.sum_mismatch") == ["budget.structure"]
    fs = fs_of(_rows(fiscal={"annual": D("400")}, other={"annual": D("50")}), ())
    assert where(fs, "budget.sum_mismatch") == ["budget.sources"]
    fs = fs_of(_rows(fiscal={"annual": D("400")}, other={"annual": D("77.48")}), ())
    assert where(fs, "budget.sum_mismatch") == []  # other present and adding up


def test_tasks_must_add_up_to_the_total():
    tasks = (*TASKS[:2], replace(TASKS[2], budget=D("4.00"), budget_fiscal=D("4.00")))
    fs = fs_of(_rows(), tasks)
    assert where(fs, "budget.sum_mismatch") == ["tasks", "tasks"]  # budget and its fiscal part
    assert any("478.48" in f.message for f in fs)


def test_blank_task_amounts_skip_the_sum():
    tasks = (*TASKS[:2], replace(TASKS[2], budget=None, budget_fiscal=None))
    assert where(fs_of(_rows(), tasks), "budget.sum_mismatch") == []


def test_yuan_written_as_wan():
    tasks = (replace(TASKS[0], budget=D("4774800")),)
    fs = fs_of(_rows(), tasks)
    assert "tasks[0]" in where(fs, "amount.unit_suspicious")
    tasks = (replace(TASKS[2], budget=D("30000")), replace(TASKS[1], budget=D("3.00")))
    fs = fs_of(_rows(), tasks)
    [f] = [f for f in fs if f.code == "amount.unit_suspicious"]
    assert f.where == "tasks[0]" and "一万倍" in f.message


def test_yuan_tables_are_not_checked_for_wan():
    b = replace(_rows(), unit="元")
    tasks = (replace(TASKS[0], budget=D("4774800")),)
    assert where(table_findings(b, tasks), "amount.unit_suspicious") == []


def test_negative_amounts():
    fs = fs_of(_rows(basic={"executed": D("-1")}), (replace(TASKS[0], executed=D("-2")),))
    assert where(fs, "amount.negative") == ["budget.basic", "tasks[0]"]
    assert all(f.severity == "error" for f in fs if f.code == "amount.negative")


def test_fiscal_part_above_the_task_budget():
    fs = fs_of(_rows(), (replace(TASKS[1], budget_fiscal=D("341")),))
    assert "tasks[0]" in where(fs, "budget.sum_mismatch")


def test_garbage_tables_do_not_raise():
    b = Budget(rows=(BudgetRow("total", D("NaN"), "x", D("1e40"), 5), "junk", BudgetRow("zzz")))  # type: ignore[arg-type]
    fs = table_findings(b, (Task(name=None, budget=D("-Infinity")), None))  # type: ignore[arg-type]
    assert "value.invalid" in {f.code for f in fs}
