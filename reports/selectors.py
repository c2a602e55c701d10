"""Reads scoped to the acting user: another department's report is simply not there (404)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from departments.selectors import NO_ACCESS, access_for
from reports.models import Report


def report_list(*, user):
    access = access_for(user)
    if access is NO_ACCESS:
        return Report.objects.none()
    return (
        Report.objects.filter(access.department_q())
        .select_related("round", "department")
        .order_by("-round__year", "round__name", "department__code")
    )


def report_get(*, user, pk: int) -> Report:
    return get_object_or_404(report_list(user=user), pk=pk)
