"""Render requests: queued here, run in the background (django-tasks), polled by the page.

A request moves queued → running → done | failed. Only `render_run` moves it out of
queued, with a compare-and-set, so a task delivered twice renders once.
"""

from __future__ import annotations

import datetime
import logging
import uuid

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.models import Report, ReportRender
from reports.pdf.archive import media_path, report_archive_create, write_once
from reports.pdf.context import FINAL_STATES, PARTS
from reports.pdf.evidence import evidence_bundle
from reports.pdf.render import render_pdf
from reports.pdf.signing import active_certificate, pdf_sign

logger = logging.getLogger(__name__)
S = ReportRender.Status
RENDER_DIR = "renders"
KEEP_DOWNLOADS = datetime.timedelta(days=1)  # rendered copies (not archives) are kept a day
# A render takes seconds of a worker's CPU: one person cannot fill the queue.
RENDERS_PER_MINUTE = 10
RENDERS_QUEUED_PER_USER = 3


class RenderLimited(Exception):
    """Too many download renders asked for by one person; nothing was recorded."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def render_request(
    *, report: Report, actor=None, part: str = "both", purpose: str = ReportRender.Purpose.DOWNLOAD
) -> ReportRender:
    """Record a request and enqueue its task once the surrounding transaction commits.

    A download already waiting for the same report and part is returned instead of a
    second one: pressing the button twice does not render twice.
    """
    if part not in PARTS:
        raise ValueError(f"part must be one of {PARTS}")
    with transaction.atomic():
        if purpose == ReportRender.Purpose.DOWNLOAD:
            _prune_downloads()
            waiting = ReportRender.objects.filter(
                report=report, part=part, purpose=purpose, status__in=(S.QUEUED, S.RUNNING)
            ).first()
            if waiting is not None:
                return waiting
            if actor is not None:
                _check_limits(actor)
        render = ReportRender.objects.create(report=report, requested_by=actor, part=part, purpose=purpose)
        transaction.on_commit(lambda: _enqueue(render.pk))
    return render


def _check_limits(actor) -> None:
    """Count the person's download requests in the database, so the limit holds across workers.

    The person's row is locked first: two requests at once are counted one after the other.
    """
    get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
    mine = ReportRender.objects.filter(requested_by=actor, purpose=ReportRender.Purpose.DOWNLOAD)
    recent = mine.filter(created_at__gte=timezone.now() - datetime.timedelta(minutes=1)).count()
    if recent >= RENDERS_PER_MINUTE:
        raise RenderLimited(
            _("生成 PDF 的请求过于频繁：每人每分钟最多 %(n)d 次，请稍后再试。") % {"n": RENDERS_PER_MINUTE}
        )
    waiting = mine.filter(status__in=(S.QUEUED, S.RUNNING)).count()
    if waiting >= RENDERS_QUEUED_PER_USER:
        raise RenderLimited(
            _("生成 PDF 的请求过于频繁：您已有 %(n)d 份 PDF 正在排队或生成，请等它们完成后再试。") % {"n": waiting}
        )


def _prune_downloads() -> None:
    old = ReportRender.objects.filter(
        purpose=ReportRender.Purpose.DOWNLOAD, created_at__lt=timezone.now() - KEEP_DOWNLOADS
    )
    for name in old.exclude(file="").values_list("file", flat=True):
        try:
            media_path(name).unlink(missing_ok=True)
        except Exception:
            logger.warning("could not remove the old rendered PDF %s", name)
    old.delete()


def report_archive_request(*, report_id: int, actor_id: int | None = None) -> ReportRender | None:
    """After an approval commits: queue the render that stores the archive copy.

    Never raises: the approval stands whatever becomes of its PDF; a failure is kept
    on the request row, for the page to show and for someone to request again.
    """
    try:
        report = Report.objects.get(pk=report_id)
        return render_request(
            report=report,
            actor=_user(actor_id),
            part="both",
            purpose=ReportRender.Purpose.ARCHIVE,
        )
    except Exception:
        logger.exception("could not queue the archive render of report %s", report_id)
        return None


def _user(user_id: int | None):
    if user_id is None:
        return None
    return get_user_model().objects.filter(pk=user_id).first()


def _enqueue(render_id: int) -> None:
    # reports.pdf.tasks imports this module for render_run: a module-level import would be a cycle
    from reports.pdf.tasks import render_report_task

    try:
        render_report_task.enqueue(render_id)
    except Exception as exc:
        logger.exception("could not enqueue render %s", render_id)
        ReportRender.objects.filter(pk=render_id, status=S.QUEUED).update(
            status=S.FAILED, error=f"无法加入后台队列：{exc}", finished_at=timezone.now()
        )


def render_run(render_id: int) -> ReportRender:
    """Do one queued request; whatever happens, the row says how it ended."""
    claimed = ReportRender.objects.filter(pk=render_id, status=S.QUEUED).update(
        status=S.RUNNING, started_at=timezone.now()
    )
    render = ReportRender.objects.select_related("report").get(pk=render_id)
    if not claimed:
        return render  # already taken by another delivery of the same task
    try:
        if render.purpose == ReportRender.Purpose.ARCHIVE:
            _run_archive(render)
        else:
            _run_download(render)
    except Exception as exc:
        logger.exception("render %s of report %s failed", render.pk, render.report_id)
        render.status = S.FAILED
        render.error = str(exc) or type(exc).__name__
        render.finished_at = timezone.now()
        render.save(update_fields=["status", "error", "finished_at"])
    return render


def _run_download(render: ReportRender) -> None:
    out = render_pdf(render.report_id, part=render.part)
    name = f"{RENDER_DIR}/{render.report_id}/{uuid.uuid4().hex}.pdf"
    write_once(name, out.pdf)
    render.file = name
    _done(render, out.warnings)


def _run_archive(render: ReportRender) -> None:
    report = Report.objects.get(pk=render.report_id)
    if report.state not in FINAL_STATES:
        raise RuntimeError(f"报告当前状态为“{report.get_state_display()}”，不再是审核通过，未归档。")
    bundle = evidence_bundle(report)  # first: a changed evidence file stops the archive
    try:
        # Without evidence, the very call every other render makes. The archive is the PDF the
        # public downloads once the report is published: no phone numbers in it.
        evidence = {"evidence": bundle.items} if bundle else {}
        out = render_pdf(report.pk, part="both", final=True, public=True, **evidence)
        # Signed with the bureau's active certificate; without one the archive is kept unsigned
        # (the admin says so) rather than the approval's PDF being lost.
        certificate = active_certificate()
        pdf, signed_at = out.pdf, None
        if certificate is not None:
            signed_at = timezone.now()
            pdf = pdf_sign(out.pdf, certificate)
        archive = report_archive_create(
            report=report,
            pdf=pdf,
            actor=render.requested_by,
            certificate=certificate,
            signed_at=signed_at,
            evidence_zip=bundle.file if bundle else None,
        )
    finally:
        if bundle is not None:
            bundle.file.close()
    render.archive = archive
    render.file = archive.file.name
    _done(render, out.warnings)


def _done(render: ReportRender, warnings: list[str]) -> None:
    if warnings:
        logger.warning("render %s of report %s: %s", render.pk, render.report_id, "; ".join(warnings))
    render.status = S.DONE
    render.warnings = "\n".join(warnings)
    render.finished_at = timezone.now()
    render.save(update_fields=["status", "file", "archive", "warnings", "finished_at"])
