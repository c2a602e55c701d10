"""Live-score request and save of the seed report grown to 60 rows: p50 and p95 over N requests each.

What a user feels: the page's script posts the whole unsaved form to `report_score` on a keystroke
and to `report_save` to save (static/js/report.js). Both are posted here, URL-encoded with the
script's headers, through Django's in-process test client on a throwaway PostgreSQL database. The
form data is read from the served page's HTML (bench/_html_form.py), not from the app's internals,
so the same bench measures any revision. Every keystroke and every save changes the actual value of
服务社区数量; a save sends the hidden version field and takes the version the server returns, as the
page does.

    .venv/bin/python bench/live_save.py [--requests 200] [--base 5a6c385] [--server postgres://...]

--base REV also measures REV in the same run, from a temporary `git worktree` (removed after): this
script runs again with the worktree's code first on sys.path and its directory as cwd, and both are
printed side by side. Goals on this machine: live score p95 < 40 ms, save p95 < 80 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from _db import ROOT, SERVER, BenchDatabase

ROWS = 60
GOALS_MS = {"live score": 40, "save": 80}
ROW_NAME = "服务社区数量"
HEADERS = {"HTTP_ACCEPT": "application/json", "HTTP_X_REQUESTED_WITH": "fetch"}
MARK = "LIVE_SAVE_RESULT "


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def measure(requests: int, db_name: str, server: str) -> dict:
    """Runs in the process whose sys.path holds the code to measure first."""
    from _db import setup_django
    from _html_form import PageForm

    db = BenchDatabase(db_name, server)
    os.environ["CONN_MAX_AGE"] = "60"
    db.create()
    try:
        setup_django(db.url, production=True)
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.test import Client
        from django.urls import reverse

        import reports
        from reports.demo.build import load_demo, resize_report
        from reports.models import Report, ReportIndicator

        call_command("migrate", verbosity=0)
        load_demo()
        report = Report.objects.get(department__code="101001")
        resize_report(report, ROWS)
        assert ReportIndicator.objects.filter(report=report).count() == ROWS

        client = Client()
        client.force_login(get_user_model().objects.get(username="accountant"))
        page = client.get(reverse("report", args=[report.pk]))
        assert page.status_code == 200, page.status_code
        form = PageForm(page.content.decode())
        data = form.data()
        score_url, save_url = form.attrs["data-score-url"], form.attrs["data-save-url"]
        assert score_url == reverse("report_score", args=[report.pk]), score_url
        assert save_url == reverse("report_save", args=[report.pk]), save_url
        actual = f"{form.row_prefix(ROW_NAME)}-actual_text"
        assert actual in data, actual
        counter = iter(range(1_000_000))

        def post(url: str):
            return client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded", **HEADERS)

        def keystroke():
            data[actual] = f"{30 + next(counter) % 12}个"
            response = post(score_url)
            assert response.status_code == 200, response.status_code
            errors = response.json()["errors"]
            assert not errors, errors  # the form read from the page is what the server expects

        def save():
            value = f"{30 + next(counter) % 12}个"
            data[actual] = value
            response = post(save_url)
            body = response.json()
            assert response.status_code == 200 and body.get("status") == "saved", body
            assert body["version"] == int(data["version"]) + 1, (body["version"], data["version"])
            data["version"] = str(body["version"])
            return value

        def timed(fn) -> list[float]:
            ms = []
            for _ in range(requests):
                start = time.perf_counter()
                fn()
                ms.append((time.perf_counter() - start) * 1000)
            return ms

        for _ in range(3):  # warm caches, template loaders and the connection
            keystroke()
            save()
        results = {"live score": timed(keystroke), "save": timed(save)}
        last = save()
        stored = ReportIndicator.objects.get(report=report, order=int(actual.split("-")[1])).actual_text
        assert stored == last, (stored, last)  # the saves were real
        return {"code": str(Path(reports.__file__).resolve().parent.parent), "ms": results}
    finally:
        db.drop()


def run_child(code_root: Path, requests: int, db_name: str, server: str) -> dict:
    """This script measuring the code at code_root in a fresh interpreter."""
    env = {**os.environ, "PYTHONPATH": str(code_root), "DJANGO_SETTINGS_MODULE": "perfeval.settings"}
    env.pop("DATABASE_URL", None)
    args = [sys.executable, str(Path(__file__).resolve()), "--child", str(code_root)]
    args += ["--requests", str(requests), "--db", db_name, "--server", server]
    proc = subprocess.run(args, cwd=code_root, env=env, capture_output=True, text=True)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(MARK)]
    if proc.returncode or not lines:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"measuring {code_root} failed (exit {proc.returncode})")
    return json.loads(lines[-1][len(MARK) :])


def head_rev() -> str:
    out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain"], capture_output=True, text=True).stdout
    return out.stdout.strip() + ("+dirty" if dirty.strip() else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests of each kind (default 200)")
    parser.add_argument("--base", metavar="REV", help="also measure REV (e.g. 5a6c385) from a git worktree")
    parser.add_argument("--server", default=SERVER)
    parser.add_argument("--db", default="perfeval_bench_live", help=argparse.SUPPRESS)
    parser.add_argument("--child", metavar="CODE_ROOT", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        # The measured code first on sys.path (before this bench's own checkout, which _db added).
        sys.path.insert(0, args.child)
        print(MARK + json.dumps(measure(args.requests, args.db, args.server)), flush=True)
        return 0

    columns = [(f"head {head_rev()}", run_child(ROOT, args.requests, args.db, args.server))]
    if args.base:
        with tempfile.TemporaryDirectory(prefix="perfeval-base-") as tmp:
            tree = Path(tmp) / "tree"
            git = ["git", "-C", str(ROOT), "worktree"]
            subprocess.run([*git, "add", "--detach", "-q", str(tree), args.base], check=True)
            try:
                columns.append((f"base {args.base}", run_child(tree, args.requests, args.db + "_base", args.server)))
            finally:
                subprocess.run([*git, "remove", "--force", str(tree)], check=False)

    print(f"live score and save, seed report grown to {ROWS} rows, PostgreSQL, {args.requests} requests each (ms)")
    for title, result in columns:
        print(f"  {title}: code from {result['code']}")
    header = f"  {'':<11}" + "".join(f"{title:>28}" for title, _ in columns) + "    goal"
    print(header)
    for name, goal in GOALS_MS.items():
        cells = []
        for _, result in columns:
            ms = result["ms"][name]
            cells.append(f"p50 {statistics.median(ms):6.1f}  p95 {percentile(ms, 95):6.1f}")
        met = percentile(columns[0][1]["ms"][name], 95) < goal
        verdict = f"p95 < {goal} ({'met' if met else 'NOT met'})"
        print(f"  {name:<11}" + "".join(f"{c:>28}" for c in cells) + f"    {verdict}")
    load = os.getloadavg()[0]
    print(f"  load average {load:.2f} on {os.cpu_count()} CPUs (other work on the machine inflates the times)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
