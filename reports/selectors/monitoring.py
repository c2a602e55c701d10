"""Mid-year monitoring reads, scoped to the user, and the lights of what they read.

The lights are the engine's (`indicators.engine.monitoring`); this module only adapts a report's
rows, its entry and its budget line into it. Every read has a fixed number of queries: the
round-wide view reads the round's reports, rows, entries and budget lines in one query each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from departments.models import BudgetLine, Department
from departments.selectors import NO_ACCESS, access_for, department_list
from indicators.engine import monitoring as lights
from indicators.engine import parse_measure
from reports.models import MonitoringEntry, MonitoringPoint, MonitoringRow, Report, ReportIndicator
from reports.selectors import report_list

ROW_FIELDS = ("pk", "report_id", "order", "level1", "level2", "level3", "kind", "sign", "target", "target_text")
ROW_FIELDS += ("unit", "applicable")


@dataclass
class RowLight:
    indicator: ReportIndicator
    row: MonitoringRow | None
    light: lights.Light


@dataclass
class ReportMonitoring:
    """One report at a monitoring point: its budget light and each row's."""

    report: Report | None
    department: Department
    entry: MonitoringEntry | None
    budget: lights.Light
    budget_amount: Decimal | None
    rows: list[RowLight] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return lights.counts(r.light.colour for r in self.rows)

    @property
    def worst(self) -> str:
        return lights.worst([self.budget.colour, *(r.light.colour for r in self.rows)])

    @property
    def entered(self) -> bool:
        return self.entry is not None


# ------------------------------------------------------------------ points


def monitoring_point_list(*, user):
    """The points the user may see: the bureau all of them; a department those of rounds it reports in."""
    access = access_for(user)
    points = MonitoringPoint.objects.select_related("round").order_by("-round__year", "round__name", "-as_of")
    if access is NO_ACCESS:
        return points.none()
    if access.is_bureau:
        return points
    return points.filter(round__reports__department__in=access.department_ids).distinct()


def monitoring_point_get(*, user, pk: int) -> MonitoringPoint:
    """The point or 404; with its round and rule set."""
    return get_object_or_404(monitoring_point_list(user=user).select_related("round__rule_set"), pk=pk)


def budget_of(rule_set, line: BudgetLine | None) -> tuple[Decimal | None, str]:
    """The budget execution is measured against, by the rule set's denominator, and its name."""
    if rule_set.execution_denominator == rule_set.Denominator.INITIAL:
        return (line.initial if line else None), "年初预算数"
    return (line.annual if line else None), "全年预算数"


def report_monitoring(
    *,
    point: MonitoringPoint,
    report: Report | None,
    department: Department,
    indicators: list[ReportIndicator],
    entry: MonitoringEntry | None,
    line: BudgetLine | None,
) -> ReportMonitoring:
    """The lights of one report (None: a department of the round without one) at a point."""
    rule_set = point.round.rule_set
    rules = rule_set.to_monitoring()
    budget, label = budget_of(rule_set, line)
    expected = point.expected_progress
    by_indicator = {r.indicator_id: r for r in entry.rows.all()} if entry else {}
    budget_light = lights.budget_light(
        executed=entry.budget_executed if entry else None,
        budget=budget,
        expected=expected,
        rules=rules,
        budget_label=label,
    )
    rows = []
    for indicator in indicators:
        row = by_indicator.get(indicator.pk)
        light = lights.row_light(
            kind=indicator.kind,
            sign=indicator.sign or None,
            target=indicator.target,
            actual=row.actual if row else None,
            expected=expected,
            rules=rules,
            unit=_unit(indicator),
            note=row.note if row else "",
            at_risk=row.at_risk if row else False,
            applicable=indicator.applicable,
        )
        rows.append(RowLight(indicator, row, light))
    return ReportMonitoring(report, department, entry, budget_light, budget, rows)


def _unit(indicator: ReportIndicator) -> str:
    """The row's unit; from its 指标值 when the 度量单位 cell holds a target instead (the seed's "≥95%")."""
    unit = indicator.unit.strip()
    if unit and not any(c.isdigit() or c in "≥≤=<>" for c in unit):
        return unit
    return parse_measure(indicator.target_text).unit


def _entries(point: MonitoringPoint, report_ids):
    return MonitoringEntry.objects.filter(point=point, report_id__in=report_ids).prefetch_related(
        Prefetch("rows", queryset=MonitoringRow.objects.order_by("pk"))
    )


def _total_lines(year: int, department_ids) -> dict[int, BudgetLine]:
    lines = BudgetLine.objects.filter(year=year, row=BudgetLine.Row.TOTAL, department_id__in=department_ids)
    return {line.department_id: line for line in lines}


# ------------------------------------------------------------------ one report


def monitoring_entry_get(*, user, point_pk: int, report_pk: int) -> tuple[MonitoringPoint, ReportMonitoring]:
    """The point and a report at it, for the entry page: another department's report is a 404."""
    point = monitoring_point_get(user=user, pk=point_pk)
    report = get_object_or_404(report_list(user=user).filter(round_id=point.round_id), pk=report_pk)
    indicators = list(ReportIndicator.objects.filter(report=report).order_by("order", "pk"))
    entry = _entries(point, [report.pk]).first()
    line = _total_lines(point.round.year, [report.department_id]).get(report.department_id)
    return point, report_monitoring(
        point=point, report=report, department=report.department, indicators=indicators, entry=entry, line=line
    )


# ------------------------------------------------------------------ the round


def monitoring_overview(*, user, point: MonitoringPoint) -> list[ReportMonitoring]:
    """Every department of the point's round the user may see, worst first: red, yellow, green,
    then those with nothing lit; within a colour by red, then yellow rows, then department code."""
    access = access_for(user)
    if not access.is_bureau:
        raise Http404
    departments = list(department_list(user=user).filter(rounds=point.round_id).order_by("code"))
    reports = {
        r.department_id: r
        for r in report_list(user=user).filter(round_id=point.round_id, department__in=[d.pk for d in departments])
    }
    indicators: dict[int, list[ReportIndicator]] = {pk: [] for pk in (r.pk for r in reports.values())}
    for indicator in (
        ReportIndicator.objects.filter(report_id__in=indicators).only(*ROW_FIELDS).order_by("report", "order", "pk")
    ):
        indicators[indicator.report_id].append(indicator)
    entries = {e.report_id: e for e in _entries(point, list(indicators))}
    lines = _total_lines(point.round.year, [d.pk for d in departments])
    out = []
    for department in departments:
        report = reports.get(department.pk)
        out.append(
            report_monitoring(
                point=point,
                report=report,
                department=department,
                indicators=indicators.get(report.pk, []) if report else [],
                entry=entries.get(report.pk) if report else None,
                line=lines.get(department.pk),
            )
        )
    out.sort(
        key=lambda m: (
            -lights.SEVERITY[m.worst],
            -m.counts[lights.RED],
            -m.counts[lights.YELLOW],
            m.department.code,
        )
    )
    return out
