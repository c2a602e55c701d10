"""Live-score request and save of the seed report grown to 60 rows: p50 and p95 over N requests each.

What a user feels: the page's script posts the whole unsaved form to `report_score` on a keystroke
and to `report_save` to save (static/js/report.js). Both are posted here as that revision's script
posts them (a JSON object of the fields if its report.js sends application/json, URL-encoded
before), with the script's headers, through Django's in-process test client on a throwaway
PostgreSQL database. The
form data is read from the served page's HTML (bench/_html_form.py), not from the app's internals,
so the same bench measures any revision. Every keystroke and every save changes the actual value of
服务社区数量; a save sends the hidden version field and takes the version the server returns, as the
page does.

    .venv/bin/python bench/live_save.py [--requests 200] [--base 5a6c385] [--batch 10] [--server postgres://...]

Each revision is measured by this script in a process of its own (its code first on sys.path, its
directory as cwd, its own database). --base REV also measures REV, from a temporary `git worktree`
(removed after): the two processes take turns in batches of --batch requests, so that the shared
machine's drift falls on both, and are printed side by side. Goals on this machine: live score
p95 < 40 ms, save p95 < 80 ms.
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


class Measured:
    """The seed report grown to ROWS rows in its own database, and the page's form read from its HTML.
    Runs in the process whose sys.path holds the code to measure first."""

    def __init__(self, db_name: str, server: str) -> None:
        from _db import setup_django
        from _html_form import PageForm

        self.db = BenchDatabase(db_name, server)
        os.environ["CONN_MAX_AGE"] = "60"
        self.db.create()
        setup_django(self.db.url, production=True)
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.test import Client
        from django.urls import reverse

        import reports
        from reports.demo.build import load_demo, resize_report
        from reports.models import Report, ReportIndicator

        self.code = str(Path(reports.__file__).resolve().parent.parent)
        script = (Path(self.code) / "static" / "js" / "report.js").read_text()
        self.json = '"Content-Type": "application/json"' in script
        call_command("migrate", verbosity=0)
        load_demo()
        self.report = Report.objects.get(department__code="101001")
        resize_report(self.report, ROWS)
        assert ReportIndicator.objects.filter(report=self.report).count() == ROWS

        self.client = Client()
        self.client.force_login(get_user_model().objects.get(username="accountant"))
        page = self.client.get(reverse("report", args=[self.report.pk]))
        assert page.status_code == 200, page.status_code
        form = PageForm(page.content.decode())
        self.data = form.data()
        self.score_url, self.save_url = form.attrs["data-score-url"], form.attrs["data-save-url"]
        assert self.score_url == reverse("report_score", args=[self.report.pk]), self.score_url
        assert self.save_url == reverse("report_save", args=[self.report.pk]), self.save_url
        prefix = form.row_prefix(ROW_NAME)
        self.actual, self.row_id = f"{prefix}-actual_text", int(self.data[f"{prefix}-id"])
        self.counter = iter(range(10_000_000))
        self.last_saved = None
        for _ in range(3):  # warm caches, template loaders and the connection
            self.score()
            self.save()

    def _post(self, url: str):
        if self.json:
            body, kind = json.dumps(self.data, ensure_ascii=False).encode(), "application/json"
        else:
            body, kind = urlencode(self.data), "application/x-www-form-urlencoded"
        return self.client.post(url, body, content_type=kind, **HEADERS)

    def _type(self) -> str:
        self.data[self.actual] = value = f"{30 + next(self.counter) % 12}个"
        return value

    def score(self) -> None:
        self._type()
        response = self._post(self.score_url)
        assert response.status_code == 200, response.status_code
        errors = response.json()["errors"]
        assert not errors, errors  # the form read from the page is what the server expects

    def save(self) -> None:
        value = self._type()
        response = self._post(self.save_url)
        body = response.json()
        assert response.status_code == 200 and body.get("status") == "saved", body
        assert body["version"] == int(self.data["version"]) + 1, (body["version"], self.data["version"])
        self.data["version"] = str(body["version"])
        self.last_saved = value

    def timed(self, kind: str, n: int) -> list[float]:
        fn = {"live score": self.score, "save": self.save}[kind]
        ms = []
        for _ in range(n):
            start = time.perf_counter()
            fn()
            ms.append((time.perf_counter() - start) * 1000)
        return ms

    def close(self) -> None:
        from reports.models import ReportIndicator

        try:
            stored = ReportIndicator.objects.get(pk=self.row_id, report=self.report).actual_text
            assert stored == self.last_saved, (stored, self.last_saved)  # the saves were real
        finally:
            self.db.drop()


def child_loop(db_name: str, server: str) -> None:
    """Set up, then answer the parent's "KIND<TAB>N" lines with the N timings; "quit" ends."""
    measured = Measured(db_name, server)
    reply = lambda obj: print(MARK + json.dumps(obj), flush=True)  # noqa: E731
    reply({"code": measured.code, "posts": "JSON" if measured.json else "URL-encoded"})
    try:
        for line in sys.stdin:
            command = line.rstrip("\n")
            if command == "quit":
                break
            kind, n = command.split("\t")
            reply(measured.timed(kind, int(n)))
    finally:
        measured.close()
    reply({"closed": True})


class Child:
    """This script measuring the code at code_root in its own interpreter, on request."""

    def __init__(self, title: str, code_root: Path, db_name: str, server: str) -> None:
        self.title = title
        env = {**os.environ, "PYTHONPATH": str(code_root), "DJANGO_SETTINGS_MODULE": "perfeval.settings"}
        env.pop("DATABASE_URL", None)
        args = [sys.executable, str(Path(__file__).resolve()), "--child", str(code_root)]
        args += ["--db", db_name, "--server", server]
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (lives as long as the process)
        self.proc = subprocess.Popen(
            args, cwd=code_root, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True
        )
        self.ms = {kind: [] for kind in GOALS_MS}

    def read(self):
        for line in self.proc.stdout:
            if line.startswith(MARK):
                return json.loads(line[len(MARK) :])
        self.log.seek(0)
        sys.stderr.write(self.log.read()[-5000:])
        raise SystemExit(f"{self.title}: the measuring process ended (exit {self.proc.wait()})")

    def ask(self, kind: str, n: int) -> None:
        self.proc.stdin.write(f"{kind}\t{n}\n")
        self.proc.stdin.flush()
        self.ms[kind] += self.read()

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
                self.read()
                self.proc.wait(timeout=60)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


def head_rev() -> str:
    out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain"], capture_output=True, text=True).stdout
    return out.stdout.strip() + ("+dirty" if dirty.strip() else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests of each kind (default 200)")
    parser.add_argument("--base", metavar="REV", help="also measure REV (e.g. 5a6c385) from a git worktree")
    parser.add_argument("--batch", type=int, default=10, help="requests in a row before the other revision's turn")
    parser.add_argument("--server", default=SERVER)
    parser.add_argument("--db", default="perfeval_bench_live", help=argparse.SUPPRESS)
    parser.add_argument("--child", metavar="CODE_ROOT", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        # The measured code first on sys.path (before this bench's own checkout, which _db added).
        sys.path.insert(0, args.child)
        child_loop(args.db, args.server)
        return 0

    git = ["git", "-C", str(ROOT), "worktree"]
    tmp = tempfile.TemporaryDirectory(prefix="perfeval-base-") if args.base else None
    children: list[Child] = []
    try:
        children.append(Child(f"head {head_rev()}", ROOT, args.db, args.server))
        if args.base:
            tree = Path(tmp.name) / "tree"
            subprocess.run([*git, "add", "--detach", "-q", str(tree), args.base], check=True)
            children.append(Child(f"base {args.base}", tree, args.db + "_base", args.server))
        setups = [child.read() for child in children]  # both set up (in parallel), not timed
        # Batches take turns, first one side and then the other, so that the machine's drift is shared.
        for kind in GOALS_MS:
            left, turn = args.requests, 0
            while left:
                n = min(args.batch, left)
                for child in children[turn % 2 :] + children[: turn % 2]:
                    child.ask(kind, n)
                left -= n
                turn += 1
        for child in children:
            child.close()
    finally:
        for child in children:
            child.close()
        if tmp is not None:
            subprocess.run([*git, "remove", "--force", str(Path(tmp.name) / "tree")], check=False, capture_output=True)
            tmp.cleanup()

    print(f"live score and save, seed report grown to {ROWS} rows, PostgreSQL, {args.requests} requests each (ms)")
    for child, setup in zip(children, setups, strict=True):
        print(f"  {child.title}: code from {setup['code']}, the script posts {setup['posts']}")
    if len(children) > 1:
        print(f"  (the two take turns in batches of {args.batch} requests)")
    print(f"  {'':<11}" + "".join(f"{child.title:>28}" for child in children) + "    goal")
    for name, goal in GOALS_MS.items():
        cells = [f"p50 {statistics.median(c.ms[name]):6.1f}  p95 {percentile(c.ms[name], 95):6.1f}" for c in children]
        met = percentile(children[0].ms[name], 95) < goal
        verdict = f"p95 < {goal} ({'met' if met else 'NOT met'})"
        print(f"  {name:<11}" + "".join(f"{c:>28}" for c in cells) + f"    {verdict}")
    load = os.getloadavg()[0]
    print(f"  load average {load:.2f} on {os.cpu_count()} CPUs (other work on the machine inflates the times)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
