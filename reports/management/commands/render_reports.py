import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.pdf.batch import file_name, find_reports, render_many
from reports.pdf.context import PARTS


class Command(BaseCommand):
    help = "Render every report of a year's round as PDF files, in parallel worker processes."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--round", help="round name, when a year has several")
        parser.add_argument("--department", action="append", default=[], help="only this budget code (repeatable)")
        parser.add_argument("--out", required=True, help="directory for the PDF files")
        parser.add_argument("--part", choices=PARTS, default="both")
        parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")

    def handle(self, *args, **options):
        reports = find_reports(year=options["year"], round_name=options["round"])
        if options["department"]:
            reports = reports.filter(department__code__in=options["department"])
        reports = list(reports)
        if not reports:
            raise CommandError(f"{options['year']} 年度没有报告。")
        out_dir = Path(options["out"])
        out_dir.mkdir(parents=True, exist_ok=True)
        jobs = [(r.pk, str(out_dir / file_name(r, options["part"])), options["part"]) for r in reports]
        started = time.perf_counter()

        def progress(outcome, done, total):
            status = f"失败：{outcome.error}" if outcome.error else f"{outcome.seconds:.2f} 秒"
            self.stderr.write(f"[{done}/{total}] {Path(outcome.path).name} {status}")
            for warning in outcome.warnings:
                self.stderr.write(f"    WeasyPrint: {warning}")

        outcomes = render_many(jobs, workers=max(1, options["workers"]), progress=progress)
        failed = [o for o in outcomes if o.error]
        self.stderr.write(
            f"{len(outcomes) - len(failed)} 份已写入 {out_dir}，{len(failed)} 份失败，"
            f"共 {time.perf_counter() - started:.1f} 秒（{options['workers']} 个进程）"
        )
        if failed:
            raise CommandError(f"{len(failed)} 份报告未能生成。")
