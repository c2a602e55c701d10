from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.interchange.document import DocumentError, load
from reports.interchange.store import report_import


class Command(BaseCommand):
    help = "Create or replace a draft report from a perfeval.report/1 file, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            report = report_import(document=load(path), source=path.name)
        except DocumentError as exc:
            raise CommandError(
                "导入失败，未写入任何数据：\n" + "\n".join(f"  - {e}" for e in exc.errors)
            ) from None
        self.stdout.write(
            f"已导入 {report.department.code} {report.department.display_name} {report.round.year} 年度报告"
            f"（草稿）：规则得分 {report_total(report)}"
        )


def report_total(report) -> str:
    report.refresh_from_db(fields=["rule_total", "grade"])
    return f"{report.rule_total} {report.grade}"
