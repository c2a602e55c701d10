"""Aggregates of a round for the bureau's dashboard, all of them computed in the database.

Every query starts from `reports.selectors.report_list(user=...)` (or
`departments.selectors.department_list`), so a reviewer assigned to some departments
counts, lists and compares only those. The number of queries does not depend on the
number of departments: counts are one `aggregate` of conditional counts, findings one
`values().annotate(Count)`, the table one page of rows, earlier years one query for the
page's departments.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Floor
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.selectors import department_list
from indicators.engine import findings as engine_findings
from indicators.engine import narrative as engine_narrative
from indicators.models import TemplateIndicator, TemplateLevel1
from reports.enums import FINAL_STATES, GRADES, NOT_HANDED_IN, STATE_ORDER
from reports.models import RectificationItem, Report, ReportFinding, Round
from reports.selectors import report_list
from reports.web.engine_text import CODE_LABELS, code_label

S = Report.State
BIN_WIDTH = 10
PAGE_SIZE = 100
TOP_FINDINGS = 12
HISTORY_YEARS = 4  # earlier rounds shown per department
SCORE_FIELD = DecimalField(max_digits=7, decimal_places=2)


# ------------------------------------------------------------------------------ the round


def round_reports(*, user, round_: Round) -> QuerySet[Report]:
    """The round's reports the user may see, unordered (for aggregates)."""
    return report_list(user=user).filter(round=round_).order_by()


def round_is_overdue(round_: Round, today: datetime.date | None = None) -> bool:
    return (today or timezone.localdate()) > round_.deadline


@dataclass(frozen=True)
class Level1Column:
    name: str  # "": the rows under no level-1 label, which the engine scores as one group
    weight: Decimal | None

    @property
    def label(self) -> str:
        return self.name or _("（无一级指标）")


def level1_columns(round_: Round) -> list[Level1Column]:
    """The round's level-1 indicators that apply, in the template's order, then the template's rows
    under no level-1 label as one column beside them (the engine puts that group last too). A flat
    template has no level-1 columns: its one group is the total less 预算执行率."""
    columns = [
        Level1Column(name, weight)
        for name, weight in TemplateLevel1.objects.filter(template_id=round_.template_id, applicable=True)
        .order_by("order", "pk")
        .values_list("name", "weight")
    ]
    if not columns:
        return columns
    unnamed = TemplateIndicator.objects.filter(template_id=round_.template_id, level1__isnull=True).aggregate(
        rows=Count("pk"), weight=Sum("weight")
    )
    if unnamed["rows"]:
        columns.append(Level1Column("", unnamed["weight"]))
    return columns


# ------------------------------------------------------------------------------ counts


@dataclass(frozen=True)
class Bin:
    lower: int
    upper: int  # exclusive, except for the last bin, which holds 100

    @property
    def key(self) -> str:
        return str(self.lower)

    @property
    def label(self) -> str:
        return f"{self.lower}–{self.upper}"

    @property
    def last(self) -> bool:
        return self.upper >= 100

    def q(self, prefix: str = "") -> Q:
        q = Q(**{f"{prefix}rule_total__isnull": False})
        if self.lower > 0:
            q &= Q(**{f"{prefix}rule_total__gte": self.lower})
        if not self.last:
            q &= Q(**{f"{prefix}rule_total__lt": self.upper})
        return q


BINS = tuple(Bin(lower, lower + BIN_WIDTH) for lower in range(0, 100, BIN_WIDTH))
BIN_BY_KEY = {b.key: b for b in BINS}


@dataclass
class Summary:
    reports: int = 0
    states: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    deadline_passed: bool = False
    not_started: list[dict] = field(default_factory=list)
    grades: dict[str, int] = field(default_factory=dict)
    unscored: int = 0
    bins: dict[str, int] = field(default_factory=dict)
    average: Decimal | None = None
    errors: int = 0
    warnings: int = 0
    with_errors: int = 0
    rect_open: int = 0  # rectification items waiting for the department
    rect_answered: int = 0  # answered, waiting for the bureau to close them
    rect_reports: int = 0  # reports with an item not closed

    @property
    def participants(self) -> int:
        return self.reports + len(self.not_started)

    @property
    def submitted(self) -> int:
        """Reports that reached the bureau (submitted, approved or published)."""
        return sum(self.states.get(s, 0) for s in (S.SUBMITTED, S.APPROVED, S.PUBLISHED))


def round_summary(*, user, round_: Round, today: datetime.date | None = None) -> Summary:
    """Counts by state, grade and total bin, summed from one grouped query; departments without a report.

    The database groups the round's reports by (state, grade, bin of the rule total) — a few
    dozen groups whatever the number of departments — and the counts are added up here.
    """
    bin_index = Cast(Floor(F("rule_total") / BIN_WIDTH), IntegerField())
    groups = (
        round_reports(user=user, round_=round_)
        .annotate(
            bin_index=bin_index,
            # Summed per group below: the rectification counts cost no query of their own.
            rect_open_n=rectification_count(RectificationItem.State.OPEN),
            rect_answered_n=rectification_count(RectificationItem.State.ANSWERED),
        )
        .values("state", "grade", "bin_index")
        .annotate(
            n=Count("pk"),
            rect_open=Sum("rect_open_n"),
            rect_answered=Sum("rect_answered_n"),
            rect_reports=Count("pk", filter=Q(rect_open_n__gt=0) | Q(rect_answered_n__gt=0)),
            scored=Count("rule_total"),
            total=Sum("rule_total"),
            errors=Sum("error_count"),
            warnings=Sum("warning_count"),
            with_errors=Count("pk", filter=Q(error_count__gt=0)),
        )
        .order_by()
    )
    summary = Summary(
        states=dict.fromkeys(STATE_ORDER, 0), grades=dict.fromkeys(GRADES, 0), bins={b.key: 0 for b in BINS}
    )
    scored, total = 0, Decimal(0)
    for g in groups:
        summary.reports += g["n"]
        if g["state"] in summary.states:
            summary.states[g["state"]] += g["n"]
        if g["grade"] in summary.grades:
            summary.grades[g["grade"]] += g["n"]
        if g["bin_index"] is not None:
            lower = min(max(g["bin_index"], 0), len(BINS) - 1) * BIN_WIDTH
            summary.bins[str(lower)] += g["n"]
        scored += g["scored"]
        total += g["total"] or 0
        summary.errors += g["errors"] or 0
        summary.warnings += g["warnings"] or 0
        summary.with_errors += g["with_errors"]
        summary.rect_open += g["rect_open"] or 0
        summary.rect_answered += g["rect_answered"] or 0
        summary.rect_reports += g["rect_reports"]
    summary.unscored = summary.reports - scored
    summary.average = total / scored if scored else None
    summary.deadline_passed = round_is_overdue(round_, today)
    summary.not_started = not_started_departments(user=user, round_=round_)
    if summary.deadline_passed:
        summary.overdue = sum(summary.states[s] for s in NOT_HANDED_IN) + len(summary.not_started)
    return summary


def not_started_departments(*, user, round_: Round) -> list[dict]:
    """Departments in the round (that the user may see) without a report yet."""
    has_report = Report.objects.filter(round=round_, department=OuterRef("pk"))
    return list(
        department_list(user=user)
        .filter(rounds=round_)
        .filter(~Exists(has_report))
        .order_by("code")
        .values("pk", "code", "name", "short_name")
    )


# ------------------------------------------------------------------------------ findings


@dataclass(frozen=True)
class FindingStat:
    code: str
    occurrences: int
    reports: int
    errors: int
    warnings: int

    @property
    def description(self) -> str:
        # In the reader's language where a translation exists (reports/web/engine_text.py).
        return code_label(self.code) if self.code in CODE_LABELS else describe_finding(self.code)

    @property
    def severity(self) -> str:
        return "error" if self.errors >= self.warnings else "warning"


def describe_finding(code: str) -> str:
    """The engine's one-line Chinese description of a finding code."""
    return engine_findings.describe(code) or engine_narrative.CODES.get(code, "")


def frequent_findings(*, user, round_: Round, limit: int | None = TOP_FINDINGS) -> list[FindingStat]:
    """Errors and warnings grouped by code, the ones most departments got first."""
    reports = round_reports(user=user, round_=round_).values("pk")
    rows = (
        ReportFinding.objects.filter(report__in=reports, severity__in=("error", "warning"))
        .values("code")
        .annotate(
            occurrences=Count("pk"),
            reports=Count("report_id", distinct=True),
            errors=Count("pk", filter=Q(severity="error")),
            warnings=Count("pk", filter=Q(severity="warning")),
        )
        .order_by("-reports", "-occurrences", "code")
    )
    if limit is not None:
        rows = rows[:limit]
    return [FindingStat(**r) for r in rows]


# ------------------------------------------------------------------------------ the table


@dataclass(frozen=True)
class Sort:
    key: str
    descending: bool = False

    @property
    def param(self) -> str:
        return ("-" if self.descending else "") + self.key


DEFAULT_SORT = Sort("dept")


def level1_score(name: str, positions: int):
    """A report's stored score for the level-1 indicator called `name`, as a decimal.

    level1_scores is a list of {"name", "score", ...} in the template's order; the
    position of a name can differ between reports, so every position is looked at.
    """
    return Case(
        *(
            When(
                **{f"level1_scores__{i}__name": name},
                then=Cast(KT(f"level1_scores__{i}__score"), SCORE_FIELD),
            )
            for i in range(positions)
        ),
        default=Value(None, output_field=SCORE_FIELD),
        output_field=SCORE_FIELD,
    )


def sort_keys(level1: list[Level1Column]) -> set[str]:
    keys = {"dept", "state", "exec", "self", "rule", "final", "grade", "findings", "rect", "delta"}
    keys.update(f"l1-{i}" for i in range(len(level1)))
    return keys


def parse_sort(value: str | None, level1: list[Level1Column]) -> Sort:
    value = (value or "").strip()
    descending = value.startswith("-")
    key = value.lstrip("-")
    if key not in sort_keys(level1):
        return DEFAULT_SORT
    return Sort(key, descending)


def _ordering(sort: Sort, level1: list[Level1Column]) -> list:
    key = sort.key
    if key == "dept":
        exprs = [F("department__code")]
    elif key == "state":
        exprs = [Case(*(When(state=s, then=i) for i, s in enumerate(STATE_ORDER)), output_field=IntegerField())]
    elif key == "exec":
        exprs = [F("execution_score")]
    elif key == "self":
        exprs = [F("self_total")]
    elif key == "rule":
        exprs = [F("rule_total")]
    elif key == "final":
        # 审核得分: the reviewer total of approved and published reports only.
        exprs = [Case(When(state__in=FINAL_STATES, then=F("reviewer_total")), output_field=SCORE_FIELD)]
    elif key == "grade":
        # 优 first when ascending; within a grade, the higher total first.
        rank = Case(*(When(grade=g, then=i) for i, g in enumerate(GRADES)), output_field=IntegerField())
        exprs = [rank]
    elif key == "findings":
        exprs = [F("error_count"), F("warning_count")]
    elif key == "rect":
        # Not closed yet, then the ones waiting for the department.
        exprs = [F("rect_open") + F("rect_answered"), F("rect_open")]
    elif key == "delta":
        exprs = [F("delta")]
    else:  # l1-<i>
        exprs = [level1_score(level1[int(key[3:])].name, len(level1) + 2)]
    ordering = [e.desc(nulls_last=True) if sort.descending else e.asc(nulls_last=True) for e in exprs]
    if key == "grade":
        total = F("rule_total")
        ordering.append(total.asc(nulls_last=True) if sort.descending else total.desc(nulls_last=True))
    ordering.append(F("department__code").asc())
    return ordering


TABLE_FIELDS = (
    "pk",
    "round_id",
    "department_id",
    "state",
    "rule_total",
    "self_total",
    "reviewer_total",
    "reviewer_grade",
    "execution_score",
    "grade",
    "level1_scores",
    "error_count",
    "warning_count",
    "department__code",
    "department__name",
    "department__short_name",
)


def rectification_count(state: str) -> Coalesce:
    """How many of the report's rectification items are in `state`: a subquery, in the table's own query."""
    items = (
        RectificationItem.objects.filter(report=OuterRef("pk"), state=state)
        .order_by()
        .values("report")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(items, output_field=IntegerField()), Value(0))


def table_rows(qs: QuerySet[Report]) -> QuerySet[Report]:
    """Only the columns a list shows (the narrative is large), with the open rectification items."""
    return (
        qs.select_related(None)
        .select_related("department")
        .only(*TABLE_FIELDS)
        .annotate(
            rect_open=rectification_count(RectificationItem.State.OPEN),
            rect_answered=rectification_count(RectificationItem.State.ANSWERED),
        )
    )


def _with_change(qs: QuerySet[Report], round_: Round) -> QuerySet[Report]:
    """The change of the rule total since the department's latest earlier round (for sorting by it).

    The page works the change out from `earlier_totals`; the database needs it only to sort.
    """
    previous = (
        Report.objects.filter(
            department=OuterRef("department"),
            round__year__lt=round_.year,
            round__year__gte=round_.year - HISTORY_YEARS,
        )
        .order_by("-round__year", "-round_id")
        .values("rule_total")[:1]
    )
    return qs.annotate(delta=F("rule_total") - Subquery(previous, output_field=SCORE_FIELD))


def sorted_rows(qs: QuerySet[Report], *, round_: Round, level1: list[Level1Column], sort: Sort) -> QuerySet[Report]:
    if sort.key == "delta":
        qs = _with_change(qs, round_)
    return table_rows(qs).order_by(*_ordering(sort, level1))


def department_table(
    *,
    user,
    round_: Round,
    level1: list[Level1Column],
    sort: Sort = DEFAULT_SORT,
    offset: int = 0,
    limit: int | None = PAGE_SIZE,
) -> list[Report]:
    """One page of the round's reports, sorted in the database by any column."""
    qs = sorted_rows(round_reports(user=user, round_=round_), round_=round_, level1=level1, sort=sort)
    if limit is not None:
        qs = qs[offset : offset + limit]
    return list(qs)


@dataclass(frozen=True)
class PastTotal:
    year: int
    report_id: int
    rule_total: Decimal | None
    grade: str


def earlier_totals(*, user, round_: Round, department_ids) -> dict[int, list[PastTotal]]:
    """Per department, its rule totals in earlier rounds (oldest first, the last few years)."""
    rows = (
        report_list(user=user)
        .filter(
            department_id__in=list(department_ids),
            round__year__lt=round_.year,
            round__year__gte=round_.year - HISTORY_YEARS,
        )
        .order_by("department_id", "round__year", "round_id")
        .values_list("department_id", "round__year", "pk", "rule_total", "grade")
    )
    out: dict[int, dict[int, PastTotal]] = {}
    for dept, year, pk, total, grade in rows:
        # Two rounds in one year: the later one stands for the year.
        out.setdefault(dept, {})[year] = PastTotal(year, pk, total, grade)
    return {dept: list(years.values()) for dept, years in out.items()}


@dataclass(frozen=True)
class YearAverage:
    year: int
    average: Decimal | None
    reports: int
    grades: dict[str, int] = field(default_factory=dict)


def yearly_averages(*, user, round_: Round, summary: Summary | None = None) -> list[YearAverage]:
    """Average rule total and grades per year over the departments of this round the user may see.

    Earlier years come from one query; this round's year from `summary` when given (it has them).
    """
    departments = round_reports(user=user, round_=round_).values("department_id")
    last_year = round_.year - 1 if summary is not None else round_.year
    rows = (
        report_list(user=user)
        .filter(
            department_id__in=departments,
            round__year__lte=last_year,
            round__year__gte=round_.year - HISTORY_YEARS,
        )
        .order_by()
        .values("round__year")
        .annotate(
            average=Avg("rule_total"),
            reports=Count("pk"),
            **{f"grade_{i}": Count("pk", filter=Q(grade=g)) for i, g in enumerate(GRADES)},
        )
        .order_by("round__year")
    )
    years = [
        YearAverage(r["round__year"], r["average"], r["reports"], {g: r[f"grade_{i}"] for i, g in enumerate(GRADES)})
        for r in rows
    ]
    if summary is not None and summary.reports:
        years.append(YearAverage(round_.year, summary.average, summary.reports, dict(summary.grades)))
    return years


# ------------------------------------------------------------------------------ filtered list


@dataclass(frozen=True)
class ReportFilter:
    state: str = ""
    grade: str = ""
    bin: str = ""  # a Bin key, or "none" for reports without a rule total
    finding: str = ""
    overdue: bool = False

    @property
    def empty(self) -> bool:
        return not (self.state or self.grade or self.bin or self.finding or self.overdue)


def filtered_reports(*, user, round_: Round, flt: ReportFilter, today: datetime.date | None = None) -> QuerySet:
    """The round's reports behind a figure of the dashboard, as table rows."""
    qs = round_reports(user=user, round_=round_)
    if flt.state:
        qs = qs.filter(state=flt.state)
    if flt.grade:
        qs = qs.filter(grade=flt.grade)
    if flt.bin == "none":
        qs = qs.filter(rule_total__isnull=True)
    elif flt.bin:
        qs = qs.filter(BIN_BY_KEY[flt.bin].q())
    if flt.overdue:
        qs = qs.filter(state__in=NOT_HANDED_IN) if round_is_overdue(round_, today) else qs.none()
    if flt.finding:
        same_code = ReportFinding.objects.filter(
            report=OuterRef("pk"), code=flt.finding, severity__in=("error", "warning")
        ).order_by()
        hits = same_code.values("report").annotate(n=Count("pk")).values("n")[:1]
        qs = qs.filter(Exists(same_code)).annotate(hits=Subquery(hits, output_field=IntegerField()))
    return qs


def finding_details(*, report_ids, code: str) -> dict[int, list[tuple[str, str]]]:
    """Where and what a finding code says in each of the given (already scoped) reports."""
    out: dict[int, list[tuple[str, str]]] = {}
    rows = (
        ReportFinding.objects.filter(report_id__in=list(report_ids), code=code, severity__in=("error", "warning"))
        .order_by("report_id", "order")
        .values_list("report_id", "where", "message")
    )
    for report_id, where, message in rows:
        out.setdefault(report_id, []).append((where, message))
    return out


def filtered_page(
    qs: QuerySet, *, round_: Round, level1: list[Level1Column], sort: Sort, offset: int, limit: int
) -> tuple[int, list[Report]]:
    rows = sorted_rows(qs, round_=round_, level1=level1, sort=sort)
    return qs.count(), list(rows[offset : offset + limit])
