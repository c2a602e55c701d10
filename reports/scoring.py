"""Adapts a stored report into the engine and keeps its scores on the report.

The engine (indicators.engine) is the only place that computes a score; this module
only feeds it and stores what it says.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from indicators import engine
from reports.interchange.document import num, to_engine_input
from reports.interchange.store import report_queryset, report_to_document
from reports.models import Report, ReportEvent, ReportFinding


def report_engine_input(report: Report) -> engine.ReportInput:
    return to_engine_input(report_to_document(report))


def report_score(report: Report) -> engine.ReportResult:
    return engine.score_report(report_engine_input(report))


@transaction.atomic
def report_rescore(*, report: Report) -> engine.ReportResult:
    """Score the report as stored and keep totals and findings for lists and sorting."""
    report = report_queryset().get(pk=report.pk)
    result = report_score(report)
    errors = sum(1 for f in result.findings if f.severity == "error")
    warnings = sum(1 for f in result.findings if f.severity == "warning")
    Report.objects.filter(pk=report.pk).update(
        rule_total=result.total,
        self_total=result.self_total,
        execution_score=result.execution_score,
        grade=result.grade,
        self_grade=result.self_grade,
        level1_scores=[
            {"name": r.name, "weight": num(r.weight), "score": num(r.score), "self_score": num(r.self_score)}
            for r in result.level1
        ],
        error_count=errors,
        warning_count=warnings,
        scored_at=timezone.now(),
    )
    ReportFinding.objects.filter(report_id=report.pk).delete()
    ReportFinding.objects.bulk_create(
        ReportFinding(
            report_id=report.pk,
            order=i,
            code=f.code[:64],
            severity=f.severity,
            where=f.where[:100],
            message=f.message,
        )
        for i, f in enumerate(result.findings)
    )
    return result


# Scores that are still open to change; approved and published scores stay as approved.
OPEN_STATES = (Report.State.DRAFT, Report.State.RETURNED, Report.State.SUBMITTED)


def rounds_rescore(*, rounds, actor=None, what: str = "") -> int:
    """After a rule set, template or round changed: rescore the rounds' open reports.

    Each rescored report gets an event naming the change and its old → new rule total.
    Returns how many were rescored.
    """
    reports = Report.objects.filter(round__in=rounds, state__in=OPEN_STATES).order_by("pk")
    return reports_rescore(reports=reports, actor=actor, what=what or "评分设置已修改")


def budget_rescore(*, department_id, year, actor=None, what: str = "") -> int:
    """After the budget of a department and year changed in the admin: rescore its open reports."""
    reports = Report.objects.filter(department_id=department_id, round__year=year, state__in=OPEN_STATES)
    return reports_rescore(reports=reports.order_by("pk"), actor=actor, what=f"预算情况已修改（{what}）")


@transaction.atomic
def reports_rescore(*, reports, actor, what: str, action: str = "rescore") -> int:
    """Rescore these reports, each with an event saying why and its old → new rule total."""
    count = 0
    for report in reports:
        old = report.rule_total
        result = report_rescore(report=report)
        # The bureau's record: Chinese whatever the actor's interface language.
        ReportEvent.objects.create(
            report=report,
            actor=actor if getattr(actor, "pk", None) else None,
            kind=ReportEvent.Kind.CHANGE,
            action=action,
            field="rule_total",
            label="规则得分",
            old_value=num(old) or "",
            new_value=num(result.total) or "",
            message=f"{what}，重新计分：{num(old) or '未计分'} → {num(result.total) or '未计分'}",
        )
        count += 1
    return count
