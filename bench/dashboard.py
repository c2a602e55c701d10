"""Response time of the round dashboard on PostgreSQL with a province's numbers.

Creates a throwaway database (perfeval_bench_dash) on the PostgreSQL server, migrates it and
fills it with bulk_create: 3,000 departments, each with a scored report in the 2021 round
(stored totals, level-1 scores, a page of narrative, 50 indicator rows and some findings)
and a report in a closed 2020 round. Then it asks for the dashboard through Django's test
client as a reviewer who sees every department, ~10 times after a warm-up, and prints the
median (goal: under 300 ms), with the query count and a few other pages. The database is
dropped at the end unless --keep. Generation is not timed.

    .venv/bin/python bench/dashboard.py [--departments 3000] [--rows 50] [--requests 10] [--keep] [--reuse]

--keep leaves the database in place and --reuse measures a kept one again without generating.

The server is PERFEVAL_BENCH_PG (default postgres://postgres@127.0.0.1:5432, trust auth).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from decimal import Decimal

from _db import BenchDatabase, setup_django

DB = BenchDatabase("perfeval_bench_dash")
BATCH = 5000
STATES = ("draft", "returned", "submitted", "approved", "published")
STATE_WEIGHTS = (10, 4, 30, 30, 26)
NARRATIVE = "本部门围绕年度工作目标，加强预算绩效管理，按计划推进重点项目，资金使用规范，取得了较好的社会效益。" * 12


def generate(n_departments: int, n_rows: int, seed: int = 20211231) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from departments.models import Department, Role
    from indicators.engine.findings import CATALOGUE
    from indicators.engine.narrative import CODES as NARRATIVE_CODES
    from reports.demo.build import seed_document
    from reports.interchange.store import round_create_from_document
    from reports.models import Report, ReportFinding, ReportIndicator, Round

    rng = random.Random(seed)
    started = time.perf_counter()
    with transaction.atomic():
        seed_doc = seed_document()
        current = round_create_from_document(
            document=seed_doc,
            name="2021年度部门整体绩效自评",
            deadline=datetime.date(2022, 3, 31),
            template_name="部门整体绩效自评指标",
            rules_name="评分规则",
        )
        previous = Round.objects.create(
            name="2020年度部门整体绩效自评",
            year=2020,
            template=current.template,
            rule_set=current.rule_set,
            deadline=datetime.date(2021, 3, 31),
            is_open=False,
        )
        level1 = [(n.name, n.weight) for n in current.template.level1_nodes.filter(applicable=True).order_by("order")]
        departments = Department.objects.bulk_create(
            (
                Department(code=f"{400000 + i}", name=f"某省第{i + 1}预算部门", short_name=f"部门{i + 1}")
                for i in range(n_departments)
            ),
            batch_size=BATCH,
        )
        through = Round.departments.through
        through.objects.bulk_create(
            (through(round_id=r.pk, department_id=d.pk) for r in (current, previous) for d in departments),
            batch_size=BATCH,
        )

        def report(round_, dept, state, quality):
            execution = min(Decimal(10), (Decimal(10) * quality).quantize(Decimal("0.01")))
            scores = []
            total = execution
            for name, weight in level1:
                s = (weight * min(Decimal(1), quality + Decimal(rng.randint(-8, 6)) / 100)).quantize(Decimal("0.01"))
                scores.append({"name": name, "weight": str(weight), "score": str(s), "self_score": str(weight)})
                total += s
            grade = "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"
            return Report(
                round=round_,
                department=dept,
                state=state,
                narrative_1=NARRATIVE,
                narrative_4=NARRATIVE,
                rule_total=total,
                self_total=min(Decimal(100), total + Decimal(rng.randint(0, 300)) / 100),
                execution_score=execution,
                grade=grade,
                self_grade=grade,
                level1_scores=scores,
                error_count=rng.choice((0, 0, 0, 1, 2, 4)),
                warning_count=rng.randint(0, 9),
            )

        qualities = [Decimal(rng.randint(480, 1000)) / 1000 for _ in departments]
        reports = Report.objects.bulk_create(
            (
                report(current, d, rng.choices(STATES, STATE_WEIGHTS)[0], q)
                for d, q in zip(departments, qualities, strict=True)
            ),
            batch_size=BATCH,
        )
        Report.objects.bulk_create(
            (
                report(previous, d, "published", min(Decimal(1), q + Decimal(rng.randint(-10, 10)) / 100))
                for d, q in zip(departments, qualities, strict=True)
            ),
            batch_size=BATCH,
        )
        rows_per_level = [n_rows * int(w) // 90 for _n, w in level1]
        rows_per_level[0] += n_rows - sum(rows_per_level)

        def indicators(r):
            i = 0
            for (name, weight), count in zip(level1, rows_per_level, strict=True):
                w = (weight / count).quantize(Decimal("0.01"))
                for k in range(count):
                    yield ReportIndicator(
                        report_id=r.pk,
                        order=i,
                        level1=name,
                        level2="数量指标",
                        level3=f"{name}第{k + 1}项",
                        kind="quantitative",
                        sign=">=",
                        target=Decimal(100),
                        target_text="≥100%",
                        unit="%",
                        actual=Decimal(rng.randint(70, 110)),
                        actual_text="完成",
                        weight=w,
                        self_score=w,
                    )
                    i += 1

        ReportIndicator.objects.bulk_create((row for r in reports for row in indicators(r)), batch_size=BATCH)
        codes = list(CATALOGUE) + list(NARRATIVE_CODES)
        popular = codes[:12]

        def findings(r):
            for j in range(rng.randint(0, 14)):
                code = rng.choice(popular) if rng.random() < 0.7 else rng.choice(codes)
                yield ReportFinding(
                    report_id=r.pk,
                    order=j,
                    code=code,
                    severity=rng.choice(("error", "warning", "warning", "info")),
                    where=f"第{j + 1}行",
                    message="检查发现的问题说明。",
                )

        ReportFinding.objects.bulk_create((f for r in reports for f in findings(r)), batch_size=BATCH)
        reviewer = get_user_model().objects.create_user("bench_reviewer", password="bench")
        Role.objects.create(user=reviewer, kind=Role.Kind.REVIEWER)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    counts = {
        "departments": Department.objects.count(),
        "reports": Report.objects.count(),
        "indicator rows": ReportIndicator.objects.count(),
        "findings": ReportFinding.objects.count(),
    }
    return {"round": current, "reviewer": reviewer, "counts": counts, "seconds": time.perf_counter() - started}


def measure(client, url: str, params: dict, n: int) -> tuple[list[float], list[float], int, int]:
    """n timed requests after a warm-up one, which also counts the queries.

    Wall time is what a person waits; CPU time is this process's share (Django, templates,
    psycopg), which other work on the machine does not stretch as much.
    """
    from django.db import connection

    queries = 0

    def count(execute, sql, sql_params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, sql_params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    times, cpu = [], []
    for _ in range(n):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, params)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200
    return times, cpu, queries, len(response.content)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--departments", type=int, default=3000)
    parser.add_argument("--rows", type=int, default=50, help="indicator rows per report")
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure a database kept by --keep")
    args = parser.parse_args()

    reuse = args.reuse and DB.exists()
    if not reuse:
        DB.create()
    try:
        setup_django(DB.url)
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.test import Client
        from django.urls import reverse

        from reports.models import Round

        if reuse:
            data = {
                "round": Round.objects.get(year=2021),
                "reviewer": get_user_model().objects.get(username="bench_reviewer"),
            }
            print(f"reusing {DB.name}")
        else:
            call_command("migrate", verbosity=0)
            data = generate(args.departments, args.rows)
            counts = ", ".join(f"{v:,} {k}" for k, v in data["counts"].items())
            print(f"generated in {data['seconds']:.1f} s: {counts}")

        client = Client()
        client.force_login(data["reviewer"])
        round_ = data["round"]
        dashboard = reverse("dashboard:round", args=[round_.pk])
        listing = reverse("dashboard:reports", args=[round_.pk])
        cases = [
            ("dashboard", dashboard, {}),
            ("dashboard sorted by a level-1 score", dashboard, {"sort": "-l1-1"}),
            ("dashboard sorted by change since 2020", dashboard, {"sort": "delta"}),
            ("reports with grade 良", listing, {"grade": "良"}),
            ("reports with a finding code", listing, {"finding": "reason.missing"}),
        ]
        print(f"\n{'page':<40} {'median':>9} {'min':>8} {'max':>8} {'cpu':>8} {'queries':>8} {'KB':>6}")
        medians = {}
        for label, url, params in cases:
            times, cpu, queries, size = measure(client, url, params, args.requests)
            medians[label] = statistics.median(times)
            print(
                f"{label:<40} {medians[label]:>7.1f}ms {min(times):>6.1f}ms {max(times):>6.1f}ms"
                f" {statistics.median(cpu):>6.1f}ms {queries:>8} {size / 1024:>6.0f}"
            )
        median = medians["dashboard"]
        load = os.getloadavg()[0]
        print(f"\nload average {load:.1f} on {os.cpu_count()} CPUs while measuring")
        verdict = "under" if median < 300 else "OVER"
        print(
            f"\nDashboard median over {args.requests} requests, {args.departments:,} departments × {args.rows} rows:"
            f" {median:.1f} ms ({verdict} the 300 ms goal)"
        )
        return 0 if median < 300 else 1
    finally:
        if args.keep or args.reuse:
            print(f"kept database {DB.name}")
        else:
            DB.drop()


if __name__ == "__main__":
    sys.exit(main())
