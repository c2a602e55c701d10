from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from perfeval.spreadsheets.safety import SpreadsheetRefused, check_upload, check_workbook_bytes
from reports.interchange.document import DocumentError, load, validate
from reports.interchange.store import report_import
from reports.xlsx.table import read_xlsx


class Command(BaseCommand):
    help = (
        "Create or replace a draft report from a perfeval.report/1 file (.json) or a standard-table "
        "workbook exported by perfeval (.xlsx), all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            report = report_import(document=read(path), source=path.name)
        except DocumentError as exc:
            raise CommandError("导入失败，未写入任何数据：\n" + "\n".join(f"  - {e}" for e in exc.errors)) from None
        self.stdout.write(
            f"已导入 {report.department.code} {report.department.display_name} {report.round.year} 年度报告"
            f"（草稿）：规则得分 {report_total(report)}"
        )
        # Imported as it is: what the table gets wrong is for the department to fix before 送审.
        errors = list(report.findings.filter(severity="error").order_by("order"))
        warnings = report.findings.filter(severity="warning").count()
        if errors:
            self.stdout.write(f"错误 {len(errors)} 个（修正后才能送审）：")
            for f in errors:
                self.stdout.write(f"  - {f.where}  {f.message}")
        if warnings:
            self.stdout.write(f"提示 {warnings} 个，请在报告页查看。")


def read(path: Path) -> dict:
    """The document in a file: JSON, or a workbook chosen by its extension."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xls", ".xlsm", ".csv"):
        try:
            check_upload(path.name, path.stat().st_size)
            data = path.read_bytes()
            check_workbook_bytes(data)
            result = read_xlsx(data)
        except OSError as exc:
            raise DocumentError([f"无法读取文件：{exc.strerror or exc}"]) from None
        except SpreadsheetRefused as exc:
            raise DocumentError(exc.errors) from None
        try:
            return validate(result.document)
        except DocumentError as exc:
            raise DocumentError(result.sheet_errors(exc.errors)) from None
    return load(path)


def report_total(report) -> str:
    report.refresh_from_db(fields=["rule_total", "grade"])
    return f"{report.rule_total} {report.grade}"
