"""Rule option not_applicable="rescale" (按百分制折算): dropped rows, the rest counted as 100."""

from decimal import Decimal as D

from indicators.engine import IndicatorRow, Level1Node, RuleSet, score_report, template_findings
from tests.engine.helpers import budget, codes, find, quant, report

RESCALE = RuleSet(not_applicable="rescale")


def _rows(actual="80", dropped=True):
    # 产出 50: a 40-point row scoring actual/100 × 40 and a 10-point row (not applicable when dropped);
    # 效益 40: a 40-point row scoring full.
    return (
        quant(level1="产出", target="100", actual=actual, weight="40", self_score=None, reason="原因", level3="a"),
        quant(level1="产出", target="1", actual="1", weight="10", level3="b", applicable=not dropped),
        quant(level1="效益", target="1", actual="1", weight="40", level3="c"),
    )


NODES = (Level1Node("产出", D("50")), Level1Node("效益", D("40")))


def test_rescaled_total_and_its_arithmetic():
    res = score_report(report(*_rows(), rules=RESCALE, level1=NODES, budget=budget(self_score="10")))
    # 10 + 32 + 40 = 82 of 90 applicable points -> 82 × 100 / 90 = 91.111… -> 91.11
    assert res.total == D("91.11")
    assert res.grade == "优"
    assert "按百分制折算：82.00 ÷ 90 × 100 = 91.11" in res.total_explanation
    assert "template.weights" not in codes(res.findings)
    assert find(res, "total.rescaled")[0].severity == "info"
    # the level-1 results stay unscaled: totals of what was scored
    assert {r.name: r.score for r in res.level1} == {"产出": D("32.00"), "效益": D("40.00")}


def test_self_total_rescaled_alike():
    rows = list(_rows())
    rows[0] = quant(level1="产出", target="100", actual="80", weight="40", self_score="32", reason="原因", level3="a")
    rows[2] = quant(level1="效益", target="1", actual="1", weight="40", self_score="40", level3="c")
    res = score_report(report(*rows, rules=RESCALE, level1=NODES, budget=budget(self_score="10")))
    assert res.self_total == res.total == D("91.11")
    assert "total.differs" not in codes(res.findings)


def test_move_is_the_default_and_unchanged():
    res = score_report(report(*_rows(), level1=NODES, budget=budget(self_score="10")))
    assert res.total == D("82.00")
    assert "按百分制折算" not in res.total_explanation
    # under "move" the 10 missing points are a template error (the weight was not moved)
    assert "template.weights" in codes(res.findings)


def test_nothing_dropped_is_unchanged():
    rows = _rows(dropped=False)
    nodes = (Level1Node("产出", D("50")), Level1Node("效益", D("40")))
    res = score_report(report(*rows, rules=RESCALE, level1=nodes))
    plain = score_report(report(*rows, level1=nodes))
    assert res.total == plain.total == D("92.00")
    assert res.total_explanation == plain.total_explanation
    assert not find(res, "total.rescaled")


def test_dropped_level1_node():
    rows = (quant(level1="产出", target="100", actual="80", weight="60", reason="原因"),)
    nodes = (Level1Node("产出", D("60")), Level1Node("满意度", D("30"), applicable=False))
    res = score_report(report(*rows, rules=RESCALE, level1=nodes))
    # 10 + 48 = 58 of 70 -> 82.857… -> 82.86
    assert res.total == D("82.86")
    assert "58.00 ÷ 70 × 100 = 82.86" in res.total_explanation
    assert "template.weights" not in codes(res.findings)
    assert "template.weight_moved" not in codes(res.findings)


def test_rounding_half_up_once():
    # 10 + 62.02 = 72.02 of 80 -> 90.025 exactly -> 90.03 (half up, not half even)
    rows = (
        quant(level1="产出", target="100", actual="88.6", weight="70", reason="原因", level3="a"),
        quant(level1="产出", target="1", actual="1", weight="20", level3="b", applicable=False),
    )
    res = score_report(report(*rows, rules=RESCALE))
    assert res.rows[0].score == D("62.02")
    assert res.total == D("90.03")


def test_all_dropped_no_division_by_zero():
    rows = (quant(target="1", actual="1", weight="90", applicable=False),)
    rules = RuleSet(not_applicable="rescale", fixed_execution_weight=None)
    res = score_report(report(*rows, rules=rules, budget=budget(weight="0")))
    assert res.total == D("0")
    assert find(res, "total.rescale_empty")[0].severity == "error"
    assert "engine.internal" not in codes(res.findings)


def test_only_execution_left():
    rows = (quant(target="1", actual="1", weight="90", applicable=False),)
    res = score_report(report(*rows, rules=RESCALE, budget=budget(annual="100", executed="90")))
    # 9 of 10 -> 90
    assert res.total == D("90.00")


def test_rescale_before_the_cap():
    rules = RuleSet(not_applicable="rescale", total_caps_by_execution=((D("80"), D("89")),))
    rows = (
        quant(level1="产出", target="1", actual="1", weight="80", level3="a"),
        quant(level1="产出", target="1", actual="1", weight="10", level3="b", applicable=False),
    )
    res = score_report(report(*rows, rules=rules, budget=budget(annual="100", executed="79")))
    # 7.9 + 80 = 87.9 of 90 -> 97.67, capped at 89
    assert res.total == D("89")
    assert "87.90 ÷ 90 × 100 = 97.67" in res.total_explanation


def test_template_findings_under_rescale():
    rows = (
        IndicatorRow("产出", "数量", "a", weight=D("80")),
        IndicatorRow("产出", "数量", "b", weight=D("10"), applicable=False),
    )
    nodes = (Level1Node("产出", D("90")),)
    assert template_findings(nodes, rows, D("10"), rules=RESCALE) == []
    assert "template.weights" in codes(template_findings(nodes, rows, D("10")))


def test_invalid_option_is_a_rules_finding():
    res = score_report(report(*_rows(), rules=RuleSet(not_applicable="drop")))
    assert find(res, "rules.invalid")


def test_flat_list_rescaled():
    # 10 + a flat list of 90 with one 30-point row not applicable
    rows = (
        quant(level1="", level2="", level3="a", target="100", actual="50", weight="60", reason="原因"),
        quant(level1="", level2="", level3="b", target="1", actual="1", weight="30", applicable=False),
    )
    res = score_report(report(*rows, rules=RESCALE))
    # 10 + 30 = 40 of 70 -> 57.142… -> 57.14
    assert res.total == D("57.14")
    assert "template.weights" not in codes(res.findings)


def test_dropped_node_with_applicable_rows_is_an_error():
    rows = (quant(level1="满意度", target="1", actual="1", weight="10"),)
    nodes = (Level1Node("满意度", D("10"), applicable=False),)
    res = score_report(report(*rows, rules=RESCALE, level1=nodes))
    assert any("不适用，但其下三级指标合计 10 分" in f.message for f in find(res, "template.weights"))
