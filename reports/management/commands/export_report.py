import json

from django.core.management.base import BaseCommand, CommandError

from reports.interchange.document import mark_levels
from reports.interchange.store import report_queryset, report_to_document
from reports.models import Report
from reports.xlsx.services import report_xlsx


class Command(BaseCommand):
    help = "Export one department's report for a year as perfeval.report/1 JSON, or as the standard table (.xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("--department", required=True, help="budget code, e.g. 101001")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--round", help="round name, when a year has several")
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, **options):
        reports = report_queryset().filter(department__code=options["department"], round__year=options["year"])
        if options["round"]:
            reports = reports.filter(round__name=options["round"])
        found = list(reports[:2])
        if not found:
            raise CommandError(f"没有部门 {options['department']} 在 {options['year']} 年度的报告。")
        if len(found) > 1:
            raise CommandError("该年度有多个评价任务，请用 --round 指定。")
        report: Report = found[0]
        if options["format"] == "xlsx":
            if not options["output"]:
                raise CommandError("--format xlsx 需要用 -o 指定输出文件（.xlsx）。")
            with open(options["output"], "wb") as fh:
                fh.write(report_xlsx(report))
            self.stderr.write(f"已导出到 {options['output']}")
            return
        document = report_to_document(report)
        document["indicators"] = mark_levels(document["indicators"])  # read back as stored
        text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as fh:
                fh.write(text)
            self.stderr.write(f"已导出到 {options['output']}")
        else:
            self.stdout.write(text, ending="")
