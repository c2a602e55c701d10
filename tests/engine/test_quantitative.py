"""Quantitative rows: ≥ / = / ≤, both reverse formulas, A = 0, negatives, over-achievement,
actuals that are not measurements, self-checked versus computed scores, reasons."""

from decimal import Decimal as D

import pytest

from indicators.engine.findings import CATALOGUE
from tests.engine.helpers import codes, quant, score_row


def test_seed_row_ratio_and_explanation():
    r, fs = score_row(quant(target="95", actual="94.5", unit="%", target_text="≥95%", self_score="1.99", reason="x"))
    assert r.score == D("1.99")
    assert r.explanation == "94.5% 未达到 ≥95%，按完成值与指标值之比计分：94.5 ÷ 95 × 2 = 1.99"
    assert "short" in r.flags
    assert fs == []


def test_met_explanation_with_a_unit():
    r, _ = score_row(quant(target="41", actual="41", weight="30", unit="个", self_score="30"))
    assert r.score == D("30.00")
    assert r.explanation == "41 个 达到 ≥41 个，得满分 30"


@pytest.mark.parametrize(
    ("sign", "target", "actual", "expected"),
    [
        (">=", "95", "96", "2.00"),
        (">=", "95", "95", "2.00"),
        (">=", "16", "9", "1.13"),  # 9/16 × 2 = 1.125 -> half up
        (">=", "95", "0", "0.00"),
        (">=", "10", "-1", "0.00"),  # negative actual: floored at 0
        (">=", "0", "5", "2.00"),  # A = 0 under ≥: any B ≥ 0 is full
        (">=", "0", "0", "2.00"),
        (">=", "0", "-1", "0.00"),
        (">=", "-10", "-15", "1.00"),  # negative target: 1 − 5/10
        (">=", "-10", "-25", "0.00"),
        (">=", "-10", "-5", "2.00"),
        ("=", "100", "100", "2.00"),
        ("=", "100", "120", "2.00"),  # "=" scores as ≥
        ("=", "100", "50", "1.00"),
        ("=", "0", "0", "2.00"),  # A = 0 under =: full only if B = 0
        ("=", "0", "1", "0.00"),
        ("=", "0", "-1", "0.00"),
        ("<=", "5", "3", "2.00"),
        ("<=", "5", "5", "2.00"),
        ("<=", "5", "0", "2.00"),  # B = 0 on ≤
        ("<=", "5", "7", "1.20"),  # linear: (1 − 2/5) × 2
        ("<=", "5", "10", "0.00"),  # B = 2A
        ("<=", "5", "12", "0.00"),  # B > 2A
        ("<=", "0", "0", "2.00"),
        ("<=", "0", "1", "0.00"),
        ("<=", "-10", "-5", "1.00"),  # negative target, by |A|
        ("<=", "5", "-3", "2.00"),
    ],
)
def test_rule_scores(sign, target, actual, expected):
    r, _ = score_row(quant(sign=sign, target=target, actual=actual, reason="原因"))
    assert r.score == D(expected)
    assert r.explanation


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [("5", "7", "1.43"), ("5", "10", "1.00"), ("5", "3", "2.00"), ("0", "3", "0.00"), ("-10", "-5", "1.00")],
)
def test_reverse_ratio_formula(target, actual, expected):
    r, _ = score_row(quant(sign="<=", target=target, actual=actual, reason="原因"), reverse_formula="ratio")
    assert r.score == D(expected)


def test_reverse_explanations():
    r, _ = score_row(quant(sign="<=", target="5", actual="7", unit="天", reason="x"))
    assert r.explanation == "7 天 超过 ≤5 天，按超出比例扣分：(1 − (7 − 5) ÷ 5) × 2 = 1.2"
    r, _ = score_row(quant(sign="<=", target="5", actual="12", unit="天", reason="x"))
    assert "得 0 分" in r.explanation
    r, _ = score_row(quant(sign="<=", target="5", actual="7", unit="天", reason="x"), reverse_formula="ratio")
    assert r.explanation == "7 天 超过 ≤5 天，按指标值与完成值之比计分：5 ÷ 7 × 2 = 1.43"


def test_zero_target_explanations():
    r, _ = score_row(quant(sign=">=", target="0", actual="3"))
    assert "不低于 0" in r.explanation
    r, _ = score_row(quant(sign="=", target="0", actual="3", reason="x"))
    assert "不等于 0" in r.explanation


OVER = {"overachievement_ratio": D("1.2")}


def test_overachievement_flagged_and_needs_a_reason():
    r, fs = score_row(quant(target="100", actual="120", weight="10", self_score="10"), **OVER)
    assert "overachieved" in r.flags
    assert r.score == D("10.00")
    assert {"overachieved", "overachieved.unexplained"} <= codes(fs)
    sev = {f.code: f.severity for f in fs}
    assert sev["overachieved"] == "warning" and sev["overachieved.unexplained"] == "error"


def test_overachievement_with_reason():
    _, fs = score_row(quant(target="100", actual="130", weight="10", self_score="10", reason="新增任务"), **OVER)
    assert codes(fs) == {"overachieved"}


def test_just_below_the_overachievement_ratio():
    r, fs = score_row(quant(target="100", actual="119.99", weight="10", self_score="10"), **OVER)
    assert "overachieved" not in r.flags and fs == []


def test_overachievement_deduction_floored():
    rules = {"overachievement_ratio": D("1.2"), "overachievement_deduction": D("2")}
    r, _ = score_row(quant(target="100", actual="150", weight="10", reason="x"), **rules)
    assert r.score == D("8.00")
    assert "扣 2 分" in r.explanation
    r, _ = score_row(quant(target="100", actual="150", weight="1", reason="x"), **rules)
    assert r.score == D("0.00")


def test_overachievement_ignores_zero_targets_and_reverse_rows():
    r, _ = score_row(quant(target="0", actual="5"), **OVER)
    assert "overachieved" not in r.flags
    r, _ = score_row(quant(sign="<=", target="10", actual="1"), **OVER)
    assert "overachieved" not in r.flags


def test_actual_not_measured_is_scored_by_self_score():
    r, fs = score_row(quant(actual=None, actual_text="≥80%", target="80", weight="10", self_score="10"))
    assert r.score == D("10.00")
    assert {"not_measured", "self_scored"} <= set(r.flags)
    [f] = [f for f in fs if f.code == "actual.not_measured"]
    assert f.severity == "error" and "≥80%" in f.message


def test_actual_in_words():
    r, fs = score_row(quant(actual=None, actual_text="完成", self_score="1.5", reason="x"))
    assert r.score == D("1.50")
    assert "actual.not_measured" in codes(fs)


def test_self_score_is_clamped_when_it_stands_in():
    r, fs = score_row(quant(actual=None, actual_text="完成", self_score="5"))
    assert r.score == D("2.00")
    assert "score.over_weight" in codes(fs)


def test_actual_blank_versus_zero():
    r, fs = score_row(quant(actual=None, self_score=None))
    assert r.score is None
    assert "actual.missing" in codes(fs)
    r, fs = score_row(quant(actual="0", self_score="0", reason="未开展"))
    assert r.score == D("0.00")
    assert "actual.missing" not in codes(fs)


def test_actual_with_operator_and_number_is_scored_with_a_warning():
    r, fs = score_row(quant(actual=None, actual_text="=94.5%", target="95", self_score="1.99", reason="x"))
    assert r.score == D("1.99")
    [f] = [f for f in fs if f.code == "actual.operator"]
    assert f.severity == "warning"


def test_target_from_text_and_sign_from_text():
    r, fs = score_row(quant(sign=None, target=None, target_text="≤5天", actual="7", reason="x"))
    assert r.score == D("1.20")
    assert "sign.unknown" not in codes(fs)


def test_unknown_sign_defaults_to_ge_with_a_warning():
    r, fs = score_row(quant(sign="~", target="95", actual="94.5", reason="x"))
    assert r.score == D("1.99")
    assert "sign.unknown" in codes(fs)


def test_target_missing():
    r, fs = score_row(quant(target=None, self_score="2"))
    assert r.score == D("2.00")
    assert "target.missing" in codes(fs)


def test_self_checked_difference_is_a_warning_quoting_both():
    r, fs = score_row(quant(self_score="1.89", reason="x"))
    assert r.self_score == D("1.89") and r.score == D("1.99")
    [f] = [f for f in fs if f.code == "score.differs"]
    assert f.severity == "warning"
    assert "1.89" in f.message and "1.99" in f.message and "94.5 ÷ 95 × 2" in f.message


def test_difference_within_tolerance_is_quiet():
    _, fs = score_row(quant(self_score="1.98", reason="x"))
    assert "score.differs" not in codes(fs)
    _, fs = score_row(quant(self_score="1.98", reason="x"), tolerance=D("0"))
    assert "score.differs" in codes(fs)


def test_computed_mode_replaces_the_self_score():
    r, fs = score_row(quant(self_score="1.89", reason="x"), quantitative_scores="computed")
    assert r.score == D("1.99") and r.self_score == D("1.99")
    [f] = [f for f in fs if f.code == "score.differs"]
    assert f.severity == "info"


def test_reason_required_below_the_weight():
    _, fs = score_row(quant(self_score="1.99"))
    [f] = [f for f in fs if f.code == "reason.missing"]
    assert f.severity == "error" and "测试指标" in f.message
    _, fs = score_row(quant(self_score="1.99", reason="  无 "))
    assert "reason.missing" in codes(fs)
    _, fs = score_row(quant(self_score="1.99", reason="资金紧张"))
    assert "reason.missing" not in codes(fs)


def test_self_score_above_weight_and_negative():
    _, fs = score_row(quant(target="95", actual="96", self_score="3"))
    assert "score.over_weight" in codes(fs)
    _, fs = score_row(quant(target="95", actual="96", self_score="-1", reason="x"))
    assert "score.negative" in codes(fs)


def test_weight_missing_and_negative():
    r, fs = score_row(quant(weight=None))
    assert r.score is None and "weight.missing" in codes(fs)
    r, fs = score_row(quant(weight="-2"))
    assert r.score is None and "weight.invalid" in codes(fs)


def test_zero_weight_row():
    r, _ = score_row(quant(weight="0", self_score="0"))
    assert r.score == D("0.00")


def test_suspicious_unit_and_ambiguous_target():
    row = quant(
        sign="=", target="100", target_text="=100%", unit="≥95%", actual="100", actual_text="=100%", self_score="2"
    )
    r, fs = score_row(row)
    assert r.score == D("2.00")
    assert {"unit.suspicious", "target.ambiguous", "actual.operator"} <= codes(fs)
    assert r.explanation == "100% 达到 =100%，得满分 2"


def test_target_text_disagreeing_with_sign():
    _, fs = score_row(quant(sign="<=", target="5", target_text="≥5", actual="3"))
    assert "target.text_differs" in codes(fs)


def test_every_emitted_code_is_catalogued():
    _, fs = score_row(quant(actual=None, actual_text="≥80%", self_score="9", weight="2"))
    for f in fs:
        assert f.code in CATALOGUE
