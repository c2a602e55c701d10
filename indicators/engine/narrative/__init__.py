"""Narrative-against-table checks: figures the 自评报告 repeats must equal the data.

The narrative is free text typed (or pasted from a PDF) by the department, so
every check here is a heuristic tuned to stay quiet: a figure is judged only
when the text says what it is (unit 万元/元, the words 执行率 / 得分 / 分值 /
自评结果, or a counted phrase that the table's texts also contain). Anything
unclear is skipped rather than reported. Nothing in here may raise on any text.

Modules: text (normalising and scanning), table (what the text is compared with), one module
per kind of check (units, rates, counts, scores, grades) and codes.
"""

from __future__ import annotations

from indicators.engine.narrative.checker import _Checker
from indicators.engine.narrative.codes import (
    AMOUNT_UNKNOWN,
    CODES,
    COUNT_DIFFERS,
    GRADE_DIFFERS,
    RATE_DIFFERS,
    SCORE_DIFFERS,
    UNIT_WAN,
    UNIT_YUAN,
    WEIGHT_DIFFERS,
)
from indicators.engine.narrative.counts import check_counts
from indicators.engine.narrative.grades import _may_name_grade, check_grades
from indicators.engine.narrative.rates import check_rates
from indicators.engine.narrative.scores import check_scores, check_weights
from indicators.engine.narrative.table import _Table
from indicators.engine.narrative.text import _prepare, _Section
from indicators.engine.narrative.units import check_amounts
from indicators.engine.narrative.values import _of
from indicators.engine.types import Finding, ReportInput, ReportResult

__all__ = [
    "AMOUNT_UNKNOWN",
    "CODES",
    "COUNT_DIFFERS",
    "GRADE_DIFFERS",
    "RATE_DIFFERS",
    "SCORE_DIFFERS",
    "UNIT_WAN",
    "UNIT_YUAN",
    "WEIGHT_DIFFERS",
    "narrative_findings",
]


def narrative_findings(report: ReportInput, result: ReportResult) -> list[Finding]:
    """Findings for figures in report.narrative that contradict the table or the scores."""
    sections = []
    for item in _of(getattr(report, "narrative", ()), (tuple, list)):
        if len(item) == 2 and isinstance(item[1], str) and item[1].strip():
            prepared = _prepare(item[1])
            # A section with no figure and no grade word has nothing to check.
            if prepared[2].empty and not _may_name_grade(prepared[0]):
                continue
            sections.append(_Section(str(item[0]), item[1], prepared))
    if not sections:
        return []
    checker = _Checker(_Table(report, result))
    for sec in sections:
        check_amounts(checker, sec)
        check_rates(checker, sec)
        check_counts(checker, sec)
        # Nothing scored (an empty draft): a written score has nothing to contradict.
        if checker.t.scored:
            check_scores(checker, sec)
            check_weights(checker, sec)
            check_grades(checker, sec)
    return checker.out
