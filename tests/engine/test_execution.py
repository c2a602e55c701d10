"""预算执行率 (level 1): proportional, cap, denominators, steps, caps on the total, blanks."""

from decimal import Decimal as D

from indicators.engine import Budget, BudgetRow, RuleSet, score_report
from tests.engine.helpers import budget, find, qual, report


def run(rules=None, **budget_kw):
    return score_report(report(rules=rules or RuleSet(), budget=budget(**budget_kw)))


def test_seed_figures():
    r = run(annual="477.48", executed="451.06")
    assert r.execution_score == D("9.45")
    assert r.execution_rate.quantize(D("0.001")) == D("94.467")
    assert "451.06 ÷ 477.48" in r.execution_explanation
    assert "94.47%" in r.execution_explanation


def test_full_at_exactly_100():
    r = run(annual="200", executed="200")
    assert r.execution_score == D("10.00")
    assert "满分" in r.execution_explanation


def test_over_execution_capped():
    r = run(annual="100", executed="110")
    assert r.execution_rate == D("110")
    assert r.execution_score == D("10.00")
    assert "超过 100% 按 100% 计" in r.execution_explanation


def test_over_execution_as_deviation_without_cap():
    r = run(RuleSet(execution_cap=False), annual="100", executed="110")
    assert r.execution_score == D("9.00")  # (1 − |1 − 1.1|) × 10
    assert "偏差" in r.execution_explanation
    r = run(RuleSet(execution_cap=False), annual="100", executed="250")
    assert r.execution_score == D("0.00")


def test_initial_denominator():
    r = run(annual="400", executed="400", initial="500")
    assert r.execution_score == D("10.00")
    r = run(RuleSet(execution_denominator="initial"), annual="400", executed="400", initial="500")
    assert r.execution_score == D("8.00")
    assert "年初预算数" in r.execution_explanation


def test_half_up_rounding():
    # 94.45% × 10 = 9.445 -> 9.45 (half up, not half even)
    r = run(annual="100", executed="94.45")
    assert r.execution_score == D("9.45")
    r = run(annual="100", executed="94.25")
    assert r.execution_score == D("9.43")


STEP = RuleSet(execution_method="step", execution_step_per=D("5"), execution_step_deduct=D("2"))


def test_step_deduction():
    assert run(STEP, annual="477.48", executed="451.06").execution_score == D("8.00")  # 5.53 short: 1 step
    assert run(STEP, annual="100", executed="95").execution_score == D("8.00")  # exactly one step
    assert run(STEP, annual="100", executed="95.01").execution_score == D("10.00")  # 4.99 short: none
    assert run(STEP, annual="100", executed="89.99").execution_score == D("6.00")  # 10.01 short: 2 steps
    assert run(STEP, annual="100", executed="60").execution_score == D("0.00")  # 8 steps, floored at 0
    assert run(STEP, annual="100", executed="120").execution_score == D("10.00")  # capped


def test_step_explanation_documents_the_floor():
    r = run(STEP, annual="477.48", executed="451.06")
    assert "不足一档的部分不扣" in r.execution_explanation
    assert "10 − 1 × 2 = 8" in r.execution_explanation


def test_step_without_cap_counts_over_execution():
    rules = RuleSet(
        execution_method="step", execution_step_per=D("5"), execution_step_deduct=D("2"), execution_cap=False
    )
    assert run(rules, annual="100", executed="106").execution_score == D("8.00")


def test_step_without_parameters_falls_back_with_a_finding():
    r = run(RuleSet(execution_method="step"), annual="100", executed="90")
    assert r.execution_score == D("9.00")
    assert find(r, "rules.invalid", "rules")


CAPS = RuleSet(total_caps_by_execution=((D("80"), D("89")), (D("70"), D("79"))))


def _capped(executed):
    return score_report(
        report(qual(weight="90", self_score="90"), rules=CAPS, budget=budget(executed=executed, self_score=executed))
    )


def test_total_cap_applies_below_the_rate():
    r = _capped("75")  # 7.5 + 90 = 97.5, rate < 80 -> total ≤ 89
    assert r.total == D("89")
    assert "总分不超过 89 分" in r.total_explanation
    assert find(r, "total.capped", "total")
    assert r.grade == "良"


def test_tightest_cap_wins():
    r = _capped("65")  # both bands apply -> 79
    assert r.total == D("79")
    assert "79" in r.total_explanation


def test_no_cap_at_or_above_the_rate():
    r = _capped("80")
    assert r.total == D("98.00")
    assert not find(r, "total.capped")


def test_blank_budget_is_not_zero():
    r = run(annual=None, executed="10")
    assert r.execution_score is None and r.execution_rate is None
    [f] = find(r, "budget.blank", "budget.total")
    assert f.severity == "error"
    r = run(annual="100", executed=None)
    assert r.execution_score is None
    assert find(r, "budget.blank")
    r = run(annual="100", executed="0")  # zero is a figure
    assert r.execution_score == D("0.00")
    assert not find(r, "budget.blank")


def test_zero_denominator():
    r = run(annual="0", executed="0")
    assert r.execution_score is None
    [f] = find(r, "budget.zero_denominator", "budget.total")
    assert f.severity == "error"


def test_no_budget_rows_at_all():
    r = score_report(report(budget=Budget()))
    assert r.execution_score is None
    assert find(r, "budget.blank")


def test_negative_amounts_are_not_scored_and_flagged():
    r = score_report(report(budget=Budget(rows=(BudgetRow("total", D("100"), D("100"), D("-5")),))))
    assert r.execution_score is None
    assert find(r, "amount.negative", "budget.total")


def test_execution_self_score_difference():
    r = score_report(report(budget=budget(annual="477.48", executed="451.06", self_score="9.40")))
    [f] = find(r, "score.differs", "budget.total")
    assert "9.4" in f.message and "9.45" in f.message
