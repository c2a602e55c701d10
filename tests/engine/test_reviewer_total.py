"""engine.reviewer_total: the reviewer's row scores where given, the rule's elsewhere."""

from decimal import Decimal as D

from indicators.engine import Level1Node, RuleSet, reviewer_total, score_report
from tests.engine.helpers import budget, quant, report


def _rows():
    # 产出 50: a 40-point row scoring 80/100 × 40 = 32 and a 10-point row; 效益 30: full.
    return (
        quant(level1="产出", target="100", actual="80", weight="40", reason="原因", level3="a"),
        quant(level1="产出", target="1", actual="1", weight="10", level3="b"),
        quant(level1="效益", target="1", actual="1", weight="30", level3="c"),
    )


NODES = (Level1Node("产出", D("50")), Level1Node("效益", D("30")))


def test_without_reviewer_scores_it_is_the_rule_total():
    data = report(*_rows(), level1=NODES, rules=RuleSet(fixed_execution_weight=None))
    result = score_report(data)
    total, grade, explanation = reviewer_total(data, result, (None, None, None))
    assert result.total == D("82.00")
    assert (total, grade) == (result.total, result.grade) == (D("82.00"), "良")
    assert "0 项采用审核得分" in explanation


def test_reviewer_scores_replace_the_rule_scores_row_by_row():
    data = report(*_rows(), level1=NODES, rules=RuleSet(fixed_execution_weight=None))
    result = score_report(data)
    # a: 32 → 39.5; b: 10 → 2; c keeps its rule score 30; 预算执行率 keeps 10.
    total, grade, explanation = reviewer_total(data, result, (D("39.5"), D("2"), None))
    assert total == D("81.50")
    assert grade == "良"
    assert "2 项采用审核得分" in explanation


def test_rescaled_total_rounds_half_up():
    rows = list(_rows())
    rows[1] = quant(level1="产出", target="1", actual="1", weight="10", level3="b", applicable=False)
    data = report(*rows, level1=NODES, rules=RuleSet(not_applicable="rescale", fixed_execution_weight=None))
    result = score_report(data)
    # 10 + 38.34 + 30 = 78.34 of 80 applicable points → 97.925 → 97.93 (half up, not half even).
    total, grade, _ = reviewer_total(data, result, (D("38.34"), D("5"), None))
    assert total == D("97.93")
    assert grade == "优"


def test_cap_by_execution_applies_as_to_the_rule_total():
    rules = RuleSet(fixed_execution_weight=None, total_caps_by_execution=((D("80"), D("79")),))
    data = report(*_rows(), level1=NODES, rules=rules, budget=budget(executed="70"))
    result = score_report(data)
    total, grade, _ = reviewer_total(data, result, (D("40"), None, None))
    assert total == D("79")
    assert grade == "中"
