"""Evidence pages. Every report comes through `selectors.report_get` (another department's is a
404, and so are its files); uploading and deleting need `reports.upload_evidence_object` (the
department's accountant; a reviewer gets a 403) and an editable report (the service says so).
"""

from __future__ import annotations

import logging

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from perfeval.uploads import KINDS, size_text
from reports import selectors
from reports.models import Report
from reports.selectors import evidence as evidence_selectors
from reports.services import evidence as evidence_services
from reports.web.evidence.forms import EvidenceForm

logger = logging.getLogger(__name__)
EXTENSION_OF = {kind.content_type: kind.extension for kind in KINDS}
LABEL_OF = {kind.content_type: kind.label for kind in KINDS}


def _row(report: Report, value: str | None):
    """The row named by ?row= (or the form's row), None for the report itself; another report's row is a 404."""
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    return evidence_selectors.evidence_row(report, int(value))


def panel_url(report_pk: int, row=None) -> str:
    url = reverse("evidence:panel", args=[report_pk])
    return f"{url}?row={row.pk}" if row is not None else url


def can_upload(user, report: Report) -> bool:
    return report.editable and rules.has_perm("reports.upload_evidence_object", user, report)


def _decorate(items) -> list:
    for item in items:
        item.size_text = size_text(item.size)
        item.type_label = LABEL_OF.get(item.content_type, item.content_type)
    return items


@login_required
@require_http_methods(["GET", "POST"])
def panel(request, pk: int):
    """The files of a row (?row=) or of the whole report, and the form that adds one."""
    report = selectors.report_get(user=request.user, pk=pk)
    row = _row(report, request.GET.get("row") or request.POST.get("row"))
    status = 200
    form = EvidenceForm()
    if request.method == "POST":
        if not rules.has_perm("reports.upload_evidence_object", request.user, report):
            raise PermissionDenied(_("您无权修改该报告的佐证材料。"))
        form = EvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                item = evidence_services.evidence_upload(
                    report=report, actor=request.user, uploaded=form.cleaned_data["file"], indicator=row
                )
            except evidence_services.EvidenceLocked as exc:
                messages.error(request, " ".join(exc.messages))
                status = 409
            except ValidationError as exc:
                for message in exc.message_dict.get("file", exc.messages):
                    form.add_error("file", message)
                status = 400
            else:
                messages.success(request, _("已上传佐证材料：%(name)s") % {"name": item.original_name})
                return redirect(panel_url(report.pk, row))
        else:
            status = 400
    items = _decorate(evidence_selectors.evidence_list(report))
    shown = [item for item in items if item.indicator_id == row.pk] if row is not None else items
    context = {
        "report": report,
        "row": row,
        "items": shown,
        "form": form,
        "can_upload": can_upload(request.user, report),
        "report_url": reverse("report", args=[report.pk]),
        "all_url": panel_url(report.pk),
        "limit": size_text(evidence_services.max_bytes()),
        "bundles": [(a, size_text(a.evidence_size)) for a in evidence_selectors.evidence_bundles(report)],
    }
    return render(request, "evidence/panel.html", context, status=status)


def download_name(item) -> str:
    """The uploader's name, with the extension of what the file really is when the name says otherwise."""
    extension = EXTENSION_OF.get(item.content_type, "")
    name = item.original_name
    known = (extension, ".jpeg") if extension == ".jpg" else (extension,)
    return name if not extension or name.lower().endswith(known) else name + extension


@login_required
@require_GET
def download(request, pk: int, evidence_pk: int):
    report = selectors.report_get(user=request.user, pk=pk)
    item = evidence_selectors.evidence_get(report, evidence_pk)
    try:
        handle = item.file.open("rb")
    except OSError:
        logger.error("evidence %s of report %s: file %s is missing", item.pk, report.pk, item.file.name)
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=download_name(item), content_type=item.content_type)
    # Never shown inline or sniffed into something else: it is a file to save.
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def delete(request, pk: int, evidence_pk: int):
    report = selectors.report_get(user=request.user, pk=pk)
    item = evidence_selectors.evidence_get(report, evidence_pk)
    if not rules.has_perm("reports.upload_evidence_object", request.user, report):
        raise PermissionDenied(_("您无权修改该报告的佐证材料。"))
    row = item.indicator
    try:
        evidence_services.evidence_delete(evidence=item, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已删除佐证材料：%(name)s") % {"name": item.original_name})
    return redirect(panel_url(report.pk, row))
