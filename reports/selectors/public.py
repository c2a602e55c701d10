"""Reads of the public pages: published reports only, for anyone, without login.

A report that is not published is not there at all (404), whoever asks.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import get_object_or_404

from departments.models import Department
from reports.models import Report, ReportArchive, Round
from reports.selectors import budget_lines, report_queryset

PUBLISHED = Report.State.PUBLISHED


def published_rounds() -> list[Round]:
    """Rounds with at least one published report, newest first."""
    return list(
        Round.objects.annotate(n_published=Count("reports", filter=Q(reports__state=PUBLISHED)))
        .filter(n_published__gt=0)
        .order_by("-year", "name")
        .only("pk", "year", "name")
    )


def published_departments() -> list[Department]:
    return list(
        Department.objects.filter(reports__state=PUBLISHED)
        .distinct()
        .order_by("code")
        .only("pk", "code", "name", "short_name")
    )


def published_reports(*, round_id: int | None = None, department_id: int | None = None) -> list[Report]:
    """Published reports by round (newest first) and department, with whether an archived PDF exists."""
    qs = (
        Report.objects.filter(state=PUBLISHED)
        .select_related("round", "department")
        .annotate(has_archive=Exists(ReportArchive.objects.filter(report=OuterRef("pk"))))
        .only(
            "pk",
            "round__id",
            "round__year",
            "round__name",
            "department__code",
            "department__name",
            "department__short_name",
            "rule_total",
            "self_total",
            "grade",
            "self_grade",
            "published_at",
        )
        .order_by("-round__year", "round__name", "department__code")
    )
    if round_id is not None:
        qs = qs.filter(round_id=round_id)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    return list(qs)


def published_report(*, pk: int) -> Report:
    """A published report with everything its page shows; anything else is a 404."""
    report = get_object_or_404(report_queryset().filter(state=PUBLISHED), pk=pk)
    budget_lines(report)
    # The newest archive (with the certificate that signed it), the one the page offers.
    report.latest_archive = (
        ReportArchive.objects.filter(report=report).select_related("certificate").order_by("-version").first()
    )
    report.has_archive = report.latest_archive is not None
    return report
