"""Rectification (整改): the bureau issues items on a report, the department answers, the bureau closes.

Who and when:
- Issue: a reviewer of the report's department (or an admin), when the report is returned
  (退回, the findings are the reason), or approved/published with a grade in
  enums.RECTIFICATION_GRADES (中, 差): the result itself calls for rectification.
- Answer: the department's accountant, in any state of the report (rectification happens
  after approval), while the item is not closed; answering again replaces the answer.
- Close (销号): the bureau, once the item is answered. Reopen: the bureau, on an answered or
  closed item, with a note saying why; the item waits for the department again.

Every step locks the item, checks the table and the actor's right, and writes one ReportEvent
(kind "rectification"). The report's version is left alone: an item is not a change of the
report's figures, so a department's open form does not become stale.
"""

from __future__ import annotations

import datetime

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.enums import FINAL_STATES, RECTIFICATION_GRADES, State
from reports.models import RectificationItem, Report, ReportEvent, ReportIndicator
from reports.services.notifications import notify_after_commit

ItemState = RectificationItem.State
TEXT_MAX = 5000
ISSUE_PERMISSION = "reports.rectify_report_object"
ANSWER_PERMISSION = "reports.answer_rectification_object"

# (item state, action) -> the item's next state
ITEM_TRANSITIONS = {
    (ItemState.OPEN, "answer"): ItemState.ANSWERED,
    (ItemState.ANSWERED, "answer"): ItemState.ANSWERED,
    (ItemState.ANSWERED, "close"): ItemState.CLOSED,
    (ItemState.ANSWERED, "reopen"): ItemState.OPEN,
    (ItemState.CLOSED, "reopen"): ItemState.OPEN,
}
ACTION_LABELS = {
    "rectification_issue": gettext_lazy("下达整改事项"),
    "rectification_answer": gettext_lazy("答复整改事项"),
    "rectification_close": gettext_lazy("整改事项销号"),
    "rectification_reopen": gettext_lazy("重新打开整改事项"),
}


def can_issue(report: Report) -> bool:
    """Whether the report's state and grade call for rectification (the actor's right aside)."""
    return report.state == State.RETURNED or (report.state in FINAL_STATES and report.grade in RECTIFICATION_GRADES)


def may_issue(*, report: Report, user) -> bool:
    return can_issue(report) and rules.has_perm(ISSUE_PERMISSION, user, report)


def may_decide(*, report: Report, user) -> bool:
    return rules.has_perm(ISSUE_PERMISSION, user, report)


def may_answer(*, report: Report, user) -> bool:
    return rules.has_perm(ANSWER_PERMISSION, user, report)


def _event(item: RectificationItem, *, actor, action: str, before: str, message: str) -> ReportEvent:
    return ReportEvent.objects.create(
        report_id=item.report_id,
        actor=actor,
        kind=ReportEvent.Kind.RECTIFICATION,
        action=action,
        field=f"rectifications[{item.pk}]",
        label=item.text[:300],
        old_value=before,
        new_value=item.state,
        message=message,
    )


@transaction.atomic
def rectification_issue(
    *,
    report: Report,
    actor,
    text: str,
    indicator_id: int | None = None,
    due_date: datetime.date | None = None,
) -> RectificationItem:
    """A new open item on the report; nothing is written when it raises."""
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if not rules.has_perm(ISSUE_PERMISSION, actor, locked):
        raise PermissionDenied(_("只有财政局审核人可以下达整改事项。"))
    if not can_issue(locked):
        raise ValidationError(_("只有已退回的报告，或评价等级为“中”“差”且已审核通过或公开的报告，可以下达整改事项。"))
    errors = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = [_("请填写整改要求。")]
    elif len(text) > TEXT_MAX:
        errors["text"] = [_("整改要求不能超过 %(n)d 字。") % {"n": TEXT_MAX}]
    indicator = None
    if indicator_id is not None:
        indicator = ReportIndicator.objects.filter(report=locked, pk=indicator_id).first()
        if indicator is None:
            errors["indicator"] = [_("该指标行不属于本报告。")]
    if due_date is not None and due_date < timezone.localdate():
        errors["due_date"] = [_("整改期限不能早于今天。")]
    if errors:
        raise ValidationError(errors)
    item = RectificationItem.objects.create(
        report=locked,
        indicator=indicator,
        indicator_label=indicator.level3 if indicator else "",
        text=text,
        due_date=due_date,
        issued_by=actor,
    )
    _event(item, actor=actor, action="rectification_issue", before="", message=text)
    notify_after_commit(report_id=item.report_id, action="rectification_issue", detail=text)
    return item


def _locked_item(item: RectificationItem) -> RectificationItem:
    return RectificationItem.objects.select_for_update().select_related("report").get(pk=item.pk)


def _check_step(item: RectificationItem, action: str) -> str:
    target = ITEM_TRANSITIONS.get((item.state, action))
    if target is None:
        raise ValidationError(
            _("整改事项当前为“%(state)s”，不能%(action)s。")
            % {"state": item.get_state_display(), "action": STEP_WORDS[action]}
        )
    return target


STEP_WORDS = {
    "answer": gettext_lazy("答复"),
    "close": gettext_lazy("销号"),
    "reopen": gettext_lazy("重新打开"),
}


@transaction.atomic
def rectification_answer(*, item: RectificationItem, actor, answer: str) -> RectificationItem:
    """The department's answer (整改情况); in any state of the report."""
    locked = _locked_item(item)
    if not rules.has_perm(ANSWER_PERMISSION, actor, locked.report):
        raise PermissionDenied(_("只有本部门填报人可以答复整改事项。"))
    target = _check_step(locked, "answer")
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": [_("请填写整改情况。")]})
    if len(answer) > TEXT_MAX:
        raise ValidationError({"answer": [_("整改情况不能超过 %(n)d 字。") % {"n": TEXT_MAX}]})
    before = locked.state
    locked.state = target
    locked.answer = answer
    locked.answered_by = actor
    locked.answered_at = timezone.now()
    locked.save(update_fields=["state", "answer", "answered_by", "answered_at"])
    _event(locked, actor=actor, action="rectification_answer", before=before, message=answer)
    notify_after_commit(report_id=locked.report_id, action="rectification_answer", detail=f"{locked.text}\n—— {answer}")
    return locked


@transaction.atomic
def rectification_decide(*, item: RectificationItem, actor, action: str, note: str = "") -> RectificationItem:
    """The bureau's close (销号, note optional) or reopen (note required) of an item."""
    if action not in ("close", "reopen"):
        raise ValidationError(_("无效的操作。"))
    locked = _locked_item(item)
    if not rules.has_perm(ISSUE_PERMISSION, actor, locked.report):
        raise PermissionDenied(_("只有财政局审核人可以销号或重新打开整改事项。"))
    target = _check_step(locked, action)
    note = (note or "").strip()
    if action == "reopen" and not note:
        raise ValidationError({"note": [_("请填写重新打开的原因。")]})
    if len(note) > TEXT_MAX:
        raise ValidationError({"note": [_("说明不能超过 %(n)d 字。") % {"n": TEXT_MAX}]})
    before = locked.state
    locked.state = target
    locked.review_note = note
    if action == "close":
        locked.closed_by, locked.closed_at = actor, timezone.now()
    else:
        locked.closed_by, locked.closed_at = None, None
    locked.save(update_fields=["state", "review_note", "closed_by", "closed_at"])
    _event(locked, actor=actor, action=f"rectification_{action}", before=before, message=note)
    detail = f"{locked.text}\n—— {note}" if note else locked.text
    notify_after_commit(report_id=locked.report_id, action=f"rectification_{action}", detail=detail)
    return locked
