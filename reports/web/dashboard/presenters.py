"""What the dashboard shows, laid out from the selectors' figures: cards, charts, table rows.

Nothing here queries the database; links to the reports behind a figure are built here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from indicators.engine import round_half_up
from reports.models import Report, Round
from reports.web.dashboard import charts
from reports.web.dashboard.selectors import (
    BINS,
    GRADES,
    STATE_ORDER,
    Level1Column,
    PastTotal,
    Sort,
    Summary,
    YearAverage,
)
from reports.web.engine_text import grade_label

STATE_LABELS = dict(Report.State.choices)
GRADE_COLORS = {"优": "#1b7a3d", "良": "#2f6fbd", "中": "#c98a12", "差": "#b42318"}
STATE_COLORS = {
    "not_started": "#c3c9d0",
    Report.State.DRAFT: "#9aa5b1",
    Report.State.RETURNED: "#e07a5f",
    Report.State.SUBMITTED: "#3b82f6",
    Report.State.APPROVED: "#22a06b",
    Report.State.PUBLISHED: "#166534",
}
UNSCORED_COLOR = "#c3c9d0"
GRADE_KEYS = {"优": "excellent", "良": "good", "中": "pass", "差": "poor"}


def fmt(value) -> str:
    """A score with 2 places, half up; "" when missing.

    Digits, a sign and a point only, so marked safe: the table prints thousands of these and
    escaping each again is a good part of the page's time.
    """
    if value is None or value == "":
        return ""
    try:
        return SafeString(f"{round_half_up(Decimal(str(value)), 2):f}")
    except InvalidOperation:
        return ""


def _decimal(value) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


def list_url(round_: Round, **params) -> str:
    url = reverse("dashboard:reports", args=[round_.pk])
    params = {k: v for k, v in params.items() if v not in ("", None, False)}
    return f"{url}?{urlencode(params)}" if params else url


# ------------------------------------------------------------------------------ cards and charts


@dataclass(frozen=True)
class Card:
    key: str
    label: str
    value: int
    href: str = ""
    tone: str = ""
    note: str = ""


def state_cards(summary: Summary, round_: Round) -> list[Card]:
    cards = [Card("all", _("参评部门"), summary.participants, list_url(round_), "total")]
    if summary.not_started:
        cards.append(Card("not_started", _("未创建报告"), len(summary.not_started), "#not-started", "not_started"))
    for state in STATE_ORDER:
        cards.append(Card(state, STATE_LABELS[state], summary.states[state], list_url(round_, state=state), state))
    note = _("截止日期已过，尚未送审") if summary.deadline_passed else _("截止日期未到")
    tone = "overdue" if summary.overdue else "calm"
    cards.append(Card("overdue", _("逾期未送审"), summary.overdue, list_url(round_, overdue=1), tone, note))
    if summary.rect_open or summary.rect_answered:
        rect_note = _("%(reports)d 个部门 · 待整改 %(open)d · 待销号 %(answered)d") % {
            "reports": summary.rect_reports,
            "open": summary.rect_open,
            "answered": summary.rect_answered,
        }
        # The table sorted by the items not closed, most first.
        href = reverse("dashboard:round", args=[round_.pk]) + "?sort=-rect#departments"
        value = summary.rect_open + summary.rect_answered
        cards.append(Card("rectification", _("整改未销号"), value, href, "rectification", rect_note))
    return cards


def state_stack(summary: Summary, round_: Round, *, width: int = 1000) -> charts.StackedBar:
    specs = []
    if summary.not_started:
        specs.append(
            charts.BarSpec(
                _("未创建报告"),
                len(summary.not_started),
                STATE_COLORS["not_started"],
                "#not-started",
                key="not_started",
            )
        )
    for state in STATE_ORDER:
        n = summary.states[state]
        specs.append(
            charts.BarSpec(
                STATE_LABELS[state],
                n,
                STATE_COLORS[state],
                list_url(round_, state=state),
                _("%(label)s：%(n)d 份") % {"label": STATE_LABELS[state], "n": n},
                key=state,
            )
        )
    return charts.stacked_bar(specs, name="states", title=_("报告状态"), width=width)


def grade_chart(summary: Summary, round_: Round, **size) -> charts.BarChart:
    rules = round_.rule_set
    bands = {
        "优": _("总分 ≥ %(a)s") % {"a": fmt(rules.grade_excellent)},
        "良": _("%(b)s ≤ 总分 < %(a)s") % {"a": fmt(rules.grade_excellent), "b": fmt(rules.grade_good)},
        "中": _("%(c)s ≤ 总分 < %(b)s") % {"b": fmt(rules.grade_good), "c": fmt(rules.grade_pass)},
        "差": _("总分 < %(c)s") % {"c": fmt(rules.grade_pass)},
    }
    specs = [
        charts.BarSpec(
            grade_label(grade),
            summary.grades[grade],
            GRADE_COLORS[grade],
            list_url(round_, grade=grade),
            _("%(grade)s（%(band)s）：%(n)d 份")
            % {"grade": grade_label(grade), "band": bands[grade], "n": summary.grades[grade]},
            key=grade,
        )
        for grade in GRADES
    ]
    return charts.bar_chart(specs, name="grades", title=_("评价等级分布"), **size)


def _bin_grade(lower: int, round_: Round) -> str:
    rules = round_.rule_set
    if lower >= rules.grade_excellent:
        return "优"
    if lower >= rules.grade_good:
        return "良"
    if lower >= rules.grade_pass:
        return "中"
    return "差"


def histogram_chart(summary: Summary, round_: Round, **size) -> charts.BarChart:
    specs = []
    for b in BINS:
        n = summary.bins[b.key]
        upper = "≤" if b.last else "<"
        specs.append(
            charts.BarSpec(
                str(b.lower),
                n,
                GRADE_COLORS[_bin_grade(b.lower, round_)],
                list_url(round_, bin=b.key) if n else "",
                _("规则得分 %(lo)d ≤ 总分 %(op)s %(hi)d：%(n)d 份")
                % {"lo": b.lower, "op": upper, "hi": b.upper, "n": n},
                key=b.key,
            )
        )
    size.setdefault("width", 600)
    return charts.bar_chart(specs, name="totals", title=_("规则得分分布（每 10 分一档）"), **size)


def years(averages: list[YearAverage]) -> list[dict]:
    """Earlier years beside this one: average total and the share of each grade."""
    out = []
    for a in averages:
        total = sum(a.grades.values())
        parts = []
        before = 0  # grades to the left: where this grade's part of the bar starts (an SVG x, not a style)
        for g in GRADES:
            if total and a.grades[g]:
                share = f"{100 * a.grades[g] / total:.1f}"
                parts.append(
                    {
                        "grade": g,
                        "key": GRADE_KEYS[g],
                        "n": a.grades[g],
                        "share": share,
                        "x": f"{100 * before / total:.1f}",
                    }
                )
                before += a.grades[g]
        out.append({"year": a.year, "reports": a.reports, "average": fmt(a.average), "parts": parts})
    return out


# ------------------------------------------------------------------------------ the table


@dataclass(frozen=True)
class Header:
    key: str
    label: str
    numeric: bool
    current: str  # "", "asc" or "desc"
    href: str
    note: str = ""


# key -> descending on the first click (scores: the highest first)
FIRST_DESCENDING = {"exec": True, "self": True, "rule": True, "final": True, "findings": True, "rect": True}


def headers(
    round_: Round, level1: list[Level1Column], sort: Sort, base_url: str, keep: dict | None = None
) -> list[Header]:
    """Column headings; each links to the table sorted by it (again: the other way round)."""
    execution_weight = round_.template.execution_weight
    columns = [
        ("dept", _("部门"), False, ""),
        ("state", _("状态"), False, ""),
        ("exec", _("预算执行率"), True, fmt(execution_weight)),
    ]
    columns += [(f"l1-{i}", col.label, True, fmt(col.weight)) for i, col in enumerate(level1)]
    columns += [
        ("self", _("自评得分"), True, ""),
        ("rule", _("规则得分"), True, ""),
        ("final", _("审核得分"), True, ""),
        ("grade", _("等级"), False, ""),
        ("findings", _("待处理问题"), True, ""),
        ("rect", _("整改事项"), True, ""),
        ("delta", _("历年规则得分"), True, ""),
    ]
    out = []
    for key, label, numeric, note in columns:
        if sort.key == key:
            current = "desc" if sort.descending else "asc"
            descending = not sort.descending
        else:
            current = ""
            descending = FIRST_DESCENDING.get(key, key.startswith("l1-"))
        param = ("-" if descending else "") + key
        query = urlencode({**(keep or {}), "sort": param})
        out.append(Header(key, label, numeric, current, f"{base_url}?{query}", note))
    return out


class Record(dict):
    """A row for a template: a dict (Django's template lookup tries `[key]` first, the fast path)
    whose keys read as attributes in Python."""

    __slots__ = ()

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


TONES = ((Decimal(1), "full"), (Decimal("0.9"), "high"), (Decimal("0.6"), "mid"))


def _cell(score, weight) -> Record:
    """A score with how much of its weight it got: text, share (percent) and tone for the meter."""
    score = _decimal(score)
    if score is None:
        return Record(text="", share="", tone="")
    weight = _decimal(weight)
    if not weight:
        return Record(text=fmt(score), share="", tone="")
    ratio = max(min(score / weight, Decimal(1)), Decimal(0))
    tone = next((name for bound, name in TONES if ratio >= bound), "low")
    return Record(text=fmt(score), share=SafeString(f"{ratio * 100:.0f}"), tone=SafeString(tone))


def report_url_maker():
    """pk -> the report page's URL ("report" in reports.urls, else /reports/<pk>/), one reverse() for all."""
    marker = 987654321
    try:
        head, tail = reverse("report", args=[marker]).split(str(marker))
    except NoReverseMatch:
        head, tail = "/reports/", "/"
    return lambda pk: SafeString(f"{head}{int(pk)}{tail}")


def table(
    reports: list[Report], *, round_: Round, level1: list[Level1Column], past: dict[int, list[PastTotal]]
) -> list[Record]:
    """Table rows: formatted scores, the meters, earlier years and the change since the last of them."""
    url = report_url_maker()
    # Our own words and the state keys (a check constraint holds them to the five): safe as they are.
    state_labels = {key: SafeString(label) for key, label in Report.State.choices}
    execution_weight = round_.template.execution_weight
    rows = []
    for r in reports:
        scores = {d.get("name"): d.get("score") for d in (r.level1_scores or []) if isinstance(d, dict)}
        earlier = past.get(r.department_id, [])
        previous = earlier[-1].rule_total if earlier else None
        delta = None if r.rule_total is None or previous is None else r.rule_total - previous
        rows.append(
            Record(
                pk=r.pk,
                href=url(r.pk),
                code=r.department.code,
                name=r.department.display_name,
                state=SafeString(r.state) if r.state in state_labels else r.state,
                state_label=state_labels.get(r.state, r.state),
                execution=_cell(r.execution_score, execution_weight),
                level1=[_cell(scores.get(col.name), col.weight) for col in level1],
                self_total=fmt(r.self_total),
                rule_total=fmt(r.rule_total),
                final_total=fmt(r.final_score),
                final_grade=r.final_grade,
                grade=r.grade,
                grade_key=SafeString(GRADE_KEYS.get(r.grade, "none")),
                # Counts and years as text: the template would localise every number it prints.
                errors=SafeString(r.error_count) if r.error_count else "",
                warnings=SafeString(r.warning_count) if r.warning_count else "",
                # Rectification items not closed: waiting for the department, and answered (for the bureau).
                rect_open=SafeString(r.rect_open) if getattr(r, "rect_open", 0) else "",
                rect_answered=SafeString(r.rect_answered) if getattr(r, "rect_answered", 0) else "",
                past=[
                    Record(year=SafeString(p.year), total=fmt(p.rule_total), href=url(p.report_id), grade=p.grade)
                    for p in earlier
                ],
                delta="" if delta is None else fmt(abs(delta)),
                trend=SafeString("" if delta is None else "up" if delta > 0 else "down" if delta < 0 else "same"),
                hits=getattr(r, "hits", None),
            )
        )
    return rows
