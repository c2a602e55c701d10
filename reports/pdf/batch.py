"""Rendering many reports at once, in worker processes (each with its own database connection)."""

from __future__ import annotations

import gc
import multiprocessing
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connections

from reports.models import Report
from reports.pdf.render import html_to_pdf, render_pdf

_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


@dataclass
class Outcome:
    report_id: int
    path: str = ""
    seconds: float = 0.0
    size: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str = ""


def find_reports(*, year: int, department: str | None = None, round_name: str | None = None):
    reports = Report.objects.filter(round__year=year).select_related("round", "department")
    if department:
        reports = reports.filter(department__code=department)
    if round_name:
        reports = reports.filter(round__name=round_name)
    return reports.order_by("department__code", "round__name")


def file_name(report: Report, part: str = "both") -> str:
    what = {"both": "", "narrative": "_自评报告", "table": "_自评表"}[part]
    name = _UNSAFE.sub("_", report.department.display_name)
    return f"{report.round.year}_{report.department.code}_{name}{what}.pdf"


def render_to_file(report_id: int, path: str | Path, part: str = "both") -> Outcome:
    started = time.perf_counter()
    try:
        out = render_pdf(report_id, part=part)
        Path(path).write_bytes(out.pdf)
    except Exception as exc:  # one bad report must not stop a round
        return Outcome(report_id, str(path), time.perf_counter() - started, error=f"{type(exc).__name__}: {exc}")
    return Outcome(report_id, str(path), time.perf_counter() - started, len(out.pdf), out.warnings)


def warm_up() -> None:
    """Load fontconfig and both faces once, so that forked workers start warm."""
    html_to_pdf(
        '<html lang="zh-CN"><body style="font-family: \'Noto Serif CJK SC\'">预算执行率'
        "<b style=\"font-family: 'Noto Sans CJK SC'\">部门整体绩效自评表</b></body></html>"
    )


def _job(args: tuple[int, str, str]) -> Outcome:
    report_id, path, part = args
    return render_to_file(report_id, path, part)


def _worker_init() -> None:
    # The parent closed its connections before forking; make sure none is shared anyway.
    for conn in connections.all(initialized_only=True):
        conn.connection = None


def render_many(jobs: list[tuple[int, str, str]], *, workers: int = 2, progress=None) -> list[Outcome]:
    """Render (report_id, path, part) jobs; with workers > 1 in forked processes."""
    outcomes: list[Outcome] = []
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            outcomes.append(_job(job))
            if progress:
                progress(outcomes[-1], len(outcomes), len(jobs))
        return outcomes
    warm_up()
    connections.close_all()
    gc.freeze()  # what the parent loaded is shared with the workers, never walked by their collector
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(processes=workers, initializer=_worker_init) as pool:
        for outcome in pool.imap_unordered(_job, jobs):
            outcomes.append(outcome)
            if progress:
                progress(outcome, len(outcomes), len(jobs))
    return outcomes
