import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.pdf.batch import find_reports
from reports.pdf.context import PARTS
from reports.pdf.render import render_pdf


class Command(BaseCommand):
    help = "Render one department's report for a year as PDF (自评报告 then 自评表, or either alone)."

    def add_arguments(self, parser):
        parser.add_argument("--department", required=True, help="budget code, e.g. 101001")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--round", help="round name, when a year has several")
        parser.add_argument("--part", choices=PARTS, default="both")
        parser.add_argument("-o", "--output", required=True, help="PDF file to write")
        parser.add_argument("--strict", action="store_true", help="fail on any WeasyPrint warning")

    def handle(self, *args, **options):
        found = list(
            find_reports(year=options["year"], department=options["department"], round_name=options["round"])[:2]
        )
        if not found:
            raise CommandError(f"没有部门 {options['department']} 在 {options['year']} 年度的报告。")
        if len(found) > 1:
            raise CommandError("该年度有多个评价任务，请用 --round 指定。")
        started = time.perf_counter()
        out = render_pdf(found[0].pk, part=options["part"])
        for warning in out.warnings:
            self.stderr.write(f"WeasyPrint: {warning}")
        if out.warnings and options["strict"]:
            raise CommandError(f"WeasyPrint 给出 {len(out.warnings)} 条警告，未写入文件。")
        path = Path(options["output"])
        path.write_bytes(out.pdf)
        self.stderr.write(f"已写入 {path}（{len(out.pdf) / 1024:.0f} KB，{time.perf_counter() - started:.2f} 秒）")
