"""Template checks: weights, the fixed 预算执行率, moved weights, measures scored twice."""

from dataclasses import replace
from decimal import Decimal as D

from indicators.engine import Level1Node, RuleSet, score_report, template_findings
from tests.engine.helpers import budget, find, full_template, qual, quant, report
from tests.engine.seed import LEVEL1, indicator_rows, seed_report


def test_seed_template_alone_for_the_admin():
    fs = template_findings(LEVEL1, indicator_rows(), D("10"))
    assert not [f for f in fs if f.code == "template.weights"]
    [moved] = [f for f in fs if f.code == "template.weight_moved"]
    assert moved.where == "template.可持续性指标"
    assert moved.severity == "info" and "须予说明" in moved.message
    [dup] = [f for f in fs if f.code == "template.duplicate_measure"]
    assert dup.where == "indicators[14]"


def test_weight_move_stated_in_the_narrative():
    r = score_report(seed_report())
    [f] = find(r, "template.weight_moved")
    assert f.severity == "info"
    assert f.message == "可持续性指标（原 10 分）未设置，其分值已移至投入管理指标（30→40 分），报告中已说明"


def test_weight_move_not_stated():
    r = score_report(seed_report(narrative=()))
    [f] = find(r, "template.weight_moved", "template.可持续性指标")
    assert f.severity == "warning" and "未见说明" in f.message


def test_weight_move_stated_in_a_note():
    r = score_report(seed_report(narrative=(), weight_note="可持续性指标不涉及，其 10 分并入投入管理指标"))
    [f] = find(r, "template.weight_moved")
    assert f.severity == "info"


def test_changed_weight_without_a_dropped_indicator():
    rows = (qual(level1="产出指标", level3="a", weight="35"), qual(level1="效益指标", level3="b", weight="55"))
    nodes = (Level1Node("产出指标", D("35"), standard_weight=D("30")), Level1Node("效益指标", D("55"), D("60")))
    fs = template_findings(nodes, rows, D("10"), weight_note="")
    moved = [f for f in fs if f.code == "template.weight_moved"]
    assert {f.where for f in moved} == {"template.产出指标", "template.效益指标"}
    assert all(f.severity == "warning" for f in moved)


def test_children_must_add_up_to_the_level1_weight():
    rows = (qual(level1="产出指标", weight="39", self_score="39"), qual(level1="效益指标", weight="50"))
    nodes = (Level1Node("产出指标", D("40")), Level1Node("效益指标", D("50")))
    fs = template_findings(nodes, rows, D("10"))
    [f] = [f for f in fs if f.code == "template.weights"]
    assert f.where == "template.产出指标" and "40" in f.message and "39" in f.message


def test_level1_weights_must_add_up_to_100():
    rows = (qual(level1="产出指标", weight="80", self_score="80"),)
    fs = template_findings(full_template(*rows), rows, D("10"))
    [f] = [f for f in fs if f.code == "template.weights"]
    assert f.where == "template" and "90" in f.message
    assert f.severity == "error"


def test_undeclared_level1_taken_from_rows():
    rows = (qual(level1="产出指标", level3="a", weight="50"), qual(level1="效益指标", level3="b", weight="40"))
    assert template_findings((), rows, D("10")) == []
    fs = template_findings((), rows[:1], D("10"))
    assert [f.where for f in fs if f.code == "template.weights"] == ["template"]


def test_unknown_level1_in_rows():
    rows = (qual(level1="产出指标", weight="90"), qual(level1="其他", level3="y", weight="0"))
    fs = template_findings((Level1Node("产出指标", D("90")),), rows, D("10"))
    assert [f.where for f in fs if f.code == "template.unknown_level1"] == ["indicators[1]"]


def test_execution_weight_is_fixed():
    rows = (qual(level1="产出指标", weight="85"),)
    fs = template_findings(full_template(*rows), rows, D("15"))
    assert [f.code for f in fs] == ["template.execution_weight"]
    fs = template_findings(full_template(*rows), rows, D("15"), rules=RuleSet(fixed_execution_weight=None))
    assert fs == []


def test_duplicate_measure_only_when_execution_is_scored():
    rows = (quant(level3="预算执行率", weight="90", target="95", actual="96"),)
    fs = template_findings(full_template(*rows), rows, D("10"))
    assert [f.code for f in fs] == ["template.duplicate_measure"]
    r = score_report(report(*rows, budget=budget(weight="0"), rules=RuleSet(fixed_execution_weight=None)))
    assert not find(r, "template.duplicate_measure")


def test_duplicate_level3_names():
    rows = (qual(level3="决算真实性", weight="45"), qual(level3="决算 真实性", weight="45"))
    fs = template_findings(full_template(*rows), rows, D("10"))
    [f] = [f for f in fs if f.code == "template.duplicate_name"]
    assert f.where == "indicators[1]" and "indicators[0]" in f.message


def test_dropped_level1_still_holding_rows():
    rows = (qual(level1="可持续性指标", weight="10"), qual(level1="产出指标", weight="80"))
    nodes = (Level1Node("可持续性指标", None, D("10"), applicable=False), Level1Node("产出指标", D("80"), D("80")))
    fs = template_findings(nodes, rows, D("10"))
    assert any(f.code == "template.weights" and f.where == "template.可持续性指标" for f in fs)


def test_template_findings_never_raise_on_garbage():
    nodes = (Level1Node(None, "x"), "junk", Level1Node("a", D("NaN")))  # type: ignore[arg-type]
    rows = (replace(qual(), weight=D("Infinity")), "junk", None)
    fs = template_findings(nodes, rows, "zz")
    assert isinstance(fs, list)
    assert template_findings(None, None, None) is not None  # type: ignore[arg-type]
