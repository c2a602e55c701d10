"""PDF rendering times: the seed report warm, a report of 200 indicator rows, a round of 100 reports.

Runs on PostgreSQL in a throwaway database (perfeval_bench_pdf) that it creates and drops,
or with --sqlite in a temporary SQLite file:

    .venv/bin/python bench/pdf_render.py [--runs 5] [--reports 100] [--workers 2]
                                         [--server postgres://postgres@127.0.0.1:5432] [--sqlite]

Prints wall-clock medians, with the CPU time of this process beside them (the machine
may be shared: the load average is printed too).
Goals on this machine: the seed under 1.5 s warm, 100 reports under 60 s with 2 workers.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from _db import SERVER, BenchDatabase

GOALS = {"seed": 1.5, "round": 60.0}
BENCH_YEAR = 2099  # a year of its own: the demo has 2020 and 2021


def big_document(seed: dict, rows: int = 200) -> dict:
    """The seed with `rows` level-3 rows: 投入管理 160 × 0.25, 产出 30 × 1, 效益 10 × 2."""
    doc = copy.deepcopy(seed)
    doc["department"] = {"code": "900200", "name": "基准测试部门（200项指标）", "short_name": "基准200"}
    plan = [("投入管理指标", 160, "0.25"), ("产出指标", rows - 170, "1"), ("效益指标", 10, "2")]
    template = {r["level1"]: r for r in seed["indicators"]}
    out = []
    for level1, count, weight in plan:
        base = template[level1]
        for i in range(count):
            row = copy.deepcopy(base)
            row.update(
                level2=f"{base['level2']}（{i // 8 + 1}）",
                level3=f"{base['level3']}之{i + 1}",
                kind="qualitative",
                sign=None,
                target=None,
                actual=None,
                target_text="达成",
                actual_text="达成" if i % 7 else "部分达成",
                unit="定性指标",
                tier="met" if i % 7 else "partial",
                weight=weight,
                self_score=weight if i % 7 else str(Decimal(weight) * Decimal("0.7")),
                reason="" if i % 7 else "受疫情影响，部分工作延后至下一年度完成，已列入下年度计划。",
                custom=True,
            )
            out.append(row)
    doc["indicators"] = out
    doc["self_total"] = None
    doc["self_grade"] = ""
    return doc


def round_documents(seed: dict, count: int) -> list[dict]:
    """`count` departments with the seed's full text and table, in a round of their own."""
    docs = []
    for i in range(count):
        doc = copy.deepcopy(seed)
        doc["year"] = BENCH_YEAR
        doc["round"] = f"{BENCH_YEAR}年度基准测试"
        doc["department"] = {"code": f"91{i:04d}", "name": f"基准测试单位{i + 1:03d}", "short_name": f"基准{i + 1:03d}"}
        docs.append(doc)
    return docs


def setup_data(reports: int):
    import datetime

    from departments.models import Department
    from reports.demo.build import load_demo, seed_document
    from reports.interchange.store import report_import, round_create_from_document

    load_demo()
    seed = seed_document()
    big = big_document(seed)
    round_ = round_create_from_document(
        document=seed,
        name="2021年度部门整体绩效自评",
        deadline=datetime.date(2022, 3, 31),
        template_name="上街区部门整体绩效自评指标",
        rules_name="上街区评分规则（2021）",
    )
    dept = Department.objects.create(code=big["department"]["code"], name=big["department"]["name"])
    round_.departments.add(dept)
    big_report = report_import(document=big, source="bench")
    docs = round_documents(seed, reports)
    bench_round = round_create_from_document(
        document=docs[0],
        name=docs[0]["round"],
        deadline=datetime.date(2023, 3, 31),
        template_name="基准测试指标",
        rules_name="基准测试规则",
    )
    for doc in docs:
        d = Department.objects.create(code=doc["department"]["code"], name=doc["department"]["name"])
        bench_round.departments.add(d)
        report_import(document=doc, source="bench")
    return big_report


def pdf_pages(pdf: bytes) -> str:
    try:
        info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    except (OSError, subprocess.CalledProcessError):
        return "?"
    found = re.search(r"^Pages:\s+(\d+)", info, re.M)
    return found.group(1) if found else "?"


def timed(fn, runs: int) -> tuple[float, float, list[float]]:
    walls, cpus = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus), walls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reports", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--server", default=SERVER)
    parser.add_argument("--sqlite", action="store_true", help="use a temporary SQLite file instead of PostgreSQL")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="perfeval-bench-pdf-")
    db = BenchDatabase("perfeval_bench_pdf", args.server)
    if args.sqlite:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp.name}/bench.sqlite3"
    else:
        db.create()
        os.environ["DATABASE_URL"] = db.url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfeval.settings")
    os.environ["MEDIA_ROOT"] = f"{tmp.name}/media"
    import django

    django.setup()
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        print(f"database: {os.environ['DATABASE_URL']}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        started = time.perf_counter()
        big_report = setup_data(args.reports)
        setup = time.perf_counter() - started
        print(f"setup (demo, a 200-row report, {args.reports} reports): {setup:.1f} s (not timed)")

        from reports.models import Report
        from reports.pdf.render import render_pdf

        seed = Report.objects.get(department__code="101001", round__year=2021)
        first = time.perf_counter()
        out = render_pdf(seed.pk)
        cold = time.perf_counter() - first
        assert not out.warnings, out.warnings
        wall, cpu, walls = timed(lambda: render_pdf(seed.pk), args.runs)
        verdict = "ok" if wall < GOALS["seed"] else "over the goal"
        print(
            f"seed report, both parts ({len(out.pdf) // 1024} KB): cold {cold:.2f} s; warm median of {args.runs} "
            f"{wall:.2f} s wall, {cpu:.2f} s CPU [{', '.join(f'{w:.2f}' for w in walls)}] "
            f"(goal < {GOALS['seed']} s: {verdict})"
        )
        for part in ("table", "narrative"):
            wall, cpu, _ = timed(lambda part=part: render_pdf(seed.pk, part=part), args.runs)
            print(f"seed report, {part} alone: median {wall:.2f} s wall, {cpu:.2f} s CPU")

        rows = big_report.indicators.count()
        out = render_pdf(big_report.pk)
        assert not out.warnings, out.warnings
        wall, cpu, walls = timed(lambda: render_pdf(big_report.pk), args.runs)
        pages = pdf_pages(out.pdf)
        print(
            f"report of {rows} indicator rows ({len(out.pdf) // 1024} KB, {pages} pages): median of {args.runs} "
            f"{wall:.2f} s wall, {cpu:.2f} s CPU"
        )

        out_dir = Path(tmp.name) / "round"
        load_before = os.getloadavg()[0]
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        call_command(
            "render_reports",
            "--year",
            str(BENCH_YEAR),
            "--out",
            str(out_dir),
            "--workers",
            str(args.workers),
            stderr=open(os.devnull, "w"),  # noqa: SIM115
        )
        elapsed = time.perf_counter() - started
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        worker_cpu = (children.ru_utime + children.ru_stime) - (children_before.ru_utime + children_before.ru_stime)
        files = list(out_dir.glob("*.pdf"))
        verdict = "ok" if elapsed < GOALS["round"] else "over the goal"
        print(
            f"round of {len(files)} reports (seed-sized, both parts), {args.workers} worker processes: "
            f"{elapsed:.1f} s, {elapsed / max(1, len(files)):.2f} s a report "
            f"(goal < {GOALS['round']:.0f} s: {verdict}); load average {load_before:.2f} → {os.getloadavg()[0]:.2f}"
        )
        print(
            f"  the workers used {worker_cpu:.1f} s of CPU ({worker_cpu / max(1, len(files)):.2f} s a report): "
            f"{worker_cpu / args.workers:.1f} s for {args.workers} workers with a CPU each to themselves"
        )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.sqlite and not args.keep:
            db.drop()
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
