"""Subtotals, totals, grades on and a hair under each boundary, published totals and grades."""

from decimal import Decimal as D

import pytest

from indicators.engine import RuleSet, grade_for, score_report
from tests.engine.helpers import budget, find, full_template, qual, quant, report

CUSTOM = (D("80"), D("70"), D("60"))


@pytest.mark.parametrize(
    ("total", "grade", "custom"),
    [
        ("100", "优", "优"),
        ("90", "优", "优"),
        ("89.999", "良", "优"),
        ("89.99", "良", "优"),
        ("89.5", "良", "优"),
        ("80", "良", "优"),
        ("79.99", "中", "良"),
        ("70", "中", "良"),
        ("69.99", "中", "中"),
        ("60", "中", "中"),
        ("59.99", "差", "差"),
        ("0", "差", "差"),
    ],
)
def test_grade_bands_are_half_open(total, grade, custom):
    assert grade_for(D(total)) == grade
    assert grade_for(D(total), CUSTOM) == custom


def _total(actual: str, rules=None):
    # 10 (execution at 100 %) + a 90-point row scoring actual/90 × 90 = actual.
    row = quant(target="90", actual=actual, weight="90", self_score=actual, reason="原因")
    return score_report(report(row, rules=rules, budget=budget(self_score="10"), level1=full_template(row)))


@pytest.mark.parametrize(
    ("actual", "total", "grade"),
    [("80", "90", "优"), ("79.99", "89.99", "良"), ("70", "80", "良"), ("69.99", "79.99", "中"),
     ("50", "60", "中"), ("49.99", "59.99", "差")],
)  # fmt: skip
def test_totals_on_and_under_boundaries(actual, total, grade):
    r = _total(actual)
    assert r.total == D(total) and r.grade == grade
    assert r.self_total == D(total) and r.self_grade == grade


@pytest.mark.parametrize(
    ("actual", "grade"), [("70", "优"), ("69.99", "良"), ("60", "良"), ("59.99", "中"), ("50", "中"), ("49.99", "差")]
)
def test_custom_bands_through_the_report(actual, grade):
    assert _total(actual, RuleSet(grade_bands=CUSTOM)).grade == grade


def test_subtotals_are_sums_of_rounded_rows():
    # each row 1/3 × 1 = 0.333… -> 0.33; the level sums to 0.99, not round(1.00)
    rows = [quant(level3=f"r{i}", target="3", actual="1", weight="1", reason="x") for i in range(3)]
    r = score_report(report(*rows))
    assert [row.score for row in r.rows] == [D("0.33")] * 3
    [l1] = r.level1
    [l2] = r.level2
    assert l1.score == l2.score == D("0.99")
    assert l1.weight == l2.weight == D("3")
    assert r.total == D("10.99")


def test_levels_group_rows_in_table_order():
    rows = [
        qual(level1="投入", level2="a", level3="x1", weight="4", self_score="4"),
        qual(level1="产出", level2="b", level3="x2", weight="3", self_score="3"),
        qual(level1="投入", level2="c", level3="x3", weight="2", self_score="1.5", tier="partial", reason="x"),
    ]
    r = score_report(report(*rows))
    assert [(x.name, x.weight, x.score, x.self_score) for x in r.level1] == [
        ("投入", D("6"), D("5.50"), D("5.5")),
        ("产出", D("3"), D("3.00"), D("3")),
    ]
    assert [(x.level1, x.name) for x in r.level2] == [("投入", "a"), ("产出", "b"), ("投入", "c")]


def test_self_total_counts_missing_self_scores_as_zero():
    rows = [quant(level3="a", target="1", actual="1", weight="5", self_score=None), qual(self_score="3", weight="3")]
    r = score_report(report(*rows, budget=budget(self_score=None)))
    assert r.self_total == D("3")
    assert r.total == D("18.00")


def test_published_total_and_grade_are_checked():
    row = qual(weight="90", self_score="90")
    r = score_report(report(row, budget=budget(self_score="10"), self_total=D("99"), self_grade="良"))
    [f] = find(r, "self_total.mismatch", "total")
    assert "99" in f.message and "100" in f.message
    [g] = find(r, "self_grade.mismatch", "total")
    assert "良" in g.message and "优" in g.message
    r = score_report(report(row, budget=budget(self_score="10"), self_total=D("100"), self_grade="优"))
    assert not find(r, "self_total.mismatch") and not find(r, "self_grade.mismatch")


def test_total_and_grade_differences():
    row = quant(target="100", actual="100", weight="90", self_score="70", reason="x")
    r = score_report(report(row, budget=budget(self_score="10")))
    assert r.total == D("100.00") and r.self_total == D("80")
    assert find(r, "total.differs", "total") and find(r, "grade.differs", "total")


def test_total_explanation_lists_the_parts():
    r = score_report(report(qual(weight="90", self_score="90")))
    assert r.total_explanation == "总分 = 预算执行率 10 + 效益指标 90 = 100"
