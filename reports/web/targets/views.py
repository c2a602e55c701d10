"""绩效目标申报 and 目标调整: the department declares and asks, the bureau returns or approves.

One page serves both: the department fills the targets while the declaration is a draft or
returned; the reviewer sees the same table with return/approve, and the adjustment requests.
Every report comes through `selectors.report_get` (another department's is a 404); every
write goes through reports.services.targets, which checks the actor's right (403 here).
"""

from __future__ import annotations

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from indicators.models import Sign
from reports import selectors
from reports.models import Report, ReportEvent, TargetAdjustment, declaration_of
from reports.services import targets as targets_service
from reports.services.workflow import ACTION_LABELS
from reports.web.report.views import _labelled

SIGNS = [("", "—"), *Sign.choices]
TARGET_ACTIONS = (
    "targets_save",
    "targets_submit",
    "targets_return",
    "targets_approve",
    "adjust_request",
    "adjust_approve",
    "adjust_reject",
)
EVENTS_SHOWN = 30
DONE = {
    "targets_submit": gettext_lazy("绩效目标已送审，等待财政局审核。"),
    "targets_return": gettext_lazy("绩效目标已退回部门修改。"),
    "targets_approve": gettext_lazy("绩效目标已审核通过。"),
}


def _load(request, pk: int) -> Report:
    """The user's report (404 for another department's) with its rows and declaration."""
    return selectors.report_get(user=request.user, pk=pk, full=True)


def _rows(report: Report, posted: dict | None, errors: dict) -> list[dict]:
    rows = []
    for i, row in enumerate(report.indicators.all()):
        values = {"sign": row.sign, "target_text": row.target_text, "unit": row.unit}
        if posted is not None:
            values = {name: posted.get(f"ind-{i}-{name}", "") for name in values}
        rows.append(
            {
                "i": i,
                "row": row,
                "v": values,
                "errors": {name: errors.get(f"indicators.{i}.{name}", []) for name in values},
                "display": targets_service.target_display(row.sign, row.target_text, row.unit),
                "declared": targets_service.target_display(
                    row.declared_sign, row.declared_target_text, row.declared_unit
                ),
            }
        )
    return rows


def _render(request, report: Report, *, posted=None, errors=None, status=200, extra=None):
    errors = errors or {}
    user = request.user
    declaration = declaration_of(report)
    state = declaration.state if declaration else Report.State.DRAFT
    actions = targets_service.allowed_actions(report=report, user=user)
    can_edit = "targets_submit" in actions
    is_reviewer = rules.has_perm("reports.review_report_object", user, report)
    adjustments = list(
        TargetAdjustment.objects.filter(report=report)
        .select_related("requested_by", "decided_by")
        .order_by("-requested_at", "-pk")
    )
    pending = {a.indicator_id for a in adjustments if a.state == TargetAdjustment.State.PENDING}
    events = ReportEvent.objects.filter(report=report, action__in=TARGET_ACTIONS).select_related("actor")
    context = {
        "report": report,
        "declaration": declaration,
        "state": state,
        "state_label": Report.State(state).label,
        "rows": _rows(report, posted, errors),
        "signs": SIGNS,
        "can_edit": can_edit,
        "actions": actions,
        "action_labels": ACTION_LABELS,
        "can_request": (
            state == Report.State.APPROVED
            and report.editable
            and rules.has_perm("reports.edit_report_object", user, report)
        ),
        "can_decide": is_reviewer and state == Report.State.APPROVED and report.editable,
        "adjustments": adjustments,
        "pending": pending,
        "events": _labelled(events.order_by("-created_at", "-pk")[:EVENTS_SHOWN]),
        "errors": errors,
        "form_errors": errors.get("__all__", []),
        **(extra or {}),
    }
    return render(request, "reports/targets.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def targets_page(request, pk: int):
    """The declaration: GET shows it; POST saves the department's targets (and submits with "submit")."""
    report = _load(request, pk)
    if request.method == "GET":
        return _render(request, report)
    if not rules.has_perm("reports.edit_report_object", request.user, report):
        raise PermissionDenied(_("您无权修改该报告的绩效目标。"))
    try:
        count = int(request.POST.get("ind-TOTAL_FORMS", ""))
        version = int(request.POST.get("version", ""))
    except ValueError:
        count, version = 0, None
    items = [
        {
            "id": _int(request.POST.get(f"ind-{i}-id")),
            "sign": request.POST.get(f"ind-{i}-sign", ""),
            "target_text": request.POST.get(f"ind-{i}-target_text", ""),
            "unit": request.POST.get(f"ind-{i}-unit", ""),
        }
        for i in range(min(count, 2000))
    ]
    try:
        changes = targets_service.targets_save(report=report, actor=request.user, items=items, expected_version=version)
        if request.POST.get("submit"):
            targets_service.targets_transition(report=report, action="targets_submit", actor=request.user)
            messages.success(request, DONE["targets_submit"])
        elif changes:
            messages.success(request, _("绩效目标已保存（%(n)d 处修改）。") % {"n": len(changes)})
        else:
            messages.info(request, _("没有需要保存的修改。"))
    except targets_service.TargetsLocked as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("report_targets", pk=report.pk)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        messages.error(request, _("未保存：请按提示修改。"))
        return _render(request, _load(request, pk), posted=request.POST, errors=errors, status=400)
    return redirect("report_targets", pk=report.pk)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_POST
def targets_transition_view(request, pk: int):
    """The bureau returns (with a reason) or approves the declaration; the department submits."""
    report = _load(request, pk)
    action = request.POST.get("action", "")
    if action not in targets_service.ACTIONS:
        return redirect("report_targets", pk=report.pk)
    try:
        targets_service.targets_transition(
            report=report,
            action=action,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            expected_version=_int(request.POST.get("version")),
        )
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        messages.error(request, " ".join(m for msgs in errors.values() for m in msgs))
        return _render(request, report, errors=errors, status=400, extra={"reason": request.POST.get("reason", "")})
    messages.success(request, DONE[action])
    return redirect("report_targets", pk=report.pk)


@login_required
@require_http_methods(["GET", "POST"])
def adjust_page(request, pk: int, row_pk: int):
    """目标调整申请: the department proposes a new target for one approved row, with a reason."""
    report = _load(request, pk)
    row = next((r for r in report.indicators.all() if r.pk == row_pk), None)
    if row is None:
        raise Http404
    if not rules.has_perm("reports.edit_report_object", request.user, report):
        raise PermissionDenied(_("您无权申请调整该报告的绩效目标。"))
    values = {"sign": row.sign, "target_text": row.target_text, "unit": row.unit, "reason": ""}
    errors: dict = {}
    status = 200
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in values}
        try:
            targets_service.adjustment_request(report=report, indicator_id=row.pk, actor=request.user, **values)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            status = 400
        else:
            messages.success(request, _("目标调整申请已提交，等待财政局审核。"))
            return redirect("report_targets", pk=report.pk)
    context = {
        "report": report,
        "row": row,
        "current": targets_service.target_display(row.sign, row.target_text, row.unit),
        "values": values,
        "errors": errors,
        "form_errors": errors.get("__all__", []),
        "signs": SIGNS,
    }
    return render(request, "reports/target_adjust.html", context, status=status)


@login_required
@require_POST
def adjustment_decide_view(request, pk: int, adjustment_pk: int):
    """The bureau approves or rejects (with a note) one adjustment request."""
    report = _load(request, pk)
    adjustment = get_object_or_404(TargetAdjustment.objects.filter(report=report), pk=adjustment_pk)
    try:
        targets_service.adjustment_decide(
            report=report,
            adjustment_id=adjustment.pk,
            actor=request.user,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("report_targets", pk=report.pk)
    if request.POST.get("decision") == "approve":
        messages.success(request, _("目标调整已批准，指标值已更新。"))
    else:
        messages.success(request, _("目标调整未予批准。"))
    return redirect("report_targets", pk=report.pk)
