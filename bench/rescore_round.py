"""Rescoring a round after a rule-set change, end to end through the background job.

Creates a throwaway database (perfeval_bench_rescore), fills it like bench/dashboard.py (3,000
departments, each with a report of 50 indicator rows in the 2021 round), leaves every report
open (draft or returned, so that the rule set may still be edited), then changes the rule set's
grade bands through the admin's change form, as an admin does. The save enqueues a RescoreJob on
the database queue (django_tasks_db); `manage.py db_worker` processes (--workers) share it while this script
polls the job's row and prints its progress. Prints the seconds from the save to the job's end
and reports per second (goal: under 60 s). Generation is not timed.

    .venv/bin/python bench/rescore_round.py [--departments 3000] [--rows 50] [--workers 2] [--keep] [--base REV]

--base REV runs the same bench a second time in a temporary git worktree of REV (e.g. 5a6c385,
where the admin's save rescored inside the request) and prints both figures side by side.
The server is PERFEVAL_BENCH_PG (default postgres://postgres@127.0.0.1:5432, trust auth).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from _db import ROOT, BenchDatabase, setup_django

GOAL_SECONDS = 60
QUEUE = "django_tasks_db.DatabaseBackend"


def prepare(departments: int, rows: int):
    """The dashboard bench's round, every report open, and an admin."""
    from dashboard import generate
    from django.contrib.auth import get_user_model
    from django.db import connection

    from reports.models import Report

    data = generate(departments, rows)
    round_ = data["round"]
    current = Report.objects.filter(round=round_)
    current.update(state="draft")
    current.filter(pk__in=current.order_by("pk").values("pk")[: departments // 5]).update(state="returned")
    Report.objects.exclude(round=round_).delete()  # the 2020 round: not rescored, not needed
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    admin = get_user_model().objects.create_superuser("bench_admin", password="bench")
    return round_, admin, data


def rule_set_post(rule_set) -> dict:
    """The rule set's change form as the browser posts it, with the 优 band moved up."""
    from indicators.admin import RuleSetAdmin

    special = ("locked", "execution_cap", "total_caps_by_execution")
    fields = [f for _, opts in RuleSetAdmin.fieldsets for f in opts["fields"] if f not in special]
    data = {f: "" if getattr(rule_set, f) is None else str(getattr(rule_set, f)) for f in fields}
    if rule_set.execution_cap:
        data["execution_cap"] = "on"
    data["total_caps_by_execution"] = " ".join(f"{a} {b}" for a, b in rule_set.total_caps_by_execution or [])
    data["grade_excellent"] = str(rule_set.grade_excellent + 1)
    return data


def worker(db_url: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": db_url, "TASKS_BACKEND": QUEUE, "DEBUG": "0", "SECRET_KEY": "bench"}
    env["ALLOWED_HOSTS"] = env.get("ALLOWED_HOSTS", "localhost")
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def run(departments: int, rows: int, keep: bool, name: str, workers: int) -> dict:
    db = BenchDatabase(name)
    db.create()
    os.environ["TASKS_BACKEND"] = QUEUE  # the save enqueues on the database queue, workers run it
    os.environ["RESCORE_WORKERS"] = str(workers)  # one task for each worker
    try:
        setup_django(db.url)
        from django.conf import settings
        from django.core.management import call_command
        from django.test import Client
        from django.urls import reverse

        from reports import models
        from reports.models import Report, ReportEvent

        settings.ALLOWED_HOSTS = ["testserver"]
        call_command("migrate", verbosity=0)
        round_, admin, data = prepare(departments, rows)
        n = Report.objects.filter(round=round_).count()
        counts = ", ".join(f"{v:,} {k}" for k, v in data["counts"].items())
        print(f"generated in {data['seconds']:.1f} s: {counts}; {n:,} open reports in the round", flush=True)

        client = Client()
        client.force_login(admin)
        url = reverse("admin:indicators_ruleset_change", args=[round_.rule_set_id])
        post = rule_set_post(round_.rule_set)
        started = time.perf_counter()
        response = client.post(url, post)
        save = time.perf_counter() - started
        assert response.status_code == 302, response.content.decode()[:3000]
        print(f"admin save request: {save:.2f} s", flush=True)

        job_model = getattr(models, "RescoreJob", None)
        if job_model is None:  # before the job: the save itself rescored
            total = running = save
        else:
            job = job_model.objects.get()
            procs = [worker(db.url) for _ in range(workers)]
            last = None
            while True:
                job.refresh_from_db()
                state = (job.state, job.done)
                if state != last:
                    print(f"  {time.perf_counter() - started:6.1f} s  {job.state:<8} {job.done:>6,}/{job.total:,}")
                    last = state
                if job.finished:
                    break
                if all(p.poll() is not None for p in procs):
                    job.refresh_from_db()
                    if not job.finished:
                        errors = "".join(p.stderr.read()[-3000:] for p in procs)
                        raise SystemExit(f"the workers exited early:\n{errors}")
                time.sleep(0.5)
            total = (job.finished_at - job.created_at).total_seconds()
            running = (job.finished_at - job.started_at).total_seconds()  # without the workers' start
            for p in procs:
                p.wait(timeout=60)
            assert job.state == "done" and job.done == n and job.failed == 0, (job.state, job.failed, job.error[:500])
        events = ReportEvent.objects.filter(action="rescore").count()
        assert events == n, (events, n)
        return {"reports": n, "save": save, "total": total, "running": running, "rate": n / total, "workers": workers}
    finally:
        if keep:
            print(f"kept database {db.name}")
        else:
            db.drop()


def base_run(rev: str, args) -> dict:
    """This bench, unchanged, against the code of REV in a temporary worktree."""
    tmp = tempfile.mkdtemp(prefix="rescore-base-")
    tree = os.path.join(tmp, "tree")
    subprocess.run(["git", "worktree", "add", "--detach", tree, rev], cwd=ROOT, check=True, capture_output=True)
    try:
        out = os.path.join(tmp, "result.json")
        python = "/work/main/.venv/bin/python" if os.path.exists("/work/main/.venv/bin/python") else sys.executable
        cmd = [python, os.path.abspath(__file__), "--departments", str(args.departments), "--rows", str(args.rows)]
        cmd += ["--root", tree, "--json", out, "--db", "perfeval_bench_rescore_base"]
        subprocess.run(cmd, cwd=tree, check=True)
        with open(out) as f:
            return json.load(f)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", tree], cwd=ROOT, check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--departments", type=int, default=3000, help="reports in the round")
    parser.add_argument("--rows", type=int, default=50, help="indicator rows per report")
    parser.add_argument("--workers", type=int, default=2, help="db_worker processes sharing the job")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--base", metavar="REV", help="also measure REV in a temporary worktree")
    parser.add_argument("--root", help=argparse.SUPPRESS)  # the tree whose code runs (--base)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    parser.add_argument("--db", default="perfeval_bench_rescore", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.root:
        import _db

        sys.path.insert(0, args.root)
        _db.ROOT = type(_db.ROOT)(args.root)
        globals()["ROOT"] = _db.ROOT

    before = base_run(args.base, args) if args.base else None
    after = run(args.departments, args.rows, args.keep, args.db, args.workers)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(after, f)
        return 0
    load = os.getloadavg()[0]
    print(f"\nload average {load:.1f} on {os.cpu_count()} CPUs")
    print(f"\n{'':<15} {'reports':>8} {'save request':>13} {'save → rescored':>16} {'scoring':>9} {'reports/s':>10}")
    for label, r in (("before " + (args.base or ""), before), ("after", after)):
        if r:
            print(
                f"{label:<15} {r['reports']:>8,} {r['save']:>11.2f} s {r['total']:>14.1f} s"
                f" {r.get('running', r['total']):>7.1f} s {r['rate']:>10.1f}"
            )
    print("(scoring: from the job's start to its end, without the workers' start-up)")
    verdict = "under" if after["total"] < GOAL_SECONDS else "OVER"
    print(
        f"\nRescoring {after['reports']:,} reports × {args.rows} rows after a rule-set change, end to end through"
        f" the job ({after['workers']} workers): {after['total']:.1f} s, {after['rate']:.0f} reports/s"
        f" ({verdict} the {GOAL_SECONDS} s goal)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
