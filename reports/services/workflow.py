"""The one place a report changes state.

Every transition, from a web page, the admin or a command, goes through
`report_transition`: it checks the table and the actor's right on this report, locks the
row, writes the change and an event, and sends notifications after commit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from indicators.models import RuleSet, Template
from reports.enums import SNAPSHOT_FIELD
from reports.interchange.store import report_to_document
from reports.models import Report, ReportEvent
from reports.pdf.services import report_archive_request
from reports.selectors import report_queryset
from reports.services.completeness import submit_missing
from reports.services.notifications import notify_after_commit
from reports.services.scoring import report_score, reviewer_fields

S = Report.State


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str
    permission: str
    reason_required: bool = False
    stamp: str | None = None  # the report's timestamp field this transition sets


TRANSITIONS = {
    (t.source, t.action): t
    for t in (
        Transition("submit", S.DRAFT, S.SUBMITTED, "reports.submit_report_object", stamp="submitted_at"),
        Transition("submit", S.RETURNED, S.SUBMITTED, "reports.submit_report_object", stamp="submitted_at"),
        Transition("return", S.SUBMITTED, S.RETURNED, "reports.review_report_object", reason_required=True),
        Transition("approve", S.SUBMITTED, S.APPROVED, "reports.review_report_object", stamp="approved_at"),
        Transition("reopen", S.APPROVED, S.RETURNED, "reports.reopen_report_object", reason_required=True),
        Transition("reopen", S.PUBLISHED, S.RETURNED, "reports.reopen_report_object", reason_required=True),
        Transition("publish", S.APPROVED, S.PUBLISHED, "reports.publish_report_object", stamp="published_at"),
    )
}
ACTIONS = sorted({action for _source, action in TRANSITIONS})
# "action" context: 审核通过 is also a state's name, and English needs "Approve" here.
ACTION_LABELS = {
    "submit": pgettext_lazy("action", "送审"),
    "return": pgettext_lazy("action", "退回"),
    "approve": pgettext_lazy("action", "审核通过"),
    "reopen": pgettext_lazy("action", "重新打开"),
    "publish": pgettext_lazy("action", "公开"),
    # The target declaration's (reports.services.targets), written to the same event log.
    "targets_save": pgettext_lazy("action", "保存绩效目标"),
    "targets_submit": pgettext_lazy("action", "绩效目标送审"),
    "targets_return": pgettext_lazy("action", "绩效目标退回"),
    "targets_approve": pgettext_lazy("action", "绩效目标审核通过"),
    "adjust_request": pgettext_lazy("action", "申请目标调整"),
    "adjust_approve": pgettext_lazy("action", "批准目标调整"),
    "adjust_reject": pgettext_lazy("action", "不批准目标调整"),
}


class TransitionError(ValidationError):
    pass


class MissingRequired(TransitionError):
    """送审 refused: required parts are blank (`findings`, each with where it belongs)."""

    def __init__(self, findings):
        super().__init__(
            _("还有 %(n)d 项必填内容未填写，请先填写后再送审。") % {"n": len(findings)}, code="required_missing"
        )
        self.findings = findings


def allowed_actions(*, report: Report, user) -> list[str]:
    return [
        t.action
        for (source, _action), t in TRANSITIONS.items()
        if source == report.state and rules.has_perm(t.permission, user, report)
    ]


@transaction.atomic
def report_transition(
    *, report: Report, action: str, actor, reason: str = "", override: str = "", expected_version=None
) -> Report:
    """Move a report to its next state or raise; nothing is written when it raises."""
    locked = Report.objects.select_for_update().select_related("round").get(pk=report.pk)
    transition = TRANSITIONS.get((locked.state, action))
    if transition is None:
        raise TransitionError(
            _("当前状态“%(state)s”下不能%(action)s。")
            % {"state": locked.get_state_display(), "action": ACTION_LABELS.get(action, action)}
        )
    # rules.has_perm, not user.has_perm: a superuser's blanket rights don't make them the department.
    if not rules.has_perm(transition.permission, actor, locked):
        raise PermissionDenied(_("您无权对该报告执行此操作。"))
    if expected_version is not None and locked.version != expected_version:
        raise TransitionError(_("报告已被他人修改，请刷新后再试。"), code="stale_version")
    reason = reason.strip()
    if transition.reason_required and not reason:
        raise TransitionError({"reason": _("请填写原因。")})
    if action == "submit" and locked.error_count:
        raise TransitionError(_("报告还有 %(n)d 个错误，请先修正。") % {"n": locked.error_count})
    if action == "submit":
        missing = submit_missing(report_queryset().get(pk=locked.pk))
        if missing:
            raise MissingRequired(missing)
    if action == "approve" and locked.error_count and not override.strip():
        raise TransitionError(_("报告还有 %(n)d 个错误；如仍要通过，请填写理由。") % {"n": locked.error_count})
    previous = locked.state
    locked.state = transition.target
    locked.version += 1
    fields = ["state", "version", "updated_at"]
    if transition.stamp:
        setattr(locked, transition.stamp, timezone.now())
        fields.append(transition.stamp)
    if action == "approve":
        # What the public page, PDFs and exports read from now on (see store.frozen_document).
        loaded = report_queryset().get(pk=locked.pk)
        locked.frozen_document = report_to_document(loaded, live=True)
        # The final score (审核得分) is the reviewer total of exactly what is approved.
        reviewer = reviewer_fields(loaded, report_score(loaded))
        for name, value in reviewer.items():
            setattr(locked, name, value)
        fields.extend(["frozen_document", *reviewer])
    elif action == "reopen":
        locked.frozen_document = None
        fields.append("frozen_document")
    locked.save(update_fields=fields)
    if transition.target in Report.FROZEN_STATES:
        _freeze_configuration(locked)
    message = reason or ""
    if override.strip():
        message = (message + "\n" if message else "") + _("带错误通过的理由：") + override.strip()
    ReportEvent.objects.create(
        report=locked,
        actor=actor,
        kind=ReportEvent.Kind.TRANSITION,
        action=action,
        from_state=previous,
        to_state=transition.target,
        message=message,
        # What was submitted, whole: the reviewer compares submissions against it.
        field=SNAPSHOT_FIELD if action == "submit" else "",
        new_value=_snapshot(locked) if action == "submit" else "",
    )
    if action == "approve":
        transaction.on_commit(lambda: _archive(locked.pk, actor.pk), robust=True)
    notify_after_commit(report_id=locked.pk, action=action)
    return locked


def _document(report: Report) -> dict:
    return report_to_document(report_queryset().get(pk=report.pk), live=True)


def _snapshot(report: Report) -> str:
    return json.dumps(_document(report), ensure_ascii=False)


def _freeze_configuration(report: Report) -> None:
    """A submitted report's template and rule set can no longer change under it."""
    Template.objects.filter(pk=report.round.template_id, locked=False).update(locked=True)
    RuleSet.objects.filter(pk=report.round.rule_set_id, locked=False).update(locked=True)


def _archive(report_id: int, actor_id: int) -> None:
    """Queue the PDF archive copy of the approved report (reports.pdf; never raises)."""
    report_archive_request(report_id=report_id, actor_id=actor_id)
