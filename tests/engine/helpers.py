"""Small builders for engine tests: one budget, a few rows, the rules under test."""

from __future__ import annotations

from decimal import Decimal as D

from indicators.engine import (
    Budget,
    BudgetRow,
    IndicatorRow,
    Level1Node,
    ReportInput,
    ReportResult,
    RuleSet,
    score_report,
)


def budget(annual="100", executed="100", initial=None, weight="10", self_score=None, rows=()) -> Budget:
    total = BudgetRow(
        "total",
        initial=D(initial) if initial is not None else (D(annual) if annual is not None else None),
        annual=D(annual) if annual is not None else None,
        executed=D(executed) if executed is not None else None,
    )
    return Budget(
        execution_weight=D(weight),
        rows=(total, *rows),
        self_score=D(self_score) if self_score is not None else None,
    )


def quant(sign=">=", target="95", actual="94.5", weight="2", self_score=None, reason="", **kw) -> IndicatorRow:
    return IndicatorRow(
        level1=kw.pop("level1", "产出指标"),
        level2=kw.pop("level2", "数量指标"),
        level3=kw.pop("level3", "测试指标"),
        kind="quantitative",
        sign=sign,
        target=D(target) if target is not None else None,
        actual=D(actual) if actual is not None else None,
        weight=D(weight) if weight is not None else None,
        self_score=D(self_score) if self_score is not None else None,
        reason=reason,
        **kw,
    )


def qual(tier="met", self_score="2", weight="2", reason="", **kw) -> IndicatorRow:
    return IndicatorRow(
        level1=kw.pop("level1", "效益指标"),
        level2=kw.pop("level2", "履职效益"),
        level3=kw.pop("level3", "定性测试"),
        # A qualitative row states what was aimed at and done (a full score with neither is score.no_evidence).
        target_text=kw.pop("target_text", "按时完成"),
        actual_text=kw.pop("actual_text", "已完成"),
        kind="qualitative",
        tier=tier,
        weight=D(weight) if weight is not None else None,
        self_score=D(self_score) if self_score is not None else None,
        reason=reason,
        **kw,
    )


def report(*rows: IndicatorRow, rules: RuleSet | None = None, **kw) -> ReportInput:
    return ReportInput(
        rules=rules or RuleSet(),
        budget=kw.pop("budget", budget()),
        indicators=tuple(rows),
        **kw,
    )


def score_row(row: IndicatorRow, **rules):
    """(RowResult, findings of that row) for one row scored by RuleSet(**rules)."""
    result = score_report(report(row, rules=RuleSet(**rules)))
    return result.rows[0], [f for f in result.findings if f.where == "indicators[0]"]


def codes(findings) -> set[str]:
    return {f.code for f in findings}


def find(result: ReportResult | list, code: str, where: str | None = None):
    items = result.findings if isinstance(result, ReportResult) else result
    return [f for f in items if f.code == code and (where is None or f.where == where)]


def full_template(*rows: IndicatorRow) -> tuple[Level1Node, ...]:
    """Level-1 nodes declared with exactly their rows' weight sums."""
    sums: dict[str, D] = {}
    for r in rows:
        sums[r.level1] = sums.get(r.level1, D(0)) + (r.weight or D(0))
    return tuple(Level1Node(name, w) for name, w in sums.items())
