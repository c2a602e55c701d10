"""The bureau's review: reviewer scores and comments, and what changed between submissions.

Reviewer scores are kept apart from the department's figures and checked like
self-scores, by the engine: the report is scored once more with the reviewer's scores
standing in for the department's, and the row findings that would refuse a self-score
refuse a reviewer score.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from decimal import Decimal

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from indicators import engine
from reports.enums import SNAPSHOT_FIELD
from reports.interchange.document import num
from reports.models import Report, ReportEvent, ReportIndicator
from reports.selectors import report_queryset
from reports.services import history
from reports.services.scoring import report_engine_input, report_score, reviewer_fields

# Row findings that make a score impossible, whoever typed it.
REFUSING_CODES = {"score.over_weight", "tier.out_of_range", "score.negative"}


@dataclass(frozen=True)
class ReviewRow:
    score: Decimal | None
    comment: str


def reviewer_findings(report: Report, scores: dict[int, Decimal | None]) -> dict[int, list[engine.Finding]]:
    """Findings per indicator id when the reviewer's scores replace the department's."""
    base = report_engine_input(report)
    rows = list(report.indicators.all())
    replaced = tuple(
        dataclasses.replace(row_input, self_score=scores[row.pk]) if scores.get(row.pk) is not None else row_input
        for row, row_input in zip(rows, base.indicators, strict=True)
    )
    result = engine.score_report(dataclasses.replace(base, indicators=replaced))
    by_where = {f"indicators[{i}]": row.pk for i, row in enumerate(rows)}
    found: dict[int, list[engine.Finding]] = {}
    for finding in result.findings:
        pk = by_where.get(finding.where)
        if pk is not None and scores.get(pk) is not None:
            found.setdefault(pk, []).append(finding)
    return found


STALE_CODE = "stale_version"


@transaction.atomic
def report_review_save(
    *, report: Report, actor, rows: dict[int, ReviewRow], opinion: str, expected_version: int | None
) -> int:
    """Store the reviewer's scores and comments; returns how many things changed.

    `expected_version` is the version the reviewer's page showed (None: the page said none):
    anything else means someone changed the report since, and nothing is written. A save
    that changes something is a new version, so a decision from an older page is refused.
    """
    locked = report_queryset().select_for_update(of=("self",)).get(pk=report.pk)
    if not rules.has_perm("reports.review_report_object", actor, locked):
        raise PermissionDenied(_("您无权审核该报告。"))
    if locked.state != Report.State.SUBMITTED:
        raise ValidationError(_("只有已送审的报告可以填写审核意见。"))
    if expected_version != locked.version:
        raise ValidationError(_("报告已被他人修改，请刷新后再试。"), code=STALE_CODE)
    indicators = {row.pk: row for row in locked.indicators.all()}
    unknown = set(rows) - set(indicators)
    if unknown:
        raise ValidationError(_("指标行不存在：%(ids)s") % {"ids": ", ".join(map(str, sorted(unknown)))})
    errors = {}
    for pk, row in rows.items():
        if row.score is not None and row.score < 0:
            errors[f"reviewer_score_{pk}"] = [_("审核得分不能为负数。")]
    scores = {pk: row.score for pk, row in rows.items()}
    for pk, findings in reviewer_findings(locked, scores).items():
        refusing = [f.message for f in findings if f.code in REFUSING_CODES]
        if refusing:
            errors[f"reviewer_score_{pk}"] = refusing
    if errors:
        raise ValidationError(errors)

    events = []
    changed_rows = []
    for pk, row in rows.items():
        indicator = indicators[pk]
        for field, new in (("reviewer_score", row.score), ("review_comment", row.comment.strip())):
            old = getattr(indicator, field)
            # A score of 0 is a score (not "none"); an empty comment is no comment.
            if old == new or (field == "review_comment" and not old and not new):
                continue
            setattr(indicator, field, new)
            events.append(
                ReportEvent(
                    report=locked,
                    actor=actor,
                    kind=ReportEvent.Kind.COMMENT,
                    action="review",
                    field=f"indicators[{indicator.order}].{field}",
                    label=f"{indicator.level3} · {ReportIndicator._meta.get_field(field).verbose_name}",
                    old_value=_text(old),
                    new_value=_text(new),
                )
            )
            changed_rows.append(indicator)
    ReportIndicator.objects.bulk_update(set(changed_rows), ["reviewer_score", "review_comment"])
    opinion = opinion.strip()
    if opinion != locked.review_opinion:
        events.append(
            ReportEvent(
                report=locked,
                actor=actor,
                kind=ReportEvent.Kind.COMMENT,
                action="review",
                field="review_opinion",
                label=str(Report._meta.get_field("review_opinion").verbose_name),
                old_value=locked.review_opinion,
                new_value=opinion,
            )
        )
        locked.review_opinion = opinion
    # The rows in memory carry the scores just written: the total is of what is stored now.
    totals = reviewer_fields(locked, report_score(locked))
    stale_total = [name for name, value in totals.items() if getattr(locked, name) != value]
    for name in stale_total:
        setattr(locked, name, totals[name])
    if events:
        locked.version += 1
        locked.save(update_fields=["review_opinion", "version", "updated_at", *stale_total])
    elif stale_total:
        locked.save(update_fields=stale_total)
    ReportEvent.objects.bulk_create(events)
    return len(events)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return num(value)
    return str(value)


def submissions(report: Report) -> list[ReportEvent]:
    """The report's submit events that carry a snapshot, oldest first."""
    return list(
        ReportEvent.objects.filter(report=report, action="submit", field=SNAPSHOT_FIELD).order_by("created_at", "pk")
    )


def changes_since_previous_submission(report: Report) -> list[history.Change]:
    """What the latest submission changed against the one before it (nothing for a first one)."""
    submitted = submissions(report)
    if len(submitted) < 2:
        return []
    before, after = (json.loads(event.new_value) for event in submitted[-2:])
    return history.diff_documents(before, after)
