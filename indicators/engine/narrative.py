"""Narrative-against-table checks (filled in by the narrative work)."""

from __future__ import annotations

from indicators.engine.types import Finding, ReportInput, ReportResult


def narrative_findings(report: ReportInput, result: ReportResult) -> list[Finding]:
    return []
