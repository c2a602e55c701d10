"""Who sees which departments: every view's data is scoped through here."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from departments.models import Department, Role


@dataclass(frozen=True)
class Access:
    """A person's reach, read once per request."""

    is_admin: bool = False
    is_reviewer: bool = False
    all_departments: bool = False
    department_ids: frozenset[int] = frozenset()  # where the person may see reports
    accountant_of: frozenset[int] = frozenset()  # where the person may edit reports

    @property
    def is_bureau(self) -> bool:
        return self.is_admin or self.is_reviewer

    def department_q(self, prefix: str = "department") -> Q:
        if self.all_departments:
            return Q()
        return Q(**{f"{prefix}__in": self.department_ids})


NO_ACCESS = Access()


def access_for(user) -> Access:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_ACCESS
    cached = getattr(user, "_perfeval_access", None)
    if cached is not None:
        return cached
    roles = list(Role.objects.filter(user=user).values_list("kind", "department_id"))
    is_admin = user.is_superuser or any(kind == Role.Kind.ADMIN for kind, _d in roles)
    reviewer_rows = [dept for kind, dept in roles if kind == Role.Kind.REVIEWER]
    is_reviewer = bool(reviewer_rows)
    accountant_of = frozenset(dept for kind, dept in roles if kind == Role.Kind.ACCOUNTANT)
    all_departments = is_admin or (is_reviewer and any(d is None for d in reviewer_rows))
    reviewed = frozenset(d for d in reviewer_rows if d is not None)
    access = Access(
        is_admin=is_admin,
        is_reviewer=is_reviewer,
        all_departments=all_departments,
        department_ids=accountant_of | reviewed,
        accountant_of=accountant_of,
    )
    user._perfeval_access = access
    return access


def department_list(*, user):
    access = access_for(user)
    if access is NO_ACCESS:
        return Department.objects.none()
    if access.all_departments:
        return Department.objects.all()
    return Department.objects.filter(pk__in=access.department_ids)
