"""The scoring engine: plain Python over Decimals, no Django.

Everything that computes a score lives here; the rest of the project adapts its
data into :class:`ReportInput` and reads :class:`ReportResult` back.
"""

from indicators.engine.checks import table_findings, template_findings
from indicators.engine.numbers import round_half_up
from indicators.engine.parse import Measure, parse_decimal, parse_measure, signed_target
from indicators.engine.scoring import grade_for, reviewer_total, score_report
from indicators.engine.types import (
    Budget,
    BudgetRow,
    Finding,
    IndicatorRow,
    Level1Node,
    Level1Result,
    Level2Result,
    ReportInput,
    ReportResult,
    RowResult,
    RuleSet,
    Task,
)

__all__ = [
    "Budget",
    "BudgetRow",
    "Finding",
    "IndicatorRow",
    "Level1Node",
    "Level1Result",
    "Level2Result",
    "Measure",
    "ReportInput",
    "ReportResult",
    "RowResult",
    "RuleSet",
    "Task",
    "grade_for",
    "parse_decimal",
    "parse_measure",
    "reviewer_total",
    "round_half_up",
    "score_report",
    "signed_target",
    "table_findings",
    "template_findings",
]
