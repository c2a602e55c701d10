"""Reads of the bureau's review: the queue of a round, the report under review, its timeline.

Everything starts from the acting user's reach (`departments.selectors.access_for`,
`reports.selectors.report_list`): a reviewer assigned to some departments sees only
theirs, another department's report is a 404, and a person who is not of the bureau
gets a 403. Each read is a fixed number of queries, whatever the number of reports,
rows or events.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.selectors import access_for
from reports.enums import GRADES, NOT_HANDED_IN, SNAPSHOT_FIELD
from reports.models import Report, ReportEvent, Round, TargetAdjustment
from reports.selectors import budget_lines, report_list, report_queryset

S = Report.State
# The queue's own order of states: what waits for the bureau first.
QUEUE_STATE_ORDER = (S.SUBMITTED, S.RETURNED, S.DRAFT, S.APPROVED, S.PUBLISHED)
TIMELINE_LIMIT = 300
QUEUE_PER_PAGE = 50  # settings.REVIEW_QUEUE_PER_PAGE overrides


def require_bureau(user) -> None:
    if not access_for(user).is_bureau:
        raise PermissionDenied(_("只有财政局审核人和管理员可以审核报告。"))


# ------------------------------------------------------------------------------ rounds


def review_rounds() -> list[Round]:
    return list(Round.objects.order_by("-year", "name").only("pk", "year", "name", "deadline", "is_open"))


def default_round(rounds: list[Round]) -> Round | None:
    """The latest open round; the latest round when none is open."""
    return next((r for r in rounds if r.is_open), rounds[0] if rounds else None)


# ------------------------------------------------------------------------------ the queue


@dataclass(frozen=True)
class QueueFilter:
    state: str = ""
    grade: str = ""
    overdue: bool = False


@dataclass(frozen=True)
class Sort:
    key: str
    descending: bool = False

    @property
    def param(self) -> str:
        return ("-" if self.descending else "") + self.key


SORT_KEYS = ("state", "dept", "submitted", "self", "rule", "reviewer", "grade", "findings")
DEFAULT_SORT = Sort("state")


def parse_sort(value: str | None) -> Sort:
    value = (value or "").strip()
    key = value.lstrip("-")
    if key not in SORT_KEYS:
        return DEFAULT_SORT
    return Sort(key, value.startswith("-"))


def _rank(field: str, values) -> Case:
    return Case(
        *(When(**{field: v}, then=i) for i, v in enumerate(values)), default=len(values), output_field=IntegerField()
    )


def _ordering(sort: Sort) -> list:
    def by(expr):
        return expr.desc(nulls_last=True) if sort.descending else expr.asc(nulls_last=True)

    key = sort.key
    if key == "state":
        # Within a state, the longest waiting first.
        keys = [by(_rank("state", QUEUE_STATE_ORDER)), F("submitted_at").asc(nulls_last=True)]
    elif key == "dept":
        keys = [by(F("department__code"))]
    elif key == "submitted":
        keys = [by(F("submitted_at"))]
    elif key == "self":
        keys = [by(F("self_total"))]
    elif key == "rule":
        keys = [by(F("rule_total"))]
    elif key == "reviewer":
        keys = [by(F("reviewer_total")), by(F("rule_total"))]
    elif key == "grade":
        keys = [by(_rank("grade", GRADES)), F("rule_total").desc(nulls_last=True)]
    else:  # findings
        keys = [by(F("error_count")), by(F("warning_count"))]
    return [*keys, F("department__code").asc()]


def overdue_q(today: datetime.date) -> Q:
    return Q(state__in=NOT_HANDED_IN, round__deadline__lt=today)


def review_queue(
    *, user, round_: Round, flt: QueueFilter = QueueFilter(), sort: Sort = DEFAULT_SORT, today=None
) -> list[Report]:
    """The round's reports the user may review, with `is_overdue`, filtered and sorted: one query."""
    return list(_queue_queryset(user=user, round_=round_, flt=flt, sort=sort, today=today))


def review_queue_page(
    *, user, round_: Round, flt: QueueFilter = QueueFilter(), sort: Sort = DEFAULT_SORT, today=None, page=None
) -> Page:
    """One page of review_queue (QUEUE_PER_PAGE reports): two queries, the count and the page's rows."""
    per_page = getattr(settings, "REVIEW_QUEUE_PER_PAGE", QUEUE_PER_PAGE)
    qs = _queue_queryset(user=user, round_=round_, flt=flt, sort=sort, today=today)
    return Paginator(qs, per_page).get_page(page)


def _queue_queryset(*, user, round_: Round, flt: QueueFilter, sort: Sort, today) -> QuerySet[Report]:
    today = today or timezone.localdate()
    qs = (
        report_list(user=user)
        .filter(round=round_)
        .annotate(
            is_overdue=Case(
                When(overdue_q(today), then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
            # The bureau's other work on the report, in the same query: its 绩效目标 and their adjustments.
            targets_pending=Case(
                When(targets__state=S.SUBMITTED, then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
            adjustments_pending=Exists(
                TargetAdjustment.objects.filter(report=OuterRef("pk"), state=TargetAdjustment.State.PENDING)
            ),
        )
        .only(
            "pk",
            "state",
            "round__id",
            "round__deadline",
            "department__code",
            "department__name",
            "department__short_name",
            "submitted_at",
            "approved_at",
            "published_at",
            "self_total",
            "rule_total",
            "reviewer_total",
            "grade",
            "self_grade",
            "error_count",
            "warning_count",
            "version",
        )
    )
    if flt.state:
        qs = qs.filter(state=flt.state)
    if flt.grade:
        qs = qs.filter(grade=flt.grade)
    if flt.overdue:
        qs = qs.filter(overdue_q(today))
    return qs.order_by(*_ordering(sort))


def queue_counts(*, user, round_: Round, today=None) -> dict[str, int]:
    """How many of the round's reports are in each state, late, or carry errors: one query."""
    today = today or timezone.localdate()
    counts = {"all": Count("pk"), "overdue": Count("pk", filter=overdue_q(today))}
    counts.update({s.value: Count("pk", filter=Q(state=s)) for s in S})
    counts.update({f"grade_{i}": Count("pk", filter=Q(grade=g)) for i, g in enumerate(GRADES)})
    row = report_list(user=user).filter(round=round_).order_by().aggregate(**counts)
    row["grades"] = {g: row.pop(f"grade_{i}") for i, g in enumerate(GRADES)}
    return row


# ------------------------------------------------------------------------------ one report


def review_report(*, user, pk: int) -> Report:
    """The report under review, with everything its page shows (tasks, rows, budget lines).

    Not of the bureau: 403. A report outside the reviewer's departments: 404.
    """
    require_bureau(user)
    report = get_object_or_404(report_queryset().filter(access_for(user).department_q()), pk=pk)
    budget_lines(report)
    return report


def submission_times(report: Report) -> list:
    """When the report was submitted (with a snapshot), oldest first; the snapshots are not loaded."""
    return list(
        ReportEvent.objects.filter(report=report, action="submit", field=SNAPSHOT_FIELD)
        .order_by("created_at", "pk")
        .values_list("created_at", flat=True)
    )


def report_timeline(report: Report, limit: int = TIMELINE_LIMIT) -> list[ReportEvent]:
    """The report's events, newest first: one query.

    A submit event keeps the whole submitted document in new_value (for comparing
    submissions); it is never loaded here, let alone shown.
    """
    shown_value = Case(When(field=SNAPSHOT_FIELD, then=Value("")), default=F("new_value"), output_field=TextField())
    events = (
        ReportEvent.objects.filter(report=report)
        .select_related("actor")
        .defer("new_value")
        .annotate(shown_value=shown_value)
        .order_by("-created_at", "-pk")[:limit]
    )
    return list(events)
