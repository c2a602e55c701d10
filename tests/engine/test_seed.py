"""The seed report scored by its own rules: every figure and every inconsistency S4–S11."""

from decimal import Decimal as D

import pytest

from indicators.engine import RuleSet, score_report
from tests.engine.helpers import find
from tests.engine.seed import seed_report


@pytest.fixture(scope="module")
def result():
    return score_report(seed_report())


def test_shape(result):
    assert len(result.rows) == 24
    assert [x.name for x in result.level1] == ["投入管理指标", "产出指标", "效益指标"]


def test_execution(result):
    assert result.execution_score == D("9.45")


def test_level1_scores(result):
    by = {x.name: x for x in result.level1}
    assert (by["投入管理指标"].weight, by["投入管理指标"].score, by["投入管理指标"].self_score) == (
        D("40"),
        D("39.99"),
        D("39.89"),
    )
    assert by["产出指标"].score == D("30") and by["产出指标"].weight == D("30")
    assert by["效益指标"].score == D("20") and by["效益指标"].weight == D("20")


def test_level2_of_input_management(result):
    by = {(x.level1, x.name): x for x in result.level2}
    assert by[("投入管理指标", "工作目标管理")].weight == D("8")
    assert by[("投入管理指标", "预算和财务管理")].weight == D("26")
    assert by[("投入管理指标", "预算和财务管理")].score == D("25.99")
    assert by[("投入管理指标", "绩效管理")].weight == D("6")


def test_totals_and_grades(result):
    assert result.total == D("99.44")
    assert result.self_total == D("99.34")
    assert result.grade == "优" and result.self_grade == "优"
    # the published 99.34 / 优 agree with what the self scores add up to
    assert not find(result, "self_total.mismatch") and not find(result, "self_grade.mismatch")
    assert find(result, "total.differs", "total")


def test_s4_execution_row_scored_by_the_stated_rule(result):
    row = result.rows[14]
    assert row.level3 == "预算执行率"
    assert (row.score, row.self_score) == (D("1.99"), D("1.89"))
    assert row.explanation == "94.5% 未达到 ≥95%，按完成值与指标值之比计分：94.5 ÷ 95 × 2 = 1.99"
    [f] = find(result, "score.differs", "indicators[14]")
    assert f.severity == "warning" and "1.89" in f.message and "1.99" in f.message
    assert not find(result, "reason.missing")


def test_s5_execution_scored_twice(result):
    [f] = find(result, "template.duplicate_measure")
    assert f.where == "indicators[14]" and f.severity == "warning"


def test_s6_unit_column(result):
    for i in (18, 19, 20):
        assert find(result, "unit.suspicious", f"indicators[{i}]")
        assert find(result, "target.ambiguous", f"indicators[{i}]")
        assert result.rows[i].score == D("2")
    assert len(find(result, "unit.suspicious")) == 3


def test_s7_printed_rate_from_unrounded_amounts(result):
    [f] = find(result, "rate.printed_differs", "tasks[2]")
    assert "59.93%" in f.message and "60.00%" in f.message


def test_s8_over_execution_and_two_printed_rates(result):
    [f] = find(result, "rate.printed_differs", "budget.basic")
    assert "100.66%" in f.message and "100.65%" in f.message
    [f] = find(result, "rate.printed_differs", "tasks[0]")
    assert "100%" in f.message and "100.65%" in f.message
    [f] = find(result, "budget.over_executed", "budget.basic")
    assert f.severity == "warning"


def test_s9_total_rate_printed_with_a_padded_place(result):
    [f] = find(result, "rate.printed_differs", "budget.total")
    assert "94.50%" in f.message and "94.47%" in f.message


def test_s10_weight_moved_and_stated(result):
    [f] = find(result, "template.weight_moved", "template.可持续性指标")
    assert f.severity == "info"
    assert "30→40" in f.message


def test_s10_unstated_without_the_narrative():
    [f] = find(score_report(seed_report(narrative=())), "template.weight_moved")
    assert f.severity == "warning"


def test_s11_actuals_with_operators(result):
    [f] = find(result, "actual.not_measured", "indicators[23]")
    assert f.severity == "error" and "≥80%" in f.message
    assert result.rows[23].score == D("10")
    for i in (14, 18, 19, 20):
        assert find(result, "actual.operator", f"indicators[{i}]")


def test_seed_sums_that_pass(result):
    assert not find(result, "budget.sum_mismatch")
    assert not find(result, "template.weights")
    assert not find(result, "template.execution_weight")


def test_every_row_explained(result):
    assert all(row.explanation for row in result.rows)
    assert result.rows[21].explanation == "41 个 达到 ≥41 个，得满分 30"
    assert result.rows[0].explanation == "达成年度指标（80%–100%），自评 1 分在区间 0.80–1.00 内"


def test_computed_mode_gives_the_rule_total_as_the_department_total():
    r = score_report(seed_report(rules=RuleSet(quantitative_scores="computed")))
    assert r.total == D("99.44") and r.self_total == D("99.44")
    [f] = find(r, "score.differs", "indicators[14]")
    assert f.severity == "info"
    assert find(r, "self_total.mismatch", "total")  # the published 99.34
