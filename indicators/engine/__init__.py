"""The scoring engine: plain Python over Decimals, no Django.

Everything that computes a score lives here; the rest of the project adapts its
data into :class:`ReportInput` and reads :class:`ReportResult` back.
"""

from indicators.engine.numbers import round_half_up
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
    "ReportInput",
    "ReportResult",
    "RowResult",
    "RuleSet",
    "Task",
    "round_half_up",
]
