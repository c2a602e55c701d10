"""The admin side of spreadsheet imports: the upload form and the mixin every importing admin uses."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.forms import ImportForm
from import_export.results import RowResult

from perfeval.spreadsheets.formats import SafeCSV, SafeXLSX
from perfeval.spreadsheets.safety import XLSX_CONTENT_TYPE, SpreadsheetRefused, check_upload


class SpreadsheetImportForm(ImportForm):
    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.fields["import_file"].label = "Excel 文件（.xlsx）"
        self.fields["import_file"].widget.attrs["accept"] = ".xlsx," + XLSX_CONTENT_TYPE
        self.fields["format"].label = "格式"

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_upload(upload.name, upload.size, getattr(upload, "content_type", None))
        except SpreadsheetRefused as exc:
            raise forms.ValidationError(exc.errors) from None
        return upload


class SpreadsheetAdminMixin(ImportExportMixin):
    """Import and export for an admin: .xlsx in; .xlsx or CSV out; all or nothing."""

    import_form_class = SpreadsheetImportForm
    import_template_name = "xlsx/admin_import.html"
    import_error_display = ("message",)
    formats = [SafeXLSX]
    import_formats = [SafeXLSX]
    export_formats = [SafeXLSX, SafeCSV]
    from_encoding = None
    import_help = ""

    def has_import_permission(self, request):
        # Importing adds and changes rows: whoever may not do both by hand may not import.
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_import_context_data(self, **kwargs):
        context = super().get_import_context_data(**kwargs)
        context["import_help"] = self.import_help
        return context

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        # Confirming writes all rows or none: a row that fails now (the data may have changed
        # since the preview) rolls the whole import back.
        kwargs["rollback_on_validation_errors"] = True
        kwargs["use_transactions"] = True
        return kwargs

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, SpreadsheetRefused):
            for message in e.errors:
                form.add_error("import_file", message)
        else:
            form.add_error("import_file", "文件无法读取，请确认是 Excel 保存的 .xlsx 工作簿。")

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            messages.error(request, "导入失败，未写入任何数据。请按下列提示修改文件后重新上传。")
            form = self.get_import_form_class(request)(
                self.get_import_formats(), self.get_import_resource_classes(request)
            )
            context = self.admin_site.each_context(request)
            context.update(self.get_import_context_data())
            context.update(
                {
                    "title": _("Import"),
                    "form": form,
                    "opts": self.model._meta,
                    "media": self.media + form.media,
                    "result": result,
                    "import_error_display": self.import_error_display,
                    "fields_list": [],
                }
            )
            request.current_app = self.admin_site.name
            return TemplateResponse(request, [self.import_template_name], context)
        return super().process_result(result, request)

    def generate_log_entries(self, result, request):
        """One admin log entry for the whole file (a row each would cost more than the import)."""
        if self.get_skip_admin_log():
            return
        totals = result.totals
        resource = self.get_import_resource_classes(request)[0]
        LogEntry.objects.create(
            user_id=request.user.pk,
            content_type=ContentType.objects.get_for_model(resource._meta.model),
            object_repr=f"表格导入：{resource.get_display_name()}"[:200],
            action_flag=CHANGE,
            change_message=(
                f"表格导入 {request.POST.get('original_file_name', '')}：新增 {totals[RowResult.IMPORT_TYPE_NEW]} 条，"
                f"更新 {totals[RowResult.IMPORT_TYPE_UPDATE]} 条，未变化 {totals[RowResult.IMPORT_TYPE_SKIP]} 条"
            ),
        )

    def add_success_message(self, result, request):
        totals = result.totals
        messages.success(
            request,
            f"导入完成：新增 {totals[RowResult.IMPORT_TYPE_NEW]} 条，更新 {totals[RowResult.IMPORT_TYPE_UPDATE]} 条，"
            f"未变化 {totals[RowResult.IMPORT_TYPE_SKIP]} 条。",
        )
        self.import_done(request, result)

    def import_done(self, request, result) -> None:
        """What an admin has more to say once its import committed (e.g. the rescoring it started)."""
