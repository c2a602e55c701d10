"""The issue's execution bands for total caps, and "=" with target 0 (full only at 0)."""

from decimal import Decimal as D

import pytest

from indicators.engine import RuleSet, score_report
from tests.engine.helpers import budget, codes, find, qual, quant, report, score_row

# (rate in percent below which, highest total): 70–80% -> ≤ 89, 60–70% -> ≤ 79, < 60% -> ≤ 69, < 50% -> ≤ 59
BANDS = ((D("80"), D("89")), (D("70"), D("79")), (D("60"), D("69")), (D("50"), D("59")))


def _run(executed, caps=BANDS):
    # 90 points of rows all full, so the total is 90 + the execution score and any cap shows.
    return score_report(
        report(
            qual(weight="90", self_score="90"),
            rules=RuleSet(total_caps_by_execution=caps),
            budget=budget(annual="100", executed=executed, self_score=None),
        )
    )


@pytest.mark.parametrize(
    ("executed", "total"),
    [
        ("100", "100.00"),
        ("80.00", "98.00"),  # at 80: no cap
        ("79.99", "89"),
        ("70.00", "89"),
        ("69.99", "79"),
        ("60", "79"),
        ("59.99", "69"),
        ("50", "69"),
        ("49.99", "59"),
        ("0", "59"),
    ],
)
def test_bands(executed, total):
    r = _run(executed)
    assert r.total == D(total)
    assert bool(find(r, "total.capped")) is (D(total) < 90 + D(executed) / 10)


def test_lowest_applicable_cap_wins_whatever_the_order():
    r = _run("49.99", caps=tuple(reversed(BANDS)))
    assert r.total == D("59")
    assert "低于 50%" in r.total_explanation


def test_just_below_the_band_by_less_than_a_printed_cent():
    # 79.999% prints as 80.00% but is below 80: the cap applies to the exact rate
    r = _run("79.999")
    assert r.total == D("89")


def test_cap_not_reached_is_explained_not_applied():
    r = score_report(
        report(
            qual(tier="partial", weight="90", self_score="60", reason="原因"),
            rules=RuleSet(total_caps_by_execution=BANDS),
            budget=budget(annual="100", executed="75"),
        )
    )
    assert r.total == D("67.50")
    assert "总分上限 89 分（未超过）" in r.total_explanation
    assert not find(r, "total.capped")


def test_self_total_capped_too():
    r = score_report(
        report(
            qual(weight="90", self_score="90"),
            rules=RuleSet(total_caps_by_execution=BANDS),
            budget=budget(annual="100", executed="65", self_score="6.5"),
        )
    )
    assert r.total == r.self_total == D("79")
    assert "total.differs" not in codes(r.findings)


# ----------------------------------------------------------------------------- "=" with target 0


def test_equals_zero_full_only_at_zero():
    r, fs = score_row(quant(sign="=", target="0", actual="0", weight="4", self_score="4"))
    assert r.score == D("4.00") and fs == []
    r, fs = score_row(quant(sign="=", target="0", actual="0.0001", weight="4", self_score="0", reason="发生1起"))
    assert r.score == D("0.00") and "short" in r.flags
    assert "不等于 0" in r.explanation
    r, fs = score_row(quant(sign="=", target="0", actual="0.0001", weight="4", self_score="4"))
    assert find(fs, "score.differs")


def test_equals_zero_negative_actual_is_not_zero():
    r, _ = score_row(quant(sign="=", target="0", actual="-0.0001", weight="4", reason="x"))
    assert r.score == D("0.00")


def test_equals_zero_blank_actual_is_not_zero():
    r, fs = score_row(quant(sign="=", target="0", actual=None, weight="4", self_score="4"))
    assert "actual.missing" in codes(fs)
    assert "self_scored" in r.flags and r.score == D("4.00")
    r, fs = score_row(quant(sign="=", target="0", actual=None, weight="4", self_score=None))
    assert r.score is None and "not_scored" in r.flags


def test_greater_or_equal_zero_is_full_for_any_non_negative():
    r, _ = score_row(quant(sign=">=", target="0", actual="0.0001", weight="4"))
    assert r.score == D("4.00")
