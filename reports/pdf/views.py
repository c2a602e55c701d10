"""Print preview, background PDF requests with a status the page polls, and archived PDFs.

Every report comes through reports.selectors.report_get (another department's report
is a 404), except the latest archive copy of a published report, which is public (its
evidence zip never is).
"""

from __future__ import annotations

import base64
import hashlib
import logging

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reports.models import Report, ReportArchive, ReportRender
from reports.pdf.archive import ArchiveCorrupt, archive_latest, archive_read, evidence_bundle_read, media_path
from reports.pdf.context import PARTS
from reports.pdf.render import print_report, render_html
from reports.pdf.services import RenderLimited, render_request
from reports.selectors import report_get

logger = logging.getLogger(__name__)
PART_LABELS = dict(ReportRender.Part.choices)


def _part(value: str | None) -> str:
    return value if value in PARTS else "both"


def _filename(report: Report, part: str, suffix: str = "") -> str:
    what = {"both": "部门整体绩效自评报告及自评表", "narrative": "部门整体绩效自评报告", "table": "部门整体绩效自评表"}
    return f"{report.round.year}年度{report.department.display_name}{what[part]}{suffix}.pdf"


@login_required
@require_GET
def print_preview(request, pk: int):
    """The same HTML the PDF is made from, with a toolbar that does not print."""
    report = report_get(user=request.user, pk=pk)
    part = _part(request.GET.get("part"))
    p = print_report(report.pk, part=part)
    extra = {
        "parts": [(key, PART_LABELS[key]) for key in PARTS],
        "latest_archive": archive_latest(report),
    }
    return HttpResponse(render_html(p, preview=True, request=request, extra=extra))


@login_required
@require_POST
def pdf_request(request, pk: int):
    report = report_get(user=request.user, pk=pk)
    part = _part(request.POST.get("part"))
    try:
        render_obj = render_request(report=report, actor=request.user, part=part)
    except RenderLimited as exc:
        context = {"report": report, "part": part, "message": exc.message}
        response = render(request, "pdf/limited.html", context, status=429)
        response["Retry-After"] = "60"
        return response
    # One click: a render already done (the worker was quick, or tasks run inline) is the
    # download itself; otherwise the status page, which starts the download when it is ready.
    render_obj.refresh_from_db(fields=["status"])
    if render_obj.status == ReportRender.Status.DONE:
        return redirect("pdf:file", pk=report.pk, render_id=render_obj.pk)
    return redirect(reverse("pdf:status", args=[report.pk, render_obj.pk]) + "?download=1")


def _status_payload(report: Report, render_obj: ReportRender) -> dict:
    done = render_obj.status == ReportRender.Status.DONE
    return {
        "id": render_obj.pk,
        "status": render_obj.status,
        "label": render_obj.get_status_display(),
        "finished": render_obj.status in (ReportRender.Status.DONE, ReportRender.Status.FAILED),
        "url": reverse("pdf:file", args=[report.pk, render_obj.pk]) if done else None,
        "error": render_obj.error,
    }


@login_required
@require_GET
def pdf_status(request, pk: int, render_id: int):
    report = report_get(user=request.user, pk=pk)
    render_obj = get_object_or_404(ReportRender, pk=render_id, report=report)
    payload = _status_payload(report, render_obj)
    if request.GET.get("format") == "json":
        return JsonResponse(payload)
    context = {
        "report": report,
        "render": render_obj,
        "payload": payload,
        "download": request.GET.get("download") == "1",
    }
    return render(request, "pdf/status.html", context)


@login_required
@require_GET
def pdf_file(request, pk: int, render_id: int):
    report = report_get(user=request.user, pk=pk)
    render_obj = get_object_or_404(
        ReportRender.objects.select_related("archive"), pk=render_id, report=report, status=ReportRender.Status.DONE
    )
    if render_obj.archive is not None or render_obj.purpose == ReportRender.Purpose.ARCHIVE:
        # An archive render's file is the archive itself: served only through the hash check.
        archive = render_obj.archive or ReportArchive.objects.filter(report=report, file=render_obj.file.name).first()
        if archive is None:
            raise Http404(_("该报告没有此版本的归档文件。"))
        return serve_archive(request, archive, report, attachment=True)
    try:
        data = media_path(render_obj.file.name).read_bytes()
    except (OSError, ArchiveCorrupt):
        raise Http404(_("文件已不存在，请重新生成。")) from None
    return _pdf_response(data, _filename(report, render_obj.part), attachment=True)


def _pdf_response(data: bytes, filename: str, *, attachment: bool, sha256: str | None = None) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(attachment, filename)
    response["X-Content-Type-Options"] = "nosniff"
    if sha256:
        response["ETag"] = f'"{sha256}"'
        digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
        response["Repr-Digest"] = f"sha-256=:{digest}:"
    return response


@require_GET
def archive_file(request, pk: int, version: int | None = None):
    """An archived PDF, checked against its SHA-256 before a byte is sent.

    The latest copy of a published report is public; anything else needs the
    report to be visible to the user (another department's: 404).
    """
    public = Report.objects.filter(pk=pk, state=Report.State.PUBLISHED).select_related("round", "department")
    report = public.first()
    archives = ReportArchive.objects.filter(report_id=pk)
    latest = archives.order_by("-version").first()
    wanted = latest if version is None else archives.filter(version=version).first()
    if report is None or wanted is None or wanted != latest:
        report = report_get(user=request.user, pk=pk)  # 404 for whoever may not see it
    if wanted is None:
        raise Http404(_("该报告没有此版本的归档文件。"))
    return serve_archive(request, wanted, report, attachment=False)


def serve_archive(request, archive: ReportArchive, report: Report, *, attachment: bool) -> HttpResponse:
    """The one way an archived PDF leaves the server: its bytes only if they still have the recorded SHA-256."""
    try:
        data = archive_read(archive)
    except ArchiveCorrupt as exc:
        logger.error(
            "archive %s (report %s v%s) failed its SHA-256 check: %s", archive.pk, report.pk, archive.version, exc
        )
        return render(request, "pdf/archive_corrupt.html", {"report": report, "archive": archive}, status=500)
    filename = _filename(report, "both", f"（归档第{archive.version}版）")
    return _pdf_response(data, filename, attachment=attachment, sha256=archive.sha256)


@login_required
@require_GET
def archive_evidence(request, pk: int, version: int):
    """The evidence zip of an archive version: never public, only to those who may read the report,
    and only after its SHA-256 matches the archive record."""
    report = report_get(user=request.user, pk=pk)
    archive = ReportArchive.objects.filter(report=report, version=version).exclude(evidence_file="").first()
    if archive is None:
        raise Http404(_("该版本的归档没有佐证材料包。"))
    try:
        data = evidence_bundle_read(archive)
    except ArchiveCorrupt as exc:
        logger.error("evidence bundle of archive %s (report %s v%s): %s", archive.pk, report.pk, version, exc)
        return render(request, "pdf/archive_corrupt.html", {"report": report, "archive": archive}, status=500)
    response = HttpResponse(data, content_type="application/zip")
    filename = f"{report.round.year}-{report.department.code}-归档第{version}版-佐证材料.zip"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["ETag"] = f'"{archive.evidence_sha256}"'
    return response
