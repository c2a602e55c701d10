"""Pages for the standard table as a workbook and for the round summary.

- export: anyone who may see the report (another department's report is a 404);
- import: upload → preview of every change → confirm; for the department's accountant or a bureau
  admin, into a draft or returned report only; nothing is written before the confirmation, and a
  report changed since the preview is not overwritten;
- round summary (.xlsx or .csv): bureau reviewers and admins.
"""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from departments.selectors import access_for
from perfeval.spreadsheets.safety import XLSX_CONTENT_TYPE, SpreadsheetRefused, check_upload_file, max_upload_bytes
from reports import selectors
from reports.interchange.document import DocumentError
from reports.models import Round
from reports.xlsx.services import (
    report_xlsx,
    report_xlsx_apply,
    report_xlsx_filename,
    report_xlsx_preview,
)
from reports.xlsx.summary import round_summary_csv, round_summary_workbook, summary_filename

SESSION_KEY = "xlsx_import"
PREVIEW_LIMIT = 400


def _attachment(response, filename: str):
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
def table_export(request, pk: int):
    report = selectors.report_get(user=request.user, pk=pk)
    response = HttpResponse(report_xlsx(report), content_type=XLSX_CONTENT_TYPE)
    return _attachment(response, report_xlsx_filename(report))


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("自评表工作簿（.xlsx）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".xlsx," + XLSX_CONTENT_TYPE


def _report_url(report) -> str:
    try:
        return reverse("report", args=[report.pk])
    except NoReverseMatch:  # pragma: no cover - the report page is another module's
        return reverse("home")


def _can_import_somewhere(user) -> bool:
    access = access_for(user)
    return access.is_admin or bool(access.accountant_of)


@login_required
def table_import(request, pk: int | None = None):
    """Upload a filled workbook and see what would change; nothing is written here."""
    report = None
    if pk is not None:
        report = selectors.report_get(user=request.user, pk=pk)
        access = access_for(request.user)
        if not (access.is_admin or report.department_id in access.accountant_of):
            raise PermissionDenied
    elif not _can_import_somewhere(request.user):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    context = {"form": form, "report": report, "max_mb": max_upload_bytes() // (1024 * 1024)}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = check_upload_file(upload)
            preview = report_xlsx_preview(data=data, user=request.user, report=report)
        except (SpreadsheetRefused, DocumentError) as exc:
            context["errors"] = exc.errors
            return render(request, "xlsx/import.html", context, status=400)
        token = secrets.token_urlsafe(16)
        request.session[SESSION_KEY] = {
            "token": token,
            "document": preview.document,
            "version": preview.version,
            "source": upload.name[:200],
        }
        context.update(
            {
                "preview": preview,
                "token": token,
                "changes": preview.changes[:PREVIEW_LIMIT],
                "more": max(0, len(preview.changes) - PREVIEW_LIMIT),
                "source": upload.name,
            }
        )
    elif request.method == "POST":
        return render(request, "xlsx/import.html", context, status=400)
    return render(request, "xlsx/import.html", context)


@login_required
@require_POST
def table_import_confirm(request):
    """Apply the previewed import: all of it, or nothing if the report changed since."""
    pending = request.session.get(SESSION_KEY)
    if not pending or pending.get("token") != request.POST.get("token"):
        messages.error(request, _("预览已失效，请重新上传工作簿。"))
        return redirect("xlsx:import")
    try:
        report = report_xlsx_apply(
            document=pending["document"],
            user=request.user,
            version=pending["version"],
            source=f"{pending['source']}（Excel 自评表）",
        )
    except DocumentError as exc:
        del request.session[SESSION_KEY]
        context = {"form": UploadForm(), "errors": exc.errors, "max_mb": max_upload_bytes() // (1024 * 1024)}
        return render(request, "xlsx/import.html", context, status=409)
    del request.session[SESSION_KEY]
    messages.success(
        request,
        _("已导入 %(department)s %(year)s 年度自评表（草稿）。")
        % {"department": report.department.display_name, "year": report.round.year},
    )
    return redirect(_report_url(report))


def _bureau_round(request, pk: int) -> Round:
    if not access_for(request.user).is_bureau:
        raise PermissionDenied
    return get_object_or_404(Round.objects.select_related("template"), pk=pk)


@login_required
def round_summary_xlsx(request, pk: int):
    round_ = _bureau_round(request, pk)
    response = HttpResponse(round_summary_workbook(round_), content_type=XLSX_CONTENT_TYPE)
    return _attachment(response, summary_filename(round_, "xlsx"))


@login_required
def round_summary_csv_view(request, pk: int):
    round_ = _bureau_round(request, pk)
    response = StreamingHttpResponse(round_summary_csv(round_), content_type="text/csv; charset=utf-8")
    return _attachment(response, summary_filename(round_, "csv"))
