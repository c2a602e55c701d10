"""Writes to a report from its form: one transaction each, history written alongside.

`report_apply` puts what the accountant typed onto a loaded report in memory (no
database); the live score and the save both use it, so what is scored while typing is
what is saved. `report_save` locks the row, checks the version the form started from,
applies, writes the rows and one ReportEvent per changed figure or text, bumps the
version and rescores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from departments.models import BudgetLine, budget_frozen, budget_frozen_message
from departments.selectors import access_for
from indicators import engine
from indicators.engine import parse_measure
from indicators.engine.types import KINDS, SIGNS, TIERS
from indicators.models import TemplateIndicator
from reports.interchange.document import num
from reports.interchange.store import report_to_document  # the change history compares documents
from reports.models import NARRATIVE_FIELDS, Report, ReportEvent, ReportIndicator, ReportTask, indicator_definition
from reports.selectors import budget_lines, report_get, report_queryset
from reports.services import history
from reports.services.scoring import (
    report_engine_input,
    report_score,
    reviewer_fields,
    score_fields,
    store_findings,
)

HEADER_FIELDS = ("contact", "preamble", "goal", "goal_completion", "weight_note")
BUDGET_FIELDS = ("initial", "annual", "executed")
TASK_TEXT = ("name", "content", "completion")
TASK_AMOUNTS = ("budget", "budget_fiscal", "executed", "executed_fiscal")
CUSTOM_ONLY = ("level3", "kind", "sign", "target_text", "unit")
# A row whose target the bureau approved (reports.services.targets): the form may not change these.
APPROVED_TARGET = ("kind", "sign", "target_text", "unit")


class ReportLocked(ValidationError):
    """The report is not in a state its department may edit."""


class ReportConflict(Exception):
    """Someone saved the report after the version this form started from."""

    def __init__(self, *, expected: int | None, current: int):
        super().__init__(
            _("报告已被他人修改（您编辑的是第 %(mine)s 版，当前为第 %(current)s 版）。")
            % {
                "mine": expected if expected is not None else "?",
                "current": current,
            }
        )
        self.expected = expected
        self.current = current


@dataclass
class Plan:
    """What applying a form to a report would write."""

    report_fields: set[str] = field(default_factory=set)
    lines: list[BudgetLine] = field(default_factory=list)
    tasks: list[ReportTask] = field(default_factory=list)
    tasks_changed: dict[int, set[str]] = field(default_factory=dict)  # pk -> fields
    tasks_removed: list[int] = field(default_factory=list)
    indicators: list[ReportIndicator] = field(default_factory=list)
    indicators_changed: dict[int, set[str]] = field(default_factory=dict)
    indicators_removed: list[int] = field(default_factory=list)
    # For each row of the form, the row it became (None: a blank new row, skipped).
    task_rows: list[ReportTask | None] = field(default_factory=list)
    indicator_rows: list[ReportIndicator | None] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def error(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)


@dataclass
class SaveResult:
    report: Report
    result: engine.ReportResult | None
    changes: list[history.Change]
    plan: Plan


def _set(obj, name: str, value, changed: set[str]) -> None:
    if getattr(obj, name) != value:
        setattr(obj, name, value)
        changed.add(name)


def _measured(text: str) -> Decimal | None:
    """The number of a typed actual when it is a measurement ("41个", "94.47%"), not "≥80%"."""
    measure = parse_measure(text)
    if measure.value is None or measure.has_operator:
        return None
    return measure.value


def actual_display(row: ReportIndicator) -> str:
    """What the 实际完成值 cell shows: the text as typed, else the stored number."""
    return row.actual_text or num(row.actual) or ""


def report_apply(*, report: Report, data: dict) -> Plan:
    """Put the form's data on `report` (loaded by report_queryset) in memory and say what changed.

    After it, `report_to_document(report)` describes the report as it would be saved.
    Structural problems (a template row removed, a row of another report, a group the
    template does not have) are collected in `plan.errors` by path ("indicators.3.level3").
    """
    plan = Plan()
    for name in HEADER_FIELDS:
        _set(report, name, data.get(name, ""), plan.report_fields)
    narrative = data.get("narrative") or {}
    for name in NARRATIVE_FIELDS:
        _set(report, name, narrative.get(name.split("_")[1], ""), plan.report_fields)
    _set(report, "execution_self_score", data.get("execution_self_score"), plan.report_fields)

    lines = dict(budget_lines(report))
    for row in BudgetLine.ROW_ORDER:
        values = (data.get("budget") or {}).get(row) or {}
        line = lines.get(row)
        if line is None:
            if all(values.get(name) is None for name in BUDGET_FIELDS):
                continue
            line = BudgetLine(department_id=report.department_id, year=report.round.year, row=row)
            lines[row] = line
        changed: set[str] = set()
        for name in BUDGET_FIELDS:
            _set(line, name, values.get(name), changed)
        if changed or line.pk is None:
            plan.lines.append(line)
    report._budget_lines = lines

    _apply_tasks(report, data.get("tasks") or [], plan)
    _apply_indicators(report, data.get("indicators") or [], plan)
    return plan


def _apply_tasks(report: Report, items: list[dict], plan: Plan) -> None:
    existing = {task.pk: task for task in report.tasks.all()}
    seen: set[int] = set()
    for i, item in enumerate(items):
        pk = item.get("id")
        if pk:
            task = existing.get(pk)
            if task is None or pk in seen:
                plan.error(f"tasks.{i}.name", _("该任务不属于本报告，请刷新页面。"))
                plan.task_rows.append(None)
                continue
            seen.add(pk)
        elif item.get("blank"):
            plan.task_rows.append(None)
            continue
        else:
            task = ReportTask(report=report)
        changed: set[str] = set()
        for name in TASK_TEXT:
            _set(task, name, item.get(name) or "", changed)
        for name in TASK_AMOUNTS:
            _set(task, name, item.get(name), changed)
        if not task.name.strip():
            plan.error(f"tasks.{i}.name", _("请填写任务名称。"))
        _set(task, "order", len(plan.tasks), changed)
        if task.pk and changed:
            plan.tasks_changed[task.pk] = changed
        plan.tasks.append(task)
        plan.task_rows.append(task)
    plan.tasks_removed = [pk for pk in existing if pk not in seen]
    report._prefetched_objects_cache["tasks"] = plan.tasks


def _apply_indicators(report: Report, items: list[dict], plan: Plan) -> None:
    existing = {row.pk: row for row in report.indicators.all()}
    groups = {(row.level1, row.level2) for row in existing.values()}
    seen: set[int] = set()
    for i, item in enumerate(items):
        pk = item.get("id")
        if pk:
            row = existing.get(pk)
            if row is None or pk in seen:
                plan.error(f"indicators.{i}.level3", _("该指标不属于本报告，请刷新页面。"))
                plan.indicator_rows.append(None)
                continue
            seen.add(pk)
        elif item.get("blank"):
            plan.indicator_rows.append(None)
            continue
        else:
            row = ReportIndicator(report=report, level1=item.get("level1", ""), level2=item.get("level2", ""))
            if (row.level1, row.level2) not in groups:
                plan.error(f"indicators.{i}.level3", _("只能在模板已有的一级、二级指标下增加指标。"))
        changed: set[str] = set()
        if row.is_custom and row.target_declared:
            _refuse_target_change(row, item, i, plan, changed)
        elif row.is_custom:
            _apply_custom_definition(row, item, i, plan, changed)
        _set(row, "weight", item.get("weight"), changed)
        if row.kind == "qualitative":
            tier = item.get("tier") or ""
            if tier and tier not in TIERS:
                plan.error(f"indicators.{i}.tier", _("完成档次无效。"))
            else:
                _set(row, "tier", tier, changed)
        text = item.get("actual_text") or ""
        if text != actual_display(row) or "kind" in changed:
            _set(row, "actual_text", text, changed)
            if row.kind == "quantitative":
                _set(row, "actual", _measured(text), changed)
        _set(row, "self_score", item.get("self_score"), changed)
        _set(row, "reason", item.get("reason") or "", changed)
        _set(row, "order", len(plan.indicators), changed)
        if row.pk and changed:
            plan.indicators_changed[row.pk] = changed
        plan.indicators.append(row)
        plan.indicator_rows.append(row)
    plan.indicators_removed = [pk for pk in existing if pk not in seen]
    for pk in plan.indicators_removed:
        if not existing[pk].is_custom:
            plan.error("indicators", _("模板规定的指标“%(name)s”不能删除。") % {"name": existing[pk].level3})
        elif existing[pk].target_declared:
            plan.error(
                "indicators", _("指标“%(name)s”的绩效目标已审核通过，不能删除。") % {"name": existing[pk].level3}
            )
    report._prefetched_objects_cache["indicators"] = plan.indicators


def _refuse_target_change(row: ReportIndicator, item: dict, i: int, plan: Plan, changed: set[str]) -> None:
    """A department's own row once its target is approved: the name may change, the target not."""
    level3 = (item.get("level3") or "").strip()
    if not level3:
        plan.error(f"indicators.{i}.level3", _("请填写三级指标名称。"))
    _set(row, "level3", level3, changed)
    for name in APPROVED_TARGET:
        # The sign the form shows for a target that carries its own ("≥95%") may be posted blank.
        typed = item.get(name) or ""
        if name == "sign" and not typed:
            continue
        if name == "kind" and not typed:
            typed = "qualitative"
        if typed != getattr(row, name):
            plan.error(
                f"indicators.{i}.{name}",
                _("绩效目标已审核通过，不能直接修改；如需修改，请在“绩效目标”页申请目标调整。"),
            )


def _apply_custom_definition(row: ReportIndicator, item: dict, i: int, plan: Plan, changed: set[str]) -> None:
    """The cells only a department's own row lets it define: name, kind, sign, target, unit."""
    level3 = (item.get("level3") or "").strip()
    if not level3:
        plan.error(f"indicators.{i}.level3", _("请填写三级指标名称。"))
    _set(row, "level3", level3, changed)
    kind = item.get("kind") or "qualitative"
    if kind not in KINDS:
        plan.error(f"indicators.{i}.kind", _("指标性质无效。"))
        kind = row.kind
    _set(row, "kind", kind, changed)
    target_text = item.get("target_text") or ""
    _set(row, "target_text", target_text, changed)
    _set(row, "unit", item.get("unit") or "", changed)
    sign = item.get("sign") or ""
    if sign and sign not in SIGNS:
        plan.error(f"indicators.{i}.sign", _("符号无效。"))
        sign = ""
    if kind == "quantitative":
        measure = parse_measure(target_text)
        _set(row, "sign", sign or measure.sign or "", changed)
        _set(row, "target", measure.value, changed)
    else:
        _set(row, "sign", "", changed)
        _set(row, "target", None, changed)
        if row.actual is not None:
            _set(row, "actual", None, changed)
    if kind != "qualitative":
        _set(row, "tier", "", changed)


def report_preview(*, report: Report, data: dict) -> tuple[Plan, engine.ReportResult]:
    """Score the form as typed, without saving: the live score's one source."""
    plan = report_apply(report=report, data=data)
    return plan, report_score(report)


def _check_can_edit(report: Report, actor) -> None:
    # rules.has_perm, not actor.has_perm: a superuser's blanket rights don't make them the department.
    if not rules.has_perm("reports.edit_report_object", actor, report):
        raise PermissionDenied(_("您无权修改该报告。"))
    if not report.editable:
        raise ReportLocked(_("报告当前状态为“%(state)s”，不能修改。") % {"state": report.get_state_display()})


@transaction.atomic
def report_save(*, report_id: int, actor, data: dict, expected_version: int | None) -> SaveResult:
    """Save the form onto the report, or raise and write nothing.

    The report is read once, locked and scoped to `actor` (Http404 if not theirs to read).
    Raises PermissionDenied (not the department's accountant), ReportLocked (not draft or
    returned), ReportConflict (saved by someone else since `expected_version`) or
    ValidationError (a row the form may not add, remove or change; messages by path).
    """
    locked = report_get(user=actor, pk=report_id, full=True, for_update=True)
    _check_can_edit(locked, actor)
    if expected_version != locked.version:
        raise ReportConflict(expected=expected_version, current=locked.version)
    before = report_to_document(locked)
    plan = report_apply(report=locked, data=data)
    if plan.lines and budget_frozen(department_id=locked.department_id, year=locked.round.year):
        # The budget block is shared with the department's other reports of the year.
        plan.errors["budget"] = budget_frozen_message(locked.round.year)
    if plan.errors:
        raise ValidationError(plan.errors)
    changes = history.diff_documents(before, report_to_document(locked))
    if not changes:
        return SaveResult(report=locked, result=None, changes=[], plan=plan)

    _write_rows(locked, plan)
    # Scored from the rows in memory, which are the rows just written; the totals go out with
    # the new version in one UPDATE.
    data = report_engine_input(locked)  # built once, for the score and the reviewer total
    result = engine.score_report(data)
    totals = {**score_fields(result), **reviewer_fields(locked, result, data)}
    for name, value in totals.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.save(update_fields=[*sorted(plan.report_fields), "version", "updated_at", *totals])
    store_findings(locked, result)
    message = _("保存为第 %(version)d 版") % {"version": locked.version}
    ReportEvent.objects.bulk_create(
        ReportEvent(
            report=locked,
            actor=actor,
            kind=ReportEvent.Kind.CHANGE,
            action="save",
            field=change.path[:100],
            label=change.label[:300],
            old_value=change.old,
            new_value=change.new,
            message=message,
        )
        for change in changes
    )
    return SaveResult(report=locked, result=result, changes=changes, plan=plan)


def _write_rows(report: Report, plan: Plan) -> None:
    """The fewest statements that write the plan, whatever the number of rows."""
    lines = [line for line in plan.lines if line.pk]
    if lines:
        BudgetLine.objects.bulk_update(lines, list(BUDGET_FIELDS))
    lines = [line for line in plan.lines if not line.pk]
    if lines:
        BudgetLine.objects.bulk_create(lines)
    if plan.tasks_removed:
        ReportTask.objects.filter(report=report, pk__in=plan.tasks_removed).delete()
    changed = [t for t in plan.tasks if t.pk in plan.tasks_changed]
    if changed:
        fields = sorted(set().union(*(plan.tasks_changed[t.pk] for t in changed)))
        ReportTask.objects.bulk_update(changed, fields)
    new = [t for t in plan.tasks if t.pk is None]
    if new:
        ReportTask.objects.bulk_create(new)
    if plan.indicators_removed:
        ReportIndicator.objects.filter(report=report, pk__in=plan.indicators_removed).delete()
    changed = [r for r in plan.indicators if r.pk in plan.indicators_changed]
    if changed:
        fields = sorted(set().union(*(plan.indicators_changed[r.pk] for r in changed)))
        ReportIndicator.objects.bulk_update(changed, fields)
    new = [r for r in plan.indicators if r.pk is None]
    if new:
        ReportIndicator.objects.bulk_create(new)


def report_load(pk: int) -> Report:
    """A report with everything the form shows, in a fixed number of queries."""
    report = report_queryset().get(pk=pk)
    budget_lines(report)
    return report


@transaction.atomic
def report_start(*, round_, department, actor) -> Report:
    """The department's draft for an open round, the template's rows copied in.

    Idempotent: a report that exists already (a colleague started it, or it was imported)
    is returned as it is. When the department has a report of the year before, what carries
    over is copied from it (see `_carry_over`) and `report.prefilled_from` is that year
    (otherwise None); `report.prefill_dropped` counts its own rows left out because their
    level-1 indicator is not in this year's template.
    """
    if department.pk not in access_for(actor).accountant_of:
        raise PermissionDenied(_("只有本部门填报人可以开始填报。"))
    if not round_.is_open or not round_.departments.filter(pk=department.pk).exists():
        raise ValidationError(_("该评价任务已结束或不包含本部门，不能开始填报。"))
    report, created = Report.objects.get_or_create(round=round_, department=department)
    report.prefilled_from = None
    report.prefill_dropped = 0
    if not created:
        return report
    rows = list(
        TemplateIndicator.objects.filter(template_id=round_.template_id)
        .select_related("level1")
        .order_by("order", "pk")
    )
    indicators = [
        ReportIndicator(
            report=report,
            template_indicator=row,
            level1=row.level1_name,
            **indicator_definition(row),
            weight=row.weight,
            applicable=row.level1.applicable if row.level1_id else True,
        )
        for row in rows
    ]
    previous = _previous_report(round_, department)
    if previous is not None:
        indicators, report.prefill_dropped = _carry_over(report, previous, indicators)
        report.prefilled_from = previous.round.year
    for i, row in enumerate(indicators):
        row.order = i
    ReportIndicator.objects.bulk_create(indicators)
    # The record is in the bureau's language, whatever the actor's interface.
    message = f"按指标模板“{round_.template}”新建，复制三级指标 {len(rows)} 项"
    if previous is not None:
        message += f"；已按 {previous.round.year} 年报告预填"
        if report.prefill_dropped:
            message += f"（本部门增加的指标 {report.prefill_dropped} 项所属一级指标已不在本年度模板中，未预填）"
    ReportEvent.objects.create(
        report=report,
        actor=actor,
        kind=ReportEvent.Kind.CHANGE,
        action="start",
        label="新建报告",
        message=message,
    )
    # Not scored until the department first saves: a blank form is not a 差 in the round's
    # grades and averages (the page still scores it live).
    return report


def _names(row) -> tuple[str, str, str]:
    return (row.level1, row.level2, row.level3)


def _previous_report(round_, department) -> Report | None:
    """The department's report of the year before."""
    return (
        Report.objects.filter(department=department, round__year=round_.year - 1)
        .select_related("round")
        .prefetch_related("indicators", "tasks")
        .order_by("-round__created_at", "-pk")
        .first()
    )


def _carry_over(
    report: Report, previous: Report, indicators: list[ReportIndicator]
) -> tuple[list[ReportIndicator], int]:
    """What last year's report says that still holds this year: the contact, the tasks' names
    and contents, and the department's own rows (name, kind, target, unit, weight; their
    targets need approving again). Figures, tiers, scores, reasons, goals and the narrative
    are the new year's to write; template rows keep this template's targets and weights.

    Where the template rows are last year's, own rows keep their places among them; where the
    template changed, each goes after the last row of its level-1 (and level-2) indicator, and
    one whose level-1 indicator is gone is left out. Returns the rows and how many were left out.
    """
    report.contact = previous.contact
    report.save(update_fields=["contact"])
    ReportTask.objects.bulk_create(
        ReportTask(report=report, order=i, name=task.name, content=task.content)
        for i, task in enumerate(previous.tasks.all())
    )
    old_rows = list(previous.indicators.all())
    own = {
        old.pk: ReportIndicator(
            report=report, level1=old.level1, **indicator_definition(old), weight=old.weight, applicable=old.applicable
        )
        for old in old_rows
        if old.is_custom
    }
    wanted = [_names(row) for row in indicators]
    had = [_names(row) for row in old_rows if not row.is_custom]
    if len(set(wanted)) == len(wanted) and sorted(had) == sorted(wanted):
        by_names = {_names(row): row for row in indicators}
        return [own[old.pk] if old.is_custom else by_names[_names(old)] for old in old_rows], 0
    ordered = list(indicators)
    dropped = 0
    for new in own.values():
        group = [i for i, row in enumerate(ordered) if row.level1 == new.level1]
        if not group:
            dropped += 1
            continue
        same = [i for i in group if ordered[i].level2 == new.level2]
        ordered.insert((same or group)[-1] + 1, new)
    return ordered, dropped
