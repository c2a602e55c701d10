"""Issue 14's new checks: execution scored again by amounts, reasons contradicting the rate,
full scores without evidence, printed rates at their printed precision."""

from decimal import Decimal as D

import pytest

from indicators.engine import Budget, BudgetRow, IndicatorRow, ReportInput, Task, score_report
from indicators.engine.checks import table_findings
from tests.engine.helpers import budget, find, qual, quant, report

DUP = "template.duplicate_execution_amounts"


def _amount_row(target, actual, level3="部门预算资金支出", unit="万元", **kw):
    return quant(target=target, actual=actual, weight="2", unit=unit, level3=level3, reason="原因", **kw)


# ----------------------------------------------------------------------------- a. amounts


@pytest.mark.parametrize(
    ("target", "actual", "hit"),
    [
        ("477.48", "451.06", True),
        ("477.480000", "451.060", True),  # Decimals compared by value, not by digits
        ("4774800", "4510600", True),  # the same amounts in 元
        ("477.48", "451.07", False),
        ("451.06", "477.48", False),  # swapped is not the budget
        ("477.48", None, False),
    ],
)
def test_row_with_the_budget_amounts(target, actual, hit):
    res = score_report(report(_amount_row(target, actual), budget=budget(annual="477.48", executed="451.06")))
    found = find(res, DUP, "indicators[0]")
    assert bool(found) is hit
    if hit:
        assert found[0].severity == "warning"
        assert "全年预算数 477.48" in found[0].message and "执行数 451.06" in found[0].message


def test_budget_in_yuan_row_in_wanyuan():
    b = Budget(unit="元", rows=(BudgetRow("total", D("4774800"), D("4774800"), D("4510600")),))
    res = score_report(ReportInput(budget=b, indicators=(_amount_row("477.48", "451.06"),)))
    assert find(res, DUP)


def test_initial_denominator_too():
    res = score_report(
        report(_amount_row("400", "451.06"), budget=budget(initial="400", annual="477.48", executed="451.06"))
    )
    assert "年初预算数 400.00" in find(res, DUP)[0].message


def test_not_when_execution_is_not_scored_at_level1():
    res = score_report(report(_amount_row("477.48", "451.06"), budget=budget("477.48", "451.06", weight="0")))
    assert not find(res, DUP)


def test_target_text_counts():
    row = _amount_row(None, "451.06")
    row = IndicatorRow(**{**row.__dict__, "target_text": "477.48万元"})
    res = score_report(report(row, budget=budget(annual="477.48", executed="451.06")))
    assert find(res, DUP)


def test_zero_budget_never_matches():
    res = score_report(report(_amount_row("0", "0"), budget=budget(annual="0", executed="0")))
    assert not find(res, DUP)


def test_named_execution_row_reported_once():
    # 预算执行率 by name and by amounts: the name-based finding stands alone
    row = _amount_row("477.48", "451.06", level3="预算执行率")
    res = score_report(report(row, budget=budget(annual="477.48", executed="451.06")))
    assert find(res, "template.duplicate_measure", "indicators[0]")
    assert not find(res, DUP)


def test_not_applicable_row_ignored():
    row = _amount_row("477.48", "451.06", applicable=False)
    assert not find(score_report(report(row, budget=budget("477.48", "451.06"))), DUP)


# ----------------------------------------------------------------------------- b. reason figures

FIG = "reason.figure_contradicts"


def _exec_row(reason, actual="86.2", level3="预算执行率"):
    return quant(target="100", actual=actual, unit="%", weight="2", level3=level3, reason=reason, self_score="1.72")


def _exec(reason, executed="86.2", **kw):
    return score_report(report(_exec_row(reason, **kw), budget=budget(annual="100", executed=executed)))


@pytest.mark.parametrize(
    ("reason", "hit"),
    [
        ("剩余3%尾款未付", True),
        ("剩余13.8%尾款未付", False),
        ("剩余13.80%尾款未付", False),
        ("剩余14%尾款未付", False),  # 13.80 at the printed precision is 14
        ("剩余13%尾款未付", True),
        ("未执行部分占预算的13.9%", True),
        ("部分项目未执行，占预算的13.9%", False),  # the figure is in another clause: not read as the share
        ("尚有13.8％资金未支付", False),  # full-width percent
        ("项目尾款3%待验收后支付", True),
        ("执行率86.2%，剩余资金结转下年", False),  # a rate, not the unspent share
        ("剩余资金执行率为86.2%", False),
        ("受疫情影响，3%的培训未开展", False),  # no unspent word in the clause
        ("", False),
    ],
)
def test_reason_unspent_share(reason, hit):
    res = _exec(reason)
    found = find(res, FIG, "indicators[0]")
    assert bool(found) is hit, res.findings
    if hit:
        assert found[0].severity == "warning"
        assert "未执行部分为 13.80%" in found[0].message


def test_reason_checked_against_the_row_or_the_budget():
    # the row says 90% while the budget gives 86.2%: 10% unspent agrees with the row
    assert not find(_exec("剩余10%未支付", actual="90"), FIG)
    assert not find(_exec("剩余13.8%未支付", actual="90"), FIG)


def test_reason_of_a_non_execution_row_not_checked():
    assert not find(_exec("剩余3%尾款未付", level3="项目验收合格率"), FIG)


def test_over_executed_unspent_not_checked():
    # 105% executed: nothing unspent to compare with
    assert not find(_exec("剩余3%尾款未付", executed="105", actual="105"), FIG)


# ----------------------------------------------------------------------------- c. no evidence

NOEV = "score.no_evidence"


def test_full_score_without_target_or_actual():
    row = qual(tier="met", self_score="2", target_text="", actual_text="")
    f = find(score_report(report(row)), NOEV, "indicators[0]")
    assert f and f[0].severity == "warning"


@pytest.mark.parametrize(
    "kw",
    [
        {"target_text": "按时完成", "actual_text": ""},
        {"target_text": "", "actual_text": "已完成"},
        {"target_text": "", "actual_text": "", "self_score": "1.9"},  # not full
    ],
)
def test_any_evidence_or_less_than_full(kw):
    row = qual(tier="met", **{"self_score": "2", **kw})
    assert not find(score_report(report(row)), NOEV)


def test_quantitative_full_without_figures():
    row = quant(target=None, actual=None, weight="3", self_score="3")
    assert find(score_report(report(row)), NOEV)
    row = quant(target="95", actual=None, weight="3", self_score="3")
    assert not find(score_report(report(row)), NOEV)


def test_zero_weight_zero_score_is_not_full():
    row = qual(tier="met", weight="0", self_score="0", target_text="", actual_text="")
    assert not find(score_report(report(row)), NOEV)


# ----------------------------------------------------------------------------- d. printed rates

RATE = "rate.printed_differs"


@pytest.mark.parametrize(
    ("executed", "printed", "hit"),
    [("86.2", "86%", False), ("86.6", "86%", True), ("86.5", "86%", True), ("86.49", "86%", False),
     ("86.2", "86.20%", False), ("86.2", "86.2%", False), ("86.2", "86.3%", True), ("86.204", "86.20%", False)],
)  # fmt: skip
def test_task_rate_text_at_its_precision(executed, printed, hit):
    task = Task(name="机关运行", budget=D("100"), executed=D(executed), rate_text=printed)
    found = [f for f in table_findings(Budget(), (task,)) if f.code == RATE]
    assert bool(found) is hit
    if hit:
        assert found[0].where == "tasks[0]"


@pytest.mark.parametrize(
    ("executed", "printed", "hit"), [("86.2", "86%", False), ("86.6", "86%", True), ("86.2", "86.20%", False)]
)
def test_budget_rate_text_at_its_precision(executed, printed, hit):
    b = Budget(rows=(BudgetRow("total", D("100"), D("100"), D(executed), rate_text=printed),))
    assert bool([f for f in table_findings(b, ()) if f.code == RATE]) is hit


@pytest.mark.parametrize(
    ("actual", "actual_text", "hit"),
    [
        ("86", "", False),
        ("87", "", True),
        ("86.2", "", False),
        ("86.20", "", False),
        ("86.200000", "", False),  # as stored in the database: 6 places, trailing zeros not a precision
        ("86.3", "", True),
        (None, "86%", False),
        ("86.2", "86%", False),  # the printed text decides the precision
        (None, "87%", True),
    ],
)
def test_execution_row_actual_at_its_precision(actual, actual_text, hit):
    row = quant(target="100", actual=actual, actual_text=actual_text, unit="%", level3="预算执行率", weight="2",
                reason="原因")  # fmt: skip
    res = score_report(report(row, budget=budget(annual="100", executed="86.2")))
    assert bool(find(res, RATE, "indicators[0]")) is hit


def test_execution_row_may_show_another_budget_rows_rate():
    row = quant(target="100", actual="92.04", unit="%", level3="项目资金执行率", weight="2", reason="原因")
    b = budget(annual="477.48", executed="451.06", rows=(BudgetRow("project", D("343"), D("343"), D("315.71")),))
    assert not find(score_report(report(row, budget=b)), RATE, "indicators[0]")


def test_non_rate_row_actual_not_compared():
    row = quant(target="100", actual="87", unit="%", level3="群众满意度", weight="2", reason="原因")
    assert not find(score_report(report(row, budget=budget(annual="100", executed="86.2"))), RATE)


@pytest.mark.parametrize(("executed", "hit"), [("86.2", False), ("86.6", True), ("86.49", False)])
def test_narrative_rate_at_its_precision(executed, hit):
    res = score_report(
        report(budget=budget(annual="100", executed=executed), narrative=(("4", "我单位预算执行率为86%。"),))
    )
    assert bool(find(res, "narrative.rate_differs")) is hit
