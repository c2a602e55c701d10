"""Load test: 50 accountants editing and live-scoring their own reports and 5 reviewers browsing,
with locust against gunicorn on loopback; p95 per endpoint, errors, and lost saves.

Creates a throwaway PostgreSQL database (perfeval_bench_load), loads the demo plus one department,
accountant (acct01..acct50, password perfeval-demo) and draft report per simulated accountant and
the reviewers (rev01..rev05), collects the static files into var/static (production's hashed
files), starts gunicorn bound to 127.0.0.1 on a free port with DEBUG=0, runs locust headless
(bench/load/locustfile.py) for --time, stops gunicorn (also on failure), and then checks that
every save the server acknowledged (HTTP 200 with the new version) is in the database: for each
report, the last acknowledged value and version equal the stored ones.

    .venv/bin/python bench/load_test.py [--time 2m] [--accountants 50] [--reviewers 5] [--workers 2]
        [--spawn-rate 10] [--rows N] [--keep-out]

Locust's CSV files go to bench/out/load/ (git-ignored). The server is PERFEVAL_BENCH_PG
(default postgres://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from _db import ROOT, SERVER, BenchDatabase, setup_django

ROW_NAME = "服务社区数量"
OUT = ROOT / "bench" / "out" / "load"
BIN = Path(sys.executable).parent


def parse_seconds(text: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600}
    if text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def populate(accountants: int, reviewers: int, rows: int) -> dict:
    """The demo, then a department, an accountant and a draft report for each simulated accountant."""
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import transaction

    from departments.models import Department, Role
    from reports.demo import build
    from reports.models import Report, Round

    call_command("migrate", verbosity=0)
    build.load_demo()
    seed = build.seed_document()
    round_ = Round.objects.get(name=build.ROUND_NAME)
    users = {"accountants": [], "reviewers": []}
    with transaction.atomic():
        for i in range(1, accountants + 1):
            v = build.Variant(
                f"{500000 + i}", f"压测第{i}预算部门", f"压测{i}", "draft", Decimal("1.0"), Decimal("0.9")
            )
            dept = Department.objects.create(code=v.code, name=v.name, short_name=v.short_name)
            round_.departments.add(dept)
            user = build._user(f"acct{i:02d}", f"压测填报人{i}")
            Role.objects.create(user=user, kind=Role.Kind.ACCOUNTANT, department=dept)
            report = build.report_import(document=build.variant_document(seed, v), actor=None, source="压测数据")
            if rows:
                build.resize_report(report, rows)
            users["accountants"].append(
                {"username": user.username, "password": build.DEMO_PASSWORD, "report": report.pk}
            )
        for i in range(1, reviewers + 1):
            user = build._user(f"rev{i:02d}", f"压测审核人{i}")
            Role.objects.create(user=user, kind=Role.Kind.REVIEWER, department=None)
            users["reviewers"].append({"username": user.username, "password": build.DEMO_PASSWORD})
    assert Report.objects.filter(round=round_).count() >= accountants
    return users


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer {url} within {seconds:.0f} s")


def stop(proc: subprocess.Popen | None, name: str) -> None:
    """SIGTERM to the process group, SIGKILL if it is still there after 15 s."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass
    print(f"  {name} stopped")


def lost_saves(acks: dict) -> list[str]:
    from reports.models import Report, ReportIndicator

    lost = []
    for pk, ack in acks.items():
        report = Report.objects.get(pk=int(pk))
        row = ReportIndicator.objects.get(pk=ack["row"], report=report)
        if row.actual_text != ack["value"] or report.version != ack["version"]:
            lost.append(
                f"report {pk}: acknowledged v{ack['version']} {ack['value']!r}, stored v{report.version} "
                f"{row.actual_text!r}"
            )
    return lost


def percentile(times: dict[int, int], n: int, share: float) -> int:
    """Locust's own percentile of its rounded response times (importing locust here would
    monkey-patch this process with gevent under Django's feet)."""
    within = int(n * share)
    counted = 0
    for ms in sorted(times, reverse=True):
        counted += times[ms]
        if n - counted <= within:
            return ms
    return 0


def print_stats(prefix: Path) -> tuple[int, int]:
    """Per endpoint from locust's final stats (--json-file: the CSV is rewritten each second, so its
    last version can miss the final requests); the failure messages from its failures CSV."""
    entries = json.loads(Path(f"{prefix}.json").read_text(encoding="utf-8"))
    total_times: dict[int, int] = {}
    print(f"  {'endpoint':<34}{'requests':>9}{'failures':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")

    def line(name: str, times: dict[int, int], n: int, failed: int, longest: float) -> None:
        cells = "".join(f"{percentile(times, n, p) if n else 0:>9}" for p in (0.5, 0.95, 0.99))
        print(f"  {name:<34}{n:>9}{failed:>9}{cells}{longest:>9.0f}")

    total = failures = 0
    longest = 0.0
    for e in sorted(entries, key=lambda e: e["name"]):
        times = {int(k): v for k, v in e["response_times"].items()}
        line(f"{e['method']} {e['name']}", times, e["num_requests"], e["num_failures"], e["max_response_time"] or 0)
        for k, v in times.items():
            total_times[k] = total_times.get(k, 0) + v
        total += e["num_requests"]
        failures += e["num_failures"]
        longest = max(longest, e["max_response_time"] or 0)
    line("all", total_times, total, failures, longest)
    try:
        with open(f"{prefix}_failures.csv", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                print(f"  failure x{r['Occurrences']}: {r['Method']} {r['Name']}: {r['Error'][:200]}")
    except FileNotFoundError:
        pass
    return total, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time", default="2m", help="locust's run time, e.g. 20s, 2m (default 2m)")
    parser.add_argument("--accountants", type=int, default=50)
    parser.add_argument("--reviewers", type=int, default=5)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2, choices=range(1, 9), help="gunicorn workers (default 2)")
    parser.add_argument("--rows", type=int, default=0, help="indicator rows of each report (default: the seed's)")
    parser.add_argument("--server", default=SERVER)
    args = parser.parse_args()
    seconds = parse_seconds(args.time)

    db = BenchDatabase("perfeval_bench_load", args.server)
    OUT.mkdir(parents=True, exist_ok=True)
    users_file, acks_file, prefix = OUT / "users.json", OUT / "acks.json", OUT / "locust"
    for stale in OUT.glob("*"):
        stale.unlink()
    env = {
        **os.environ,
        "DATABASE_URL": db.url,
        "DJANGO_SETTINGS_MODULE": "perfeval.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "CONN_MAX_AGE": "60",
        "PYTHONPATH": str(ROOT),
    }
    gunicorn = None
    db.create()
    try:
        started = time.perf_counter()
        setup_django(db.url)
        users = populate(args.accountants, args.reviewers, args.rows)
        users_file.write_text(json.dumps(users), encoding="utf-8")
        from django.db import connections

        connections.close_all()
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
        print(f"  database and static files ready in {time.perf_counter() - started:.0f} s")

        port = free_port()
        host = f"http://127.0.0.1:{port}"
        command = [str(BIN / "gunicorn"), "perfeval.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        command += ["--workers", str(args.workers), "--timeout", "60", "--graceful-timeout", "5"]
        gunicorn = subprocess.Popen(
            [*command, "--log-level", "warning"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        wait_until_up(f"{host}/login/", gunicorn)
        print(f"  gunicorn on {host}, {args.workers} workers, DEBUG=0")

        locust_env = {
            **env,
            "PERFEVAL_LOAD_USERS": str(users_file),
            "PERFEVAL_LOAD_ACKS": str(acks_file),
            "PERFEVAL_LOAD_ACCOUNTANTS": str(args.accountants),
            "PERFEVAL_LOAD_REVIEWERS": str(args.reviewers),
        }
        command = [str(BIN / "locust"), "-f", str(ROOT / "bench" / "load" / "locustfile.py"), "--headless"]
        command += ["-u", str(args.accountants + args.reviewers), "-r", str(args.spawn_rate), "-t", args.time]
        command += ["--host", host, "--csv", str(prefix), "--json-file", str(prefix)]
        command += ["--only-summary", "--stop-timeout", "10"]
        command += ["--loglevel", "WARNING"]
        print("  locust " + " ".join(command[1:]))
        locust = subprocess.Popen(command, cwd=ROOT, env=locust_env, start_new_session=True)
        try:
            locust.wait(timeout=seconds + 120)
        except subprocess.TimeoutExpired:
            print("  locust overran its time limit")
        finally:
            stop(locust, "locust")
        stop(gunicorn, "gunicorn")

        print(
            f"load test: {args.accountants} accountants + {args.reviewers} reviewers, {args.time}, "
            f"gunicorn {args.workers} workers, PostgreSQL"
        )
        total, failures = print_stats(prefix)
        acks = json.loads(acks_file.read_text(encoding="utf-8")) if acks_file.exists() else {}
        lost = lost_saves(acks)
        for line in lost:
            print("  LOST " + line)
        print(f"  errors: {failures} of {total} requests")
        print(f"  lost saves: {len(lost)} (last acknowledged save of {len(acks)} reports checked against the database)")
        load = os.getloadavg()[0]
        print(f"  load average {load:.2f} on {os.cpu_count()} CPUs (locust, gunicorn and PostgreSQL share them)")
        return 0 if failures == 0 and not lost and acks else 1
    finally:
        stop(gunicorn, "gunicorn")
        db.drop()


if __name__ == "__main__":
    sys.exit(main())
