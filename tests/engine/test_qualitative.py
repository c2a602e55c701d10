"""Qualitative rows: tiers and their ranges, boundaries, inference, out-of-range, not applicable."""

from dataclasses import replace
from decimal import Decimal as D

import pytest

from indicators.engine import score_report
from tests.engine.helpers import codes, qual, quant, report, score_row


@pytest.mark.parametrize(
    ("tier", "self_score", "expected", "in_range"),
    [
        ("met", "2", "2.00", True),
        ("met", "1.6", "1.60", True),  # exactly 80 %
        ("met", "1.59", "1.60", False),  # a hair under: clamped up
        ("met", "2.5", "2.00", False),
        ("partial", "1.59", "1.59", True),
        ("partial", "1.2", "1.20", True),  # exactly 60 %
        ("partial", "1.6", "1.59", False),  # 80 % belongs to met
        ("partial", "1.19", "1.20", False),
        ("unmet", "1.19", "1.19", True),
        ("unmet", "0", "0.00", True),
        ("unmet", "1.2", "1.19", False),
    ],
)
def test_tier_ranges(tier, self_score, expected, in_range):
    r, fs = score_row(qual(tier=tier, self_score=self_score, reason="原因"))
    assert r.score == D(expected)
    assert ("tier.out_of_range" in codes(fs)) is not in_range
    assert r.self_score == D(self_score)


def test_in_range_explanation():
    r, _ = score_row(qual(tier="met", self_score="2"))
    assert r.explanation == "达成年度指标（80%–100%），自评 2 分在区间 1.60–2.00 内"


def test_out_of_range_finding_names_the_range_in_points():
    r, fs = score_row(qual(tier="partial", self_score="2", reason="x"))
    [f] = [f for f in fs if f.code == "tier.out_of_range"]
    assert f.severity == "error"
    assert "1.20–1.60" in f.message and "不含 1.60" in f.message and "定性测试" in f.message
    assert "out_of_range" in r.flags


def test_older_template_tiers():
    r, fs = score_row(qual(tier="partial", self_score="1", reason="x"), qualitative_tiers=(D("80"), D("50")))
    assert r.score == D("1.00") and "tier.out_of_range" not in codes(fs)
    r, fs = score_row(qual(tier="partial", self_score="0.99", reason="x"), qualitative_tiers=(D("80"), D("50")))
    assert "tier.out_of_range" in codes(fs)


def test_tier_inferred_from_the_score():
    r, fs = score_row(qual(tier=None, self_score="1.5", reason="x"))
    assert r.score == D("1.50")
    [f] = [f for f in fs if f.code == "tier.inferred"]
    assert "部分达成" in f.message
    r, _ = score_row(qual(tier=None, self_score="1.6"))
    assert "达成年度指标" in r.explanation


def test_both_missing_is_not_scored():
    r, fs = score_row(qual(tier=None, self_score=None))
    assert r.score is None
    [f] = [f for f in fs if f.code == "score.missing"]
    assert f.severity == "error"


def test_tier_without_score_is_not_scored():
    r, fs = score_row(qual(tier="met", self_score=None))
    assert r.score is None and "score.missing" in codes(fs)


def test_chinese_tier_names_and_unknown_tiers():
    r, fs = score_row(qual(tier="达成", self_score="2"))
    assert r.score == D("2.00") and fs == []
    r, fs = score_row(qual(tier="优秀", self_score="2"))
    assert r.score == D("2.00")
    assert {"tier.unknown", "tier.inferred"} <= codes(fs)


def test_partial_needs_a_reason():
    _, fs = score_row(qual(tier="partial", self_score="1.5"))
    assert "reason.missing" in codes(fs)


def test_not_applicable_rows_are_shown_not_scored():
    na = qual(level3="不适用项", weight=None, self_score=None, applicable=False)
    res = score_report(report(qual(weight="2", self_score="2"), na))
    row = res.rows[1]
    assert row.score is None and "not_applicable" in row.flags and "不适用" in row.explanation
    assert res.level1[0].weight == D("2") and res.level1[0].score == D("2.00")
    assert not [f for f in res.findings if f.where == "indicators[1]"]


def test_unknown_kind_inferred():
    r, fs = score_row(replace(quant(sign=">=", target="95", actual="96"), kind="数量"))
    assert r.score == D("2.00") and "kind.unknown" in codes(fs)
    r, fs = score_row(replace(qual(tier="met", self_score="2"), kind="定性"))
    assert r.score == D("2.00") and fs == []
