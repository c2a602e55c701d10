"""Scoring leaves nothing for the cycle collector: a batch of thousands of reports must be
freed by reference counting as it goes, or the collector's walks become part of every score."""

import gc
from dataclasses import replace

import pytest

from indicators.engine import score_report
from tests.engine.seed import seed_report


def _first_amount_only():
    # A lookup that stops at the table's first amount leaves the amount feed half read.
    seed = seed_report()
    annual = seed.budget.row("total").annual
    return replace(seed, narrative=(("4", f"部门预算批复资金 {annual} 万元，执行情况良好。"),))


@pytest.mark.parametrize("make", [seed_report, _first_amount_only], ids=["seed", "first-amount-only"])
def test_scoring_a_report_creates_no_reference_cycles(make):
    reports = [make() for _ in range(3)]
    for report in reports:
        score_report(report)  # warm caches: what they keep is not garbage
    gc.collect()
    gc.disable()
    try:
        results = [score_report(report) for report in reports]
        for result in results:
            for row in result.rows:
                row.explanation  # noqa: B018 (formatting it must not create cycles either)
        del results
        assert gc.collect() == 0
    finally:
        gc.enable()
