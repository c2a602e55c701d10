"""Adapts a stored report into the engine and keeps its scores on the report.

The engine (indicators.engine) is the only place that computes a score; this module
only feeds it and stores what it says.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone

from departments.models import BudgetLine
from indicators import engine
from reports.enums import RESCORABLE_STATES
from reports.interchange.document import dec, money, num, to_engine_input
from reports.models import NARRATIVE_SECTIONS, Report, ReportEvent, ReportFinding, RescoreJob
from reports.selectors import budget_lines, frozen_document, report_queryset

logger = logging.getLogger(__name__)


def _exact(value: Decimal | None, places=num) -> Decimal | None:
    # As an exported document carries it (no trailing zeros; amounts with 2 places at least), so
    # that a report scores and explains itself the same from the database and from its file.
    return dec(places(value))


def report_engine_input(report: Report) -> engine.ReportInput:
    """The engine's input from the loaded report (report_queryset): the stored rows as they are,
    or, once approved, the document it was approved on."""
    frozen = frozen_document(report)
    if frozen is not None:
        return to_engine_input(frozen)
    round_ = report.round
    lines = budget_lines(report)
    rows = []
    for key in BudgetLine.ROW_ORDER:
        line = lines.get(key)
        rows.append(
            engine.BudgetRow(
                row=key,
                initial=_exact(line.initial, money) if line else None,
                annual=_exact(line.annual, money) if line else None,
                executed=_exact(line.executed, money) if line else None,
                rate_text=line.rate_text if line else "",
            )
        )
    tasks = tuple(
        engine.Task(
            name=t.name,
            content=t.content,
            budget=_exact(t.budget, money),
            budget_fiscal=_exact(t.budget_fiscal, money),
            executed=_exact(t.executed, money),
            executed_fiscal=_exact(t.executed_fiscal, money),
            completion=t.completion,
            rate_text=t.rate_text,
        )
        for t in report.tasks.all()
    )
    indicators = tuple(
        engine.IndicatorRow(
            level1=r.level1,
            level2=r.level2,
            level3=r.level3,
            kind=r.kind,
            sign=r.sign or None,
            target=_exact(r.target),
            target_text=r.target_text,
            unit=r.unit,
            actual=_exact(r.actual),
            actual_text=r.actual_text,
            tier=r.tier or None,
            weight=_exact(r.weight),
            self_score=_exact(r.self_score),
            reason=r.reason,
            applicable=r.applicable,
        )
        for r in report.indicators.all()
    )
    level1 = tuple(
        engine.Level1Node(
            name=n.name,
            weight=_exact(n.weight),
            standard_weight=_exact(n.standard_weight),
            applicable=n.applicable,
        )
        for n in round_.template.level1_nodes.all()
    )
    return engine.ReportInput(
        rules=round_.rule_set.to_engine(),
        budget=engine.Budget(
            unit="万元",
            execution_weight=_exact(round_.template.execution_weight),
            rows=tuple(rows),
            self_score=_exact(report.execution_self_score),
        ),
        tasks=tasks,
        indicators=indicators,
        level1=level1,
        weight_note=report.weight_note,
        goal=report.goal,
        goal_completion=report.goal_completion,
        narrative=tuple((key, getattr(report, f"narrative_{key}")) for key, _title in NARRATIVE_SECTIONS),
        self_total=_exact(report.declared_total),
        self_grade=report.declared_grade,
    )


def report_score(report: Report) -> engine.ReportResult:
    return engine.score_report(report_engine_input(report))


@transaction.atomic
def report_rescore(*, report: Report, loaded: bool = False) -> engine.ReportResult:
    """Score the report as stored and keep totals and findings for lists and sorting.

    loaded: `report` came from report_queryset and holds what was just written (a save),
    so it is scored as it is rather than read again.
    """
    if not loaded:
        report = report_queryset().get(pk=report.pk)
    data = report_engine_input(report)
    result = engine.score_report(data)
    Report.objects.filter(pk=report.pk).update(**score_fields(result), **reviewer_fields(report, result, data))
    store_findings(report, result)
    return result


def reviewer_fields(report: Report, result: engine.ReportResult, data: engine.ReportInput | None = None) -> dict:
    """The report's columns that keep the reviewer total (engine.reviewer_total), by name.

    `report` comes from report_queryset: its rows, in the engine input's order, carry the
    reviewer's scores (an approved report's frozen document lists the same rows).
    """
    total, grade, _explanation = report_reviewer_total(report, result, data)
    return {"reviewer_total": total, "reviewer_grade": grade}


def report_reviewer_total(
    report: Report, result: engine.ReportResult, data: engine.ReportInput | None = None
) -> tuple[Decimal, str, str]:
    """(total, grade, explanation) of engine.reviewer_total for the loaded report."""
    data = data or report_engine_input(report)
    scores = tuple(row.reviewer_score for row in report.indicators.all())
    return engine.reviewer_total(data, result, scores)


def score_fields(result: engine.ReportResult) -> dict:
    """The report's columns that keep a result, by name."""
    return {
        "rule_total": result.total,
        "self_total": result.self_total,
        "execution_score": result.execution_score,
        "grade": result.grade,
        "self_grade": result.self_grade,
        "level1_scores": [
            {"name": r.name, "weight": num(r.weight), "score": num(r.score), "self_score": num(r.self_score)}
            for r in result.level1
        ],
        "error_count": sum(1 for f in result.findings if f.severity == "error"),
        "warning_count": sum(1 for f in result.findings if f.severity == "warning"),
        "scored_at": timezone.now(),
    }


def store_findings(report: Report, result: engine.ReportResult) -> None:
    """The result's findings in place of the report's stored ones (inside the caller's transaction)."""
    ReportFinding.objects.filter(report_id=report.pk).delete()
    ReportFinding.objects.bulk_create(
        ReportFinding(
            report_id=report.pk,
            order=i,
            code=f.code[:64],
            severity=f.severity,
            where=f.where[:100],
            message=f.message,
        )
        for i, f in enumerate(result.findings)
    )


def _rescore_with_event(report: Report, *, actor, what: str, action: str) -> engine.ReportResult:
    """Rescore a report loaded by report_queryset, with an event saying why and its old → new total."""
    old = report.rule_total
    result = report_rescore(report=report, loaded=True)
    # The bureau's record: Chinese whatever the actor's interface language.
    ReportEvent.objects.create(
        report=report,
        actor=actor if getattr(actor, "pk", None) else None,
        kind=ReportEvent.Kind.CHANGE,
        action=action,
        field="rule_total",
        label="规则得分",
        old_value=num(old) or "",
        new_value=num(result.total) or "",
        message=f"{what}，重新计分：{num(old) or '未计分'} → {num(result.total) or '未计分'}",
    )
    return result


# ------------------------------------------------------------------------------ in the background

# Reports are handed out and progress written this many at a time: often enough to watch, rarely
# enough to cost nothing.
PROGRESS_EVERY = 25
J = RescoreJob.State


def rescore_job_create(*, reports, actor=None, what: str, action: str = "rescore", states=RESCORABLE_STATES):
    """Record a job for these reports and enqueue it once the surrounding transaction commits.

    Only the reports' ids are read here: the save that asked for it does no scoring. None when
    there is nothing to rescore.
    """
    ids = list(reports.values_list("pk", flat=True)) if hasattr(reports, "values_list") else [r.pk for r in reports]
    if not ids:
        return None
    job = RescoreJob.objects.create(
        what=what[:300],
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        report_ids=ids,
        states=[str(s) for s in states],
        total=len(ids),
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
    transaction.on_commit(rescore_jobs_recover)  # a job whose worker died goes on with the next one
    return job


def _workers() -> int:
    # As many tasks as workers that may share a job (each takes the next chunk); one is enough.
    return max(1, int(getattr(settings, "RESCORE_WORKERS", 2)))


def rounds_rescore_job(*, rounds, actor=None, what: str = ""):
    """After a rule set, template or round changed: rescore the rounds' open reports, in the background."""
    reports = Report.objects.filter(round__in=rounds, state__in=RESCORABLE_STATES).order_by("pk")
    return rescore_job_create(reports=reports, actor=actor, what=what or "评分设置已修改")


def budget_rescore_job(*, keys, actor=None, what: str = ""):
    """After budget lines changed: rescore the open reports of these (department id, year) pairs, in the
    background (a line moved to another department or year changes both)."""
    match = Q(pk__in=[])
    for department_id, year in keys:
        match |= Q(department_id=department_id, round__year=year)
    reports = Report.objects.filter(match, state__in=RESCORABLE_STATES)
    return rescore_job_create(reports=reports.order_by("pk"), actor=actor, what=f"预算情况已修改（{what}）")


def report_rescore_job(*, report: Report, actor=None, what: str = ""):
    """After a report was edited outside its own page (the admin): rescore it, in the background."""
    return rescore_job_create(reports=[report], actor=actor, what=what or "报告已在管理后台修改")


def _enqueue(job_id: int) -> None:
    from reports.tasks import rescore_job_task  # the task module imports this one

    try:
        for _ in range(_workers()):
            rescore_job_task.enqueue(job_id)
    except Exception as exc:
        logger.exception("could not enqueue rescore job %s", job_id)
        RescoreJob.objects.filter(pk=job_id, state=J.QUEUED).update(
            state=J.FAILED, error=f"无法加入后台队列：{exc}", finished_at=timezone.now()
        )


def rescore_job_requeue(*, job_id: int) -> bool:
    """Enqueue a stale job again (its workers died, or none ever came): the reports it had not
    finished go to the next worker. False when the job is not stale (still moving, or finished)."""
    with transaction.atomic():
        job = RescoreJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not job.stale:
            return False
        _orphan(job)
        job.heartbeat_at = timezone.now()  # waiting for its new workers: not stale again until they fail too
        job.save(update_fields=["pending", "heartbeat_at"])
        transaction.on_commit(lambda: _enqueue(job_id))
    logger.warning("rescore job %s was stale and is requeued", job_id)
    return True


def rescore_jobs_recover() -> int:
    """Requeue every stale job; each new job does this once it is enqueued, so a job whose worker died
    is resumed by the next change at the latest. How many were requeued."""
    stale = RescoreJob.objects.exclude(state__in=[J.DONE, J.FAILED]).filter(heartbeat_at__lt=RescoreJob.stale_before())
    return sum(rescore_job_requeue(job_id=pk) for pk in stale.values_list("pk", flat=True))


def _orphan(job: RescoreJob) -> None:
    # The chunks its dead workers held, up for the next worker; the owner's late commit is refused.
    job.pending = {start: [end, None] for start, (end, _owner) in job.pending.items()}


def rescore_job_run(job_id: int) -> RescoreJob | None:
    """Run a job, or help run it: several workers may each take the next reports (RESCORE_WORKERS).

    Reports are handed out a chunk at a time under the job's row lock, so none is rescored twice and
    a task delivered twice does nothing more. Each chunk commits with its progress, only while this
    worker still owns it: a worker that died mid-chunk committed nothing, and once the job is stale its
    chunk goes to the next worker (rescoring is idempotent, so the reports end as a fresh run leaves
    them). Each report is rescored atomically (a savepoint in its chunk's transaction), under its row
    lock, and only if it is still in one of the job's states (one approved meanwhile keeps its approved
    score). One report failing is recorded and the others go on.
    """
    job = RescoreJob.objects.filter(pk=job_id).first()
    if job is None or job.finished:
        return job
    try:
        while chunk := _claim(job_id):
            _rescore_chunk(job, chunk)
    except Exception as exc:  # the job itself broke: say so on its row
        logger.exception("rescore job %s failed", job_id)
        RescoreJob.objects.filter(pk=job_id).update(
            state=J.FAILED,
            error=Concat(F("error"), Value(f"{type(exc).__name__}: {exc}\n")),
            finished_at=timezone.now(),
        )
    with transaction.atomic():
        job = RescoreJob.objects.select_for_update().get(pk=job_id)
        if not job.finished and job.done >= job.total:  # the last chunk's worker closes the job
            job.state = J.FAILED if job.failed else J.DONE
            job.finished_at = timezone.now()
            job.error = job.error.strip()
            job.save(update_fields=["state", "finished_at", "error"])
    return job


@dataclass(frozen=True)
class Chunk:
    """Reports of a job taken by one worker: report_ids[start:start + len(ids)], owned by `token`."""

    start: int
    ids: list[int]
    token: str


class _ChunkLost(Exception):
    """The chunk went to another worker while this one was at it (this one was taken for dead)."""


def _rescore_chunk(job: RescoreJob, chunk: Chunk) -> bool:
    """Rescore a chunk and record its progress, in one transaction; False, with nothing written, when
    the chunk is no longer this worker's."""
    # One transaction a chunk, each report in a savepoint of its own: a commit per report cost more
    # than the rescoring; the chunk's progress commits with its scores.
    try:
        with transaction.atomic():
            failed, errors = 0, []
            for report_id in chunk.ids:
                try:
                    with transaction.atomic():
                        report = report_queryset().select_for_update(of=("self",))
                        report = report.filter(pk=report_id, state__in=job.states).first()
                        if report is not None:  # loaded once, under its lock, and scored as loaded
                            _rescore_with_event(report, actor=job.actor, what=job.what, action=job.action)
                except Exception as exc:  # one bad report must not stop the others
                    logger.exception("rescore job %s: report %s failed", job.pk, report_id)
                    failed += 1
                    errors.append(f"报告 {report_id}：{type(exc).__name__}: {exc}\n")
            # Compare and set: only the chunk's owner records it, so no report counts twice.
            current = RescoreJob.objects.select_for_update().only("pending").get(pk=job.pk)
            if current.pending.get(str(chunk.start), [None, None])[1] != chunk.token:
                raise _ChunkLost
            del current.pending[str(chunk.start)]
            RescoreJob.objects.filter(pk=job.pk).update(
                done=F("done") + len(chunk.ids),
                failed=F("failed") + failed,
                error=Concat(F("error"), Value("".join(errors))),
                pending=current.pending,
                heartbeat_at=timezone.now(),
            )
    except _ChunkLost:
        logger.warning("rescore job %s: chunk at %s was taken over; this worker's work is dropped", job.pk, chunk.start)
        return False
    return True


def _claim(job_id: int) -> Chunk | None:
    """The next reports of the job, taken by this worker: first a chunk a dead worker left, then the next
    PROGRESS_EVERY not yet handed out; None when there are none."""
    with transaction.atomic():
        job = (
            RescoreJob.objects.select_for_update()
            .only("claimed", "total", "state", "report_ids", "pending", "heartbeat_at", "started_at")
            .get(pk=job_id)
        )
        if job.finished:
            return None
        now = timezone.now()
        if job.state == J.QUEUED:
            job.state, job.started_at = J.RUNNING, now
            job.save(update_fields=["state", "started_at"])
        if job.stale:  # nobody moved for minutes: whoever holds a chunk is dead
            _orphan(job)
        left = sorted((int(start) for start, (_end, owner) in job.pending.items() if owner is None))
        if left:
            start = left[0]
            end = job.pending[str(start)][0]
        elif job.claimed < job.total:
            start, end = job.claimed, min(job.claimed + PROGRESS_EVERY, job.total)
            job.claimed = end
        else:
            return None  # the rest is in other workers' hands (or done)
        token = uuid.uuid4().hex
        job.pending[str(start)] = [end, token]
        job.heartbeat_at = now
        job.save(update_fields=["claimed", "pending", "heartbeat_at"])
        return Chunk(start=start, ids=job.report_ids[start:end], token=token)
