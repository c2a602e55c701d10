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


def reports_to_start(*, user) -> list[tuple]:
    """(round, department) of open rounds where one of the user's departments has no report yet.

    Only an accountant starts a report: the bureau sees these departments as 未填报.
    """
    from departments.models import Department
    from reports.models import Round

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
