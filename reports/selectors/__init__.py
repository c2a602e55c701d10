"""Reads scoped to the acting user: another department's report is simply not there (404)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from departments.models import BudgetLine, Department
from departments.selectors import NO_ACCESS, access_for
from indicators.models import TemplateLevel1
from reports.interchange.document import MONEY_KEYS, dec
from reports.models import RectificationItem, Report, ReportIndicator, ReportTask, Round


def report_list(*, user):
    access = access_for(user)
    if access is NO_ACCESS:
        return Report.objects.none()
    return (
        Report.objects.filter(access.department_q())
        .select_related("round", "department")
        .order_by("-round__year", "round__name", "department__code")
    )


def report_get(*, user, pk: int, full: bool = False, for_update: bool = False) -> Report:
    """The user's report or 404; full: with everything the form and the engine read (one load).

    for_update (full only, inside a transaction): the report row locked, so that a save
    reads, checks and writes one version.
    """
    if not full:
        return get_object_or_404(report_list(user=user), pk=pk)
    access = access_for(user)
    if access is NO_ACCESS:
        raise Http404
    reports = report_queryset().filter(access.department_q())
    if for_update:
        reports = reports.select_for_update(of=("self",))
    report = get_object_or_404(reports, pk=pk)
    budget_lines(report)
    return report


def reports_to_start(*, user) -> list[tuple]:
    """(round, department) of open rounds where one of the user's departments has no report yet.

    Only an accountant starts a report: the bureau sees these departments as 未填报.
    """
    access = access_for(user)
    if not access.accountant_of:
        return []
    rounds = list(
        Round.objects.filter(is_open=True, departments__in=access.accountant_of)
        .distinct()
        .select_related("template")
        .order_by("-year", "name")
    )
    if not rounds:
        return []
    have = set(
        Report.objects.filter(round__in=rounds, department__in=access.accountant_of).values_list(
            "round_id", "department_id"
        )
    )
    members = Round.departments.through.objects.filter(round__in=rounds, department__in=access.accountant_of)
    departments = Department.objects.in_bulk({m.department_id for m in members})
    by_round = {r.pk: r for r in rounds}
    return sorted(
        (
            (by_round[m.round_id], departments[m.department_id])
            for m in members
            if (m.round_id, m.department_id) not in have
        ),
        key=lambda pair: (-pair[0].year, pair[0].name, pair[1].code),
    )


# --------------------------------------------------------------------------- the report read model


def report_queryset():
    """A report with everything the form, the engine and a document need, in a fixed number of queries."""
    # "targets": the target declaration, joined (a report without one reads None, no query).
    return Report.objects.select_related(
        "round__rule_set", "round__template", "department", "targets"
    ).prefetch_related(
        Prefetch("tasks", queryset=ReportTask.objects.order_by("order", "pk")),
        Prefetch("indicators", queryset=ReportIndicator.objects.order_by("order", "pk")),
        Prefetch("round__template__level1_nodes", queryset=TemplateLevel1.objects.order_by("order", "pk")),
    )


def frozen_document(report: Report) -> dict | None:
    """The document as approved, for an approved or published report: never the live rows."""
    if report.state in Report.FINAL_STATES and report.frozen_document:
        return {**report.frozen_document, "state": report.state}
    return None


def budget_lines(report: Report) -> dict[str, BudgetLine]:
    """The report's budget block: the approved figures once final, the department's lines before."""
    cached = getattr(report, "_budget_lines", None)
    frozen = frozen_document(report) if cached is None else None
    if frozen is not None:
        # Unsaved lines carrying the approved figures, for pages that read lines.
        cached = {
            row["row"]: BudgetLine(
                department_id=report.department_id,
                year=report.round.year,
                row=row["row"],
                rate_text=row.get("rate_text", ""),
                **{attr: dec(row.get(attr)) for attr in MONEY_KEYS},
            )
            for row in frozen["budget"]["rows"]
            if any(row.get(attr) is not None for attr in MONEY_KEYS) or row.get("rate_text")
        }
        report._budget_lines = cached
    elif cached is None:
        cached = live_budget_lines(report)
        report._budget_lines = cached
    return cached


def live_budget_lines(report: Report) -> dict[str, BudgetLine]:
    return {
        line.row: line for line in BudgetLine.objects.filter(department_id=report.department_id, year=report.round.year)
    }


# --------------------------------------------------------------------------- rectification (整改)


def rectification_items(report: Report) -> list[RectificationItem]:
    """The report's rectification items, oldest first, with the people named on them: one query."""
    return list(
        RectificationItem.objects.filter(report=report)
        .select_related("issued_by", "answered_by", "closed_by")
        .order_by("issued_at", "pk")
    )


def rectification_item_get(*, report: Report, pk: int) -> RectificationItem:
    """An item of a report already read through a scoped selector; another report's item is a 404."""
    return get_object_or_404(RectificationItem.objects.select_related("report"), report=report, pk=pk)
