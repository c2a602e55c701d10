"""What the review and public pages show: the report's table read-only, with the engine's
scores, explanations and findings per row, the reviewer's inputs, and what changed since
the previous submission. Display only: nothing here queries the database or computes a score.

The table's cells come from the report page's presenters (reports.web.report.presenters), so
the three pages lay a report out alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from indicators import engine
from reports.interchange.document import num
from reports.models import Report, ReportEvent
from reports.services import history, rectification
from reports.services.workflow import ACTION_LABELS
from reports.web.engine_explain import explanation_text
from reports.web.engine_text import grade_label
from reports.web.report import presenters
from reports.web.report.forms import ReportForm, form_initial
from reports.web.report.presenters import RowMap
from reports.web.textdiff import TextDiff, text_diff

STATE_LABELS = dict(Report.State.choices)
GRADE_KEYS = {"优": "excellent", "良": "good", "中": "pass", "差": "poor"}
# Which cell of an indicator row shows a changed field (history.INDICATOR_FIELD_LABELS' keys).
CELL_OF_FIELD = {
    "": "l3",
    "not_applicable": "l3",
    "kind": "target",
    "sign": "target",
    "target": "target",
    "target_text": "target",
    "unit": "unit",
    "actual": "actual",
    "actual_text": "actual",
    "tier": "actual",
    "weight": "weight",
    "self_score": "self",
    "reason": "reason",
}
INLINE_DIFF_MIN = 24  # texts shorter than this read well enough as old → new


# ------------------------------------------------------------------------------ changes


@dataclass
class ChangeView:
    label: str
    old: str
    new: str
    anchor: str = ""  # the element id on the page this change is about
    old_parts: list[tuple[str, str]] = field(default_factory=list)  # (op, text): op "" or "del"
    new_parts: list[tuple[str, str]] = field(default_factory=list)  # (op, text): op "" or "ins"

    @property
    def long(self) -> bool:
        return bool(self.old_parts or self.new_parts)


def _bracket(path: str, prefix: str) -> tuple[str, str] | None:
    """The key and field of a row's path: indicators[KEY].field → (KEY, field), indicators[KEY] → (KEY, "")."""
    if not path.startswith(prefix + "["):
        return None
    inner = path[len(prefix) + 1 :]
    if inner.endswith("]"):
        return inner[:-1], ""
    key, sep, rest = inner.rpartition("].")
    return (key, rest) if sep else None


@dataclass
class ChangeMarks:
    """Where on the page the changes of a resubmission are: rows, cells, sections."""

    indicators: dict[int, set[str]] = field(default_factory=dict)  # pk -> cells
    tasks: dict[int, set[str]] = field(default_factory=dict)  # pk -> fields
    budget: set[str] = field(default_factory=set)  # budget rows ("total", ..., "self_score")
    header: set[str] = field(default_factory=set)  # header fields, weight_note
    narrative: set[str] = field(default_factory=set)  # section keys


def row_keys(report: Report) -> tuple[dict[str, int], dict[str, int]]:
    """Each indicator's and task's key in history.flatten's paths → its pk."""
    seen: dict[str, int] = {}
    indicators = {history._unique(f"{r.level1}/{r.level2}/{r.level3}", seen): r.pk for r in report.indicators.all()}
    seen = {}
    tasks = {history._unique(t.name, seen): t.pk for t in report.tasks.all()}
    return indicators, tasks


def change_views(report: Report, changes: list[history.Change]) -> tuple[list[ChangeView], ChangeMarks]:
    indicator_pks, task_pks = row_keys(report)
    marks = ChangeMarks()
    views = []
    for change in changes:
        anchor = ""
        path = change.path
        if (hit := _bracket(path, "indicators")) is not None:
            key, name = hit
            pk = indicator_pks.get(key)
            if pk is not None:
                marks.indicators.setdefault(pk, set()).add(CELL_OF_FIELD.get(name, name))
                anchor = f"row-{pk}"
        elif (hit := _bracket(path, "tasks")) is not None:
            key, name = hit
            pk = task_pks.get(key)
            if pk is not None:
                marks.tasks.setdefault(pk, set()).add(name or "name")
                anchor = f"task-{pk}"
        elif path.startswith("budget."):
            row = path.split(".")[1]
            marks.budget.add(row)
            anchor = "budget-table"
        elif path.startswith("header.") or path == "weight_note":
            marks.header.add(path.split(".")[-1])
            anchor = "sheet-top" if path != "weight_note" else "weight-note"
        elif path.startswith("narrative."):
            key = path.split(".", 1)[1]
            marks.narrative.add(key)
            anchor = f"narrative-{key}"
        view = ChangeView(change.label, change.old, change.new, anchor)
        longest = max(len(change.old), len(change.new))
        if longest >= INLINE_DIFF_MIN:
            # Word-level, as on the history page (a figure changes whole, not digit by digit).
            marked = text_diff(change.old, change.new)
            if marked is not None:
                view.old_parts, view.new_parts = marked.old, marked.new
        views.append(view)
    return views, marks


# ------------------------------------------------------------------------------ the table


@dataclass
class SheetRow:
    """An indicator row of the read-only table, with the review's inputs and marks."""

    view: presenters.IndicatorRowView
    pk: int
    findings: list[dict]
    changed: set[str]
    reviewer_score: str  # as stored, or as typed when the page comes back with errors
    review_comment: str
    errors: list[str]
    evidence: list = field(default_factory=list)  # the row's files (reports.models.Evidence)

    @property
    def is_changed(self) -> bool:
        return bool(self.changed)

    @property
    def error_findings(self) -> int:
        return sum(1 for f in self.findings if f["severity"] == "error")


def sheet(
    report: Report,
    result: engine.ReportResult,
    *,
    marks: ChangeMarks | None = None,
    typed: dict | None = None,
    errors: dict[str, list[str]] | None = None,
    evidence: dict[int, list] | None = None,
    reviewer: dict | None = None,
) -> dict:
    """The table of a report as the review and public pages show it.

    `typed` holds what the reviewer typed (the page after refused input), `errors` the
    messages by input name ("score-<pk>"), `evidence` each row's files by its pk (the review
    page's; the public page shows none), `reviewer` the reviewer total (reviewer_view).
    """
    evidence = evidence or {}
    marks = marks or ChangeMarks()
    errors = errors or {}
    typed = typed or {}
    form = ReportForm(initial=form_initial(report, report._budget_lines))
    rows = RowMap.identity(report)
    payload = presenters.result_payload(report, result, rows)
    by_row: dict[str, list[dict]] = {}
    for f in payload["findings"]:
        if f["row"]:
            by_row.setdefault(f["row"], []).append(f)
    indicators = []
    stored = list(report.indicators.all())
    views = presenters.indicator_rows(report, form, result, rows)
    for view, row in zip(views, stored, strict=True):
        score_name, comment_name = f"score-{row.pk}", f"comment-{row.pk}"
        indicators.append(
            SheetRow(
                view=view,
                pk=row.pk,
                findings=by_row.get(f"ind-{view.index}", []),
                changed=marks.indicators.get(row.pk, set()),
                reviewer_score=typed.get(score_name, num(row.reviewer_score) or ""),
                review_comment=typed.get(comment_name, row.review_comment),
                errors=[_as_reviewers(m, row.level3) for m in errors.get(score_name, [])]
                + errors.get(comment_name, []),
                evidence=evidence.get(row.pk, []),
            )
        )
    task_list = list(report.tasks.all())
    findings = [{**f, "href": _finding_href(f, stored, task_list)} for f in payload["findings"]]
    tasks = []
    for task, row in zip(task_list, presenters.task_rows(form, payload), strict=True):
        row["pk"] = task.pk
        row["changed"] = marks.tasks.get(task.pk, set())
        tasks.append(row)
    budget = presenters.budget_rows(report, form, payload)
    for line in budget:
        line["changed"] = line["key"] in marks.budget
    narrative = [
        {**section, "changed": section["key"] in marks.narrative} for section in presenters.narrative_sections(form)
    ]
    return {
        "payload": payload,
        "indicators": indicators,
        "tasks": tasks,
        "budget": budget,
        "execution_self_score": form.value("execution_self_score"),
        "execution_changed": "self_score" in marks.budget,
        "narrative": narrative,
        "header_changed": marks.header,
        "levels": presenters.shown_levels(views),
        "findings": findings,
        "reviewer": reviewer,
        "L": {"points": _("分"), "rule": _("规则"), "self": _("自评")},
    }


def reviewer_view(report: Report, total, grade: str, explanation: str = "") -> dict | None:
    """The reviewer total as the pages show it: 审核得分 (the final score) once approved, 审核总分 before."""
    if total is None:
        return None
    final = report.state in Report.FINAL_STATES
    return {
        "label": _("审核得分") if final else _("审核总分"),
        "total": presenters.score_text(total),
        "grade": grade_label(grade),
        "grade_key": grade_key(grade),
        "explanation": explanation_text(explanation),
        "final": final,
    }


def _as_reviewers(message: str, level3: str) -> str:
    """An engine message about a score, said of the reviewer's score, without the row's name.

    The review service checks a reviewer score by scoring the report with it in place of
    the department's, so the engine calls it 自评.
    """
    prefix = f"{level3}："
    if message.startswith(prefix):
        message = message[len(prefix) :]
    return message.replace("自评", _("审核得分"), 1)


def _finding_href(f: dict, indicators: list, tasks: list) -> str:
    """Where on the page a finding (presenters.finding_view) is about."""
    row = f.get("row") or ""
    kind, _sep, index = row.partition("-")
    if kind == "ind" and index.isdigit() and int(index) < len(indicators):
        return f"#row-{indicators[int(index)].pk}"
    if kind == "task" and index.isdigit() and int(index) < len(tasks):
        return f"#task-{tasks[int(index)].pk}"
    if kind == "budget":
        return "#budget-table"
    target = f.get("target") or ""
    if target.startswith("narrative_"):
        return "#narrative-" + target.removeprefix("narrative_")
    if f.get("anchor") == "execution":
        return "#budget-table"
    if f.get("anchor"):
        return "#indicator-table"
    return ""


# ------------------------------------------------------------------------------ the timeline


@dataclass
class TimelineEntry:
    event: ReportEvent
    kind: str  # transition, change, comment, import, rectification
    title: str
    detail: str = ""  # a reason, a message
    old: str = ""
    new: str = ""
    from_state: str = ""
    to_state: str = ""
    diff: TextDiff | None = None  # word-level marks of old → new


def timeline(events: list[ReportEvent]) -> list[TimelineEntry]:
    """Events in words: who, when, what, old → new. A submit event's snapshot is never shown."""
    entries = []
    for e in events:
        if e.kind == ReportEvent.Kind.TRANSITION:
            entries.append(
                TimelineEntry(
                    e,
                    e.kind,
                    ACTION_LABELS.get(e.action, e.action),
                    detail=e.message,
                    from_state=STATE_LABELS.get(e.from_state, e.from_state),
                    to_state=STATE_LABELS.get(e.to_state, e.to_state),
                )
            )
        elif e.kind in (ReportEvent.Kind.CHANGE, ReportEvent.Kind.COMMENT):
            title = e.label or e.field
            entries.append(
                TimelineEntry(
                    e,
                    e.kind,
                    title,
                    detail=e.message,
                    old=e.old_value,
                    new=e.shown_value,
                    diff=text_diff(e.old_value, e.shown_value),
                )
            )
        elif e.kind == ReportEvent.Kind.RECTIFICATION:
            title = rectification.ACTION_LABELS.get(e.action, e.action)
            # The item's requirement is the label; the message repeats it on issue.
            detail = e.message if e.action != "rectification_issue" else ""
            entries.append(TimelineEntry(e, e.kind, title, detail=detail, old=e.label))
        else:
            entries.append(TimelineEntry(e, e.kind, e.get_kind_display(), detail=e.message))
    return entries


def grade_key(grade: str) -> str:
    return GRADE_KEYS.get(grade, "none")
