"""Evidence files of a report the user may read (reports.selectors.report_get decides: another
department's report is a 404, and so is its evidence)."""

from __future__ import annotations

from django.db.models import Count
from django.shortcuts import get_object_or_404

from reports.models import Evidence, Report, ReportArchive, ReportIndicator


def evidence_list(report: Report) -> list[Evidence]:
    """Every file of the report, oldest first, with its row: one query."""
    return list(Evidence.objects.filter(report=report).select_related("indicator").order_by("uploaded_at", "pk"))


def evidence_by_row(report: Report) -> tuple[dict[int, list[Evidence]], list[Evidence]]:
    """(row pk -> its files, the report's own files): one query."""
    rows: dict[int, list[Evidence]] = {}
    own = []
    for item in Evidence.objects.filter(report=report).order_by("uploaded_at", "pk"):
        if item.indicator_id is None:
            own.append(item)
        else:
            rows.setdefault(item.indicator_id, []).append(item)
    return rows, own


def evidence_counts(report: Report) -> dict[int | None, int]:
    """How many files each row has (None: the report's own): one query."""
    counts = Evidence.objects.filter(report=report).values("indicator_id").annotate(n=Count("pk")).order_by()
    return {row["indicator_id"]: row["n"] for row in counts}


def evidence_get(report: Report, pk: int) -> Evidence:
    """A file of this report (already scoped to the user) or 404."""
    return get_object_or_404(Evidence.objects.select_related("indicator"), report=report, pk=pk)


def evidence_row(report: Report, pk: int) -> ReportIndicator:
    """A row of this report or 404: a row of another report is not there."""
    return get_object_or_404(ReportIndicator, report=report, pk=pk)


def evidence_bundles(report: Report) -> list[ReportArchive]:
    """The archive versions that kept the report's evidence as a zip, newest first: one query."""
    return list(ReportArchive.objects.filter(report=report).exclude(evidence_file="").order_by("-version"))
