"""Reports to and from the standard-table workbook, through perfeval.report/1 and `report_import`.

`report_xlsx` is the export; `report_xlsx_preview` reads an upload and says what an import would
change, writing nothing; `report_xlsx_apply` imports a previewed document, all or nothing, and
only if the report has not changed since the preview.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction

from departments.selectors import access_for
from reports.interchange.document import DocumentError, validate
from reports.interchange.store import (
    document_department,
    document_round,
    report_import,
    report_queryset,
    report_to_document,
)
from reports.models import Report
from reports.services.history import diff_documents
from reports.xlsx.table import document_to_xlsx, read_xlsx


def report_xlsx(report: Report) -> bytes:
    """The report's standard table as an .xlsx file (scores as perfeval computes them)."""
    report = report_queryset().get(pk=report.pk)
    return document_to_xlsx(report_to_document(report))


def report_xlsx_filename(report: Report) -> str:
    return f"{report.round.year}-{report.department.code}-部门整体绩效自评表.xlsx"


@dataclass(frozen=True)
class Preview:
    document: dict
    report: Report | None  # None: the import creates the report
    department_code: str
    year: int
    round_name: str
    changes: list
    version: int | None


def document_changes(before: dict | None, after: dict) -> list:
    """What an import would change, in the words of the history page."""
    return diff_documents(before or {}, after)


def _may_import(user, department_id: int) -> bool:
    access = access_for(user)
    return access.is_admin or department_id in access.accountant_of


def report_xlsx_preview(*, data: bytes, user, report: Report | None = None) -> Preview:
    """Read an uploaded workbook and compare it with the stored report. Writes nothing.

    Raises SpreadsheetRefused (not a workbook we read) or DocumentError (every problem, by sheet
    row and column), and PermissionDenied when the user may not import into that department.
    """
    result = read_xlsx(data)
    doc = result.document
    try:
        validate(doc)
    except DocumentError as exc:
        raise DocumentError(result.sheet_errors(exc.errors)) from None
    if report is not None and (doc["department"]["code"] != report.department.code or doc["year"] != report.round.year):
        raise DocumentError(
            [
                f"工作簿属于部门 {doc['department']['code']} 的 {doc['year']} 年度报告，"
                f"与当前报告（{report.department.code}，{report.round.year} 年度）不符。"
            ]
        )
    department = document_department(doc)
    if not _may_import(user, department.pk):
        raise PermissionDenied
    round_ = document_round(doc, department)
    existing = report_queryset().filter(round=round_, department=department).first()
    if existing is not None and not existing.editable:
        raise DocumentError([f"报告当前状态为“{existing.get_state_display()}”，只有草稿或退回的报告可以导入替换。"])
    before = report_to_document(existing) if existing is not None else None
    after = {**(before or {}), **doc, "state": (before or {}).get("state", "draft")}
    return Preview(
        document=doc,
        report=existing,
        department_code=department.code,
        year=round_.year,
        round_name=round_.name,
        changes=document_changes(before, after),
        version=existing.version if existing is not None else None,
    )


@transaction.atomic
def report_xlsx_apply(*, document: dict, user, version: int | None, source: str = "") -> Report:
    """Import a previewed document: all of it or nothing, refused if the report moved since."""
    department = document_department(document)
    if not _may_import(user, department.pk):
        raise PermissionDenied
    round_ = document_round(document, department)
    current = Report.objects.select_for_update().filter(round=round_, department=department).first()
    current_version = current.version if current is not None else None
    if current_version != version:
        raise DocumentError(["预览之后报告已被修改（或已创建），请重新上传工作簿核对后再导入。"])
    return report_import(document=document, actor=user, source=source)
