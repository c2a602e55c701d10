"""Evidence (佐证材料): the department attaches files to its report or to a row; the reviewer
marks a row whose claim lacks them. One transaction each, an event each.

Files go through Django's default storage (MEDIA_ROOT by default). Their type is read from
their bytes (perfeval.uploads): a renamed executable is refused and nothing is stored.
Uploading or deleting a file leaves the report's version alone: the files are not part of the
document the form edits, so an open form in another tab does not become stale.
"""

from __future__ import annotations

import hashlib
import unicodedata

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from perfeval.uploads import UploadRefused, check_size, max_evidence_bytes, sniff
from reports.models import Evidence, Report, ReportEvent, ReportIndicator

ACTION_UPLOAD = "evidence_upload"
ACTION_DELETE = "evidence_delete"
NAME_MAX = 255


def max_bytes() -> int:
    return max_evidence_bytes()


class EvidenceLocked(ValidationError):
    """The report is past draft/returned: its evidence is fixed with it."""


def clean_name(name: str) -> str:
    """The uploader's file name as a name only: no folders, no control characters, at most 255."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip() or "file"
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        ext = f".{ext}" if dot and len(ext) <= 10 else ""
        name = (stem if dot else name)[: NAME_MAX - len(ext)] + ext
    return name


def _row_label(indicator: ReportIndicator | None) -> str:
    return indicator.level3 if indicator is not None else _("报告")


def _lock_editable(report: Report, actor) -> Report:
    locked = Report.objects.select_for_update().get(pk=report.pk)
    # rules.has_perm, not actor.has_perm: a superuser's blanket rights don't make them the department.
    if not rules.has_perm("reports.upload_evidence_object", actor, locked):
        raise PermissionDenied(_("您无权修改该报告的佐证材料。"))
    if not locked.editable:
        raise EvidenceLocked(
            _("报告当前状态为“%(state)s”，不能上传或删除佐证材料。") % {"state": locked.get_state_display()}
        )
    return locked


@transaction.atomic
def evidence_upload(*, report: Report, actor, uploaded, indicator: ReportIndicator | None = None) -> Evidence:
    """Keep `uploaded` (an UploadedFile) as evidence of the report or of one of its rows.

    Raises PermissionDenied, EvidenceLocked, or ValidationError({"file": [...]}) for a file
    refused by size or content; then nothing is stored.
    """
    locked = _lock_editable(report, actor)
    if indicator is not None and indicator.report_id != locked.pk:
        raise PermissionDenied(_("该指标不属于这份报告。"))
    try:
        check_size(uploaded.size)  # before reading: the size the upload arrived with
        data = b"".join(uploaded.chunks())
        kind = sniff(data)
    except UploadRefused as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    item = Evidence(
        report=locked,
        indicator=indicator,
        original_name=clean_name(uploaded.name),
        content_type=kind.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=actor,
    )
    item.file.save(f"evidence{kind.extension}", ContentFile(data), save=False)
    try:
        item.save()
        ReportEvent.objects.create(
            report=locked,
            actor=actor,
            kind=ReportEvent.Kind.CHANGE,
            action=ACTION_UPLOAD,
            field="evidence",
            label=(_("佐证材料") + " · " + _row_label(indicator))[:300],
            new_value=item.original_name,
        )
    except BaseException:
        # No row points at the file just stored: it must not stay behind.
        item.file.storage.delete(item.file.name)
        raise
    return item


@transaction.atomic
def evidence_delete(*, evidence: Evidence, actor) -> None:
    """Remove a file of an editable report; the stored file goes once the deletion commits."""
    _lock_editable(evidence.report, actor)
    name, storage = evidence.file.name, evidence.file.storage
    ReportEvent.objects.create(
        report_id=evidence.report_id,
        actor=actor,
        kind=ReportEvent.Kind.CHANGE,
        action=ACTION_DELETE,
        field="evidence",
        label=(_("佐证材料") + " · " + _row_label(evidence.indicator))[:300],
        old_value=evidence.original_name,
    )
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def evidence_mark_missing(*, report: Report, indicator: ReportIndicator, actor, missing: bool) -> bool:
    """The reviewer's 缺少佐证 mark on a row of a submitted report; True when it changed."""
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if not rules.has_perm("reports.review_report_object", actor, locked):
        raise PermissionDenied(_("您无权审核该报告。"))
    if locked.state != Report.State.SUBMITTED:
        raise ValidationError(_("只有已送审的报告可以标记缺少佐证。"))
    row = ReportIndicator.objects.select_for_update().get(pk=indicator.pk, report=locked)
    if row.evidence_missing == missing:
        return False
    row.evidence_missing = missing
    row.save(update_fields=["evidence_missing"])
    ReportEvent.objects.create(
        report=locked,
        actor=actor,
        kind=ReportEvent.Kind.COMMENT,
        action="review",
        field=f"indicators[{row.order}].evidence_missing",
        label=f"{row.level3} · {_('缺少佐证')}"[:300],
        old_value=_("是") if not missing else _("否"),
        new_value=_("是") if missing else _("否"),
    )
    return True
