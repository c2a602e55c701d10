"""Target declaration (绩效目标申报) and target adjustment (目标调整): one transaction each.

The targets are the report's rows' sign, 指标值 and 度量单位. The department fills them and
submits; the bureau returns (with a reason) or approves, through `targets_transition` and its
table, written to the report's event log like the report's own transitions. Approval copies
each row's target into its declared_* fields; from then on the form shows the targets
read-only and a change needs an adjustment request that the bureau approves.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.engine import parse_measure
from indicators.engine.types import SIGNS
from reports.interchange.store import report_to_document  # the change history compares documents
from reports.models import Report, ReportEvent, ReportIndicator, TargetAdjustment, TargetDeclaration, declaration_of
from reports.selectors import report_queryset
from reports.services import history
from reports.services.notifications import notify_after_commit
from reports.services.scoring import report_rescore
from reports.services.workflow import ACTION_LABELS, Transition, TransitionError

S = TargetDeclaration.State
TARGET_FIELDS = ("sign", "target", "target_text", "unit")

TRANSITIONS = {
    (t.source, t.action): t
    for t in (
        Transition("targets_submit", S.DRAFT, S.SUBMITTED, "reports.submit_report_object", stamp="submitted_at"),
        Transition("targets_submit", S.RETURNED, S.SUBMITTED, "reports.submit_report_object", stamp="submitted_at"),
        Transition("targets_return", S.SUBMITTED, S.RETURNED, "reports.review_report_object", reason_required=True),
        Transition("targets_approve", S.SUBMITTED, S.APPROVED, "reports.review_report_object", stamp="approved_at"),
    )
}
ACTIONS = sorted({action for _source, action in TRANSITIONS})


class TargetsLocked(ValidationError):
    """The declaration (or the report under it) is not in a state the department may change."""


def target_display(sign: str, target_text: str, unit: str) -> str:
    """One target as a person reads it: the 指标值 as typed (it usually carries its sign), and the unit."""
    text = target_text
    words = history.VALUE_WORDS["sign"]
    if sign and not text.startswith(tuple(words.values())) and not text.startswith(tuple(words)):
        text = words.get(sign, sign) + text
    return f"{text}（{unit}）" if unit and unit not in text else text


def declaration_state(report: Report) -> str:
    declaration = declaration_of(report)
    return declaration.state if declaration else S.DRAFT


def allowed_actions(*, report: Report, user) -> list[str]:
    if not report.editable:
        return []
    state = declaration_state(report)
    return [
        t.action
        for (source, _action), t in TRANSITIONS.items()
        if source == state and rules.has_perm(t.permission, user, report)
    ]


def _check_report_open(report: Report) -> None:
    if not report.editable:
        raise TargetsLocked(
            _("自评报告当前状态为“%(state)s”，绩效目标不能再变更。") % {"state": report.get_state_display()}
        )


def _lock(report: Report) -> tuple[Report, TargetDeclaration]:
    """The report (with its rows) and its declaration, both locked; the declaration is created if missing."""
    locked = report_queryset().select_for_update(of=("self",)).get(pk=report.pk)
    declaration, _created = TargetDeclaration.objects.get_or_create(report=locked)
    declaration = TargetDeclaration.objects.select_for_update().get(pk=declaration.pk)
    locked._state.fields_cache["targets"] = declaration
    return locked, declaration


@dataclass(frozen=True)
class Target:
    sign: str
    target: Decimal | None
    target_text: str
    unit: str


def parse_target(*, kind: str, sign: str, target_text: str, unit: str, path: str, errors: dict) -> Target:
    """A typed target checked against its row's kind; problems go into errors[path.field]."""
    target_text = (target_text or "").strip()
    unit = (unit or "").strip()
    sign = sign or ""
    if sign and sign not in SIGNS:
        errors.setdefault(f"{path}.sign", []).append(_("符号无效。"))
        sign = ""
    if len(target_text) > 200:
        errors.setdefault(f"{path}.target_text", []).append(_("指标值不能超过 200 个字。"))
    if len(unit) > 50:
        errors.setdefault(f"{path}.unit", []).append(_("度量单位不能超过 50 个字。"))
    if kind != "quantitative":
        if not target_text:
            errors.setdefault(f"{path}.target_text", []).append(_("请填写指标值。"))
        return Target("", None, target_text, unit)
    measure = parse_measure(target_text)
    if measure.value is None:
        errors.setdefault(f"{path}.target_text", []).append(_("定量指标的指标值须含数值，如“≥95%”“41个”。"))
    return Target(sign or measure.sign or "", measure.value, target_text, unit)


def _current(row: ReportIndicator) -> Target:
    return Target(row.sign, row.target, row.target_text, row.unit)


def _write_changes(locked: Report, before: dict, *, actor, action: str, message: str) -> list[history.Change]:
    # "指标值（数）" follows "指标值": the history names the change once, as a person typed it.
    changes = history.without_derived(history.diff_documents(before, report_to_document(locked, live=True)))
    ReportEvent.objects.bulk_create(
        ReportEvent(
            report=locked,
            actor=actor,
            kind=ReportEvent.Kind.CHANGE,
            action=action,
            field=change.path[:100],
            label=change.label[:300],
            old_value=change.old,
            new_value=change.new,
            message=message,
        )
        for change in changes
    )
    return changes


@transaction.atomic
def targets_save(*, report: Report, actor, items: list[dict], expected_version: int | None) -> list[history.Change]:
    """Save the declaration page's targets ({id, sign, target_text, unit} per row), or raise and write nothing."""
    locked, declaration = _lock(report)
    if not rules.has_perm("reports.edit_report_object", actor, locked):
        raise PermissionDenied(_("您无权修改该报告的绩效目标。"))
    _check_report_open(locked)
    if not declaration.editable:
        raise TargetsLocked(_("绩效目标当前状态为“%(state)s”，不能修改。") % {"state": declaration.get_state_display()})
    if expected_version is not None and expected_version != declaration.version:
        raise TargetsLocked(_("绩效目标已被他人修改，请刷新后再试。"), code="stale_version")
    rows = {row.pk: row for row in locked.indicators.all()}
    errors: dict[str, list[str]] = {}
    parsed: dict[int, Target] = {}
    for i, item in enumerate(items):
        row = rows.get(item.get("id"))
        if row is None or row.pk in parsed:
            errors.setdefault(f"indicators.{i}.target_text", []).append(_("该指标不属于本报告，请刷新页面。"))
            continue
        parsed[row.pk] = parse_target(
            kind=row.kind,
            sign=item.get("sign", ""),
            target_text=item.get("target_text", ""),
            unit=item.get("unit", ""),
            path=f"indicators.{i}",
            errors=errors,
        )
    if errors:
        raise ValidationError(errors)
    before = report_to_document(locked, live=True)
    changed = []
    for pk, target in parsed.items():
        row = rows[pk]
        if _current(row) != target:
            for name in TARGET_FIELDS:
                setattr(row, name, getattr(target, name))
            changed.append(row)
    if not changed:
        return []
    ReportIndicator.objects.bulk_update(changed, list(TARGET_FIELDS))
    declaration.version += 1
    declaration.save(update_fields=["version", "updated_at"])
    # The self-evaluation form posts a department row's target too: one open before this is stale.
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    changes = _write_changes(locked, before, actor=actor, action="targets_save", message="绩效目标申报")
    report_rescore(report=locked, loaded=True)
    return changes


@transaction.atomic
def targets_transition(
    *, report: Report, action: str, actor, reason: str = "", expected_version: int | None = None
) -> TargetDeclaration:
    """Submit, return or approve the declaration, or raise and write nothing."""
    locked, declaration = _lock(report)
    transition = TRANSITIONS.get((declaration.state, action))
    if transition is None:
        raise TransitionError(
            _("绩效目标当前状态“%(state)s”下不能%(action)s。")
            % {"state": declaration.get_state_display(), "action": ACTION_LABELS.get(action, action)}
        )
    # rules.has_perm, not user.has_perm: a superuser's blanket rights don't make them the department.
    if not rules.has_perm(transition.permission, actor, locked):
        raise PermissionDenied(_("您无权对该报告的绩效目标执行此操作。"))
    _check_report_open(locked)
    if expected_version is not None and expected_version != declaration.version:
        raise TransitionError(_("绩效目标已被他人修改，请刷新后再试。"), code="stale_version")
    reason = reason.strip()
    if transition.reason_required and not reason:
        raise TransitionError({"reason": _("请填写原因。")})
    rows = list(locked.indicators.all())
    if action == "targets_submit":
        errors: dict[str, list[str]] = {}
        for i, row in enumerate(rows):
            parse_target(
                kind=row.kind,
                sign=row.sign,
                target_text=row.target_text,
                unit=row.unit,
                path=f"indicators.{i}",
                errors=errors,
            )
        if errors:
            message = _("有 %(n)d 项指标的指标值未填写或无效，请先修正。") % {"n": len(errors)}
            raise TransitionError({"__all__": [message], **errors})
    previous = declaration.state
    declaration.state = transition.target
    declaration.version += 1
    fields = ["state", "version", "updated_at"]
    if transition.stamp:
        setattr(declaration, transition.stamp, timezone.now())
        fields.append(transition.stamp)
    declaration.save(update_fields=fields)
    if action == "targets_approve":
        for row in rows:
            row.target_declared = True
            row.declared_sign, row.declared_target_text, row.declared_unit = row.sign, row.target_text, row.unit
        ReportIndicator.objects.bulk_update(
            rows, ["target_declared", "declared_sign", "declared_target_text", "declared_unit"]
        )
        # The form open before approval still lets a department row's target be typed: make it stale.
        locked.version += 1
        locked.save(update_fields=["version", "updated_at"])
    ReportEvent.objects.create(
        report=locked,
        actor=actor,
        kind=ReportEvent.Kind.TRANSITION,
        action=action,
        from_state=previous,
        to_state=transition.target,
        message=reason,
    )
    notify_after_commit(report_id=locked.pk, action=action, detail=reason)
    return declaration


def _check_adjustable(locked: Report, declaration: TargetDeclaration) -> None:
    if declaration.state != S.APPROVED:
        raise TargetsLocked(_("绩效目标尚未审核通过，请直接在绩效目标申报中修改。"))
    _check_report_open(locked)


@transaction.atomic
def adjustment_request(
    *, report: Report, indicator_id: int, actor, sign: str, target_text: str, unit: str, reason: str
) -> TargetAdjustment:
    """The department asks to change one approved target, with a reason; or raise and write nothing."""
    locked, declaration = _lock(report)
    if not rules.has_perm("reports.edit_report_object", actor, locked):
        raise PermissionDenied(_("您无权申请调整该报告的绩效目标。"))
    _check_adjustable(locked, declaration)
    row = next((r for r in locked.indicators.all() if r.pk == indicator_id), None)
    if row is None:
        raise ValidationError({"indicator": _("该指标不属于本报告，请刷新页面。")})
    if not row.target_declared:
        raise TargetsLocked(_("该指标的目标未经审核（申报后新增），可直接在自评表中修改。"))
    errors: dict[str, list[str]] = {}
    target = parse_target(kind=row.kind, sign=sign, target_text=target_text, unit=unit, path="new", errors=errors)
    errors = {key.removeprefix("new."): value for key, value in errors.items()}
    reason = (reason or "").strip()
    if not reason:
        errors.setdefault("reason", []).append(_("请填写调整原因。"))
    if not errors and target == _current(row):
        errors.setdefault("target_text", []).append(_("调整后的目标与现行目标相同。"))
    if TargetAdjustment.objects.filter(indicator=row, state=TargetAdjustment.State.PENDING).exists():
        errors.setdefault("__all__", []).append(_("该指标已有待审核的调整申请。"))
    if errors:
        raise ValidationError(errors)
    adjustment = TargetAdjustment.objects.create(
        report=locked,
        indicator=row,
        level3=row.level3,
        old_sign=row.sign,
        old_target_text=row.target_text,
        old_unit=row.unit,
        sign=target.sign,
        target_text=target.target_text,
        unit=target.unit,
        reason=reason,
        requested_by=actor,
    )
    ReportEvent.objects.create(
        report=locked,
        actor=actor,
        kind=ReportEvent.Kind.CHANGE,
        action="adjust_request",
        field=f"adjustments.{adjustment.pk}",
        label=f"{row.level3} · 目标调整申请",
        old_value=target_display(row.sign, row.target_text, row.unit),
        new_value=target_display(target.sign, target.target_text, target.unit),
        message=f"调整原因：{reason}",
    )
    return adjustment


@transaction.atomic
def adjustment_decide(*, report: Report, adjustment_id: int, actor, approve: bool, note: str = "") -> TargetAdjustment:
    """The bureau approves (the row's target changes, in the history) or rejects (with a note) a request."""
    locked, declaration = _lock(report)
    adjustment = TargetAdjustment.objects.select_for_update().filter(report=locked, pk=adjustment_id).first()
    if adjustment is None:
        raise ValidationError(_("该调整申请不属于本报告，请刷新页面。"))
    if not rules.has_perm("reports.review_report_object", actor, locked):
        raise PermissionDenied(_("您无权审核该调整申请。"))
    if adjustment.state != TargetAdjustment.State.PENDING:
        raise TransitionError(_("该调整申请已审核（%(state)s）。") % {"state": adjustment.get_state_display()})
    _check_adjustable(locked, declaration)
    note = (note or "").strip()
    if not approve and not note:
        raise TransitionError({"note": _("请填写不予批准的原因。")})
    row = next((r for r in locked.indicators.all() if r.pk == adjustment.indicator_id), None)
    if row is None:
        raise TransitionError(_("该指标已不在报告中，请部门重新申请。"))
    if approve and (row.sign, row.target_text, row.unit) != (
        adjustment.old_sign,
        adjustment.old_target_text,
        adjustment.old_unit,
    ):
        raise TransitionError(_("该指标的目标在申请后已变化，请部门重新申请。"))
    adjustment.state = TargetAdjustment.State.APPROVED if approve else TargetAdjustment.State.REJECTED
    adjustment.decided_by = actor
    adjustment.decided_at = timezone.now()
    adjustment.decision_note = note
    adjustment.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    label = f"{row.level3} · 目标调整"
    if not approve:
        ReportEvent.objects.create(
            report=locked,
            actor=actor,
            kind=ReportEvent.Kind.CHANGE,
            action="adjust_reject",
            field=f"adjustments.{adjustment.pk}",
            label=label,
            old_value=target_display(row.sign, row.target_text, row.unit),
            new_value=target_display(adjustment.sign, adjustment.target_text, adjustment.unit),
            message=f"未批准：{note}",
        )
        return adjustment
    before = report_to_document(locked, live=True)
    target = parse_target(
        kind=row.kind,
        sign=adjustment.sign,
        target_text=adjustment.target_text,
        unit=adjustment.unit,
        path="row",
        errors={},
    )
    for name in TARGET_FIELDS:
        setattr(row, name, getattr(target, name))
    ReportIndicator.objects.filter(pk=row.pk).update(**{name: getattr(target, name) for name in TARGET_FIELDS})
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    message = f"目标调整已批准（调整原因：{adjustment.reason}）" + (f"；审核意见：{note}" if note else "")
    _write_changes(locked, before, actor=actor, action="adjust_approve", message=message)
    report_rescore(report=locked, loaded=True)
    return adjustment
