"""Reviewer scores are checked like self-scores and kept apart; resubmissions show their changes."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reports.interchange.store import report_import, report_queryset, report_to_document
from reports.models import Report, ReportEvent, ReportIndicator
from reports.services.review import ReviewRow, changes_since_previous_submission, report_review_save
from reports.services.workflow import report_transition

pytestmark = pytest.mark.django_db


def submitted(report, personas):
    Report.objects.filter(pk=report.pk).update(error_count=0)
    return report_transition(report=report, action="submit", actor=personas["accountant_a"])


def row(report, level3):
    return ReportIndicator.objects.get(report=report, level3=level3)


def test_reviewer_scores_and_comments_are_kept_apart(personas, seed_report):
    report = submitted(seed_report, personas)
    target = row(report, "预算执行率")
    n = report_review_save(
        report=report,
        actor=personas["reviewer"],
        rows={target.pk: ReviewRow(score=Decimal("1.99"), comment="按规则应为 1.99")},
        opinion="请核对预算执行率",
        expected_version=report.version,
    )
    assert n == 3
    target.refresh_from_db()
    assert (target.reviewer_score, target.self_score, target.review_comment) == (
        Decimal("1.99"),
        Decimal("1.89"),
        "按规则应为 1.99",
    )
    events = ReportEvent.objects.filter(report=report, kind="comment")
    assert {e.label for e in events} >= {"预算执行率 · 审核得分", "总体审核意见"}


def test_reviewer_score_outside_the_rules_is_refused(personas, seed_report):
    report = submitted(seed_report, personas)
    qualitative = row(report, "工作任务科学性")  # weight 1, tier met: [0.80, 1.00]
    over = row(report, "目标管理有效性")  # weight 2
    before = list(ReportIndicator.objects.filter(report=report).values_list("reviewer_score", "review_comment"))
    with pytest.raises(ValidationError) as excinfo:
        report_review_save(
            report=report,
            actor=personas["reviewer"],
            rows={
                qualitative.pk: ReviewRow(score=Decimal("0.5"), comment="x"),
                over.pk: ReviewRow(score=Decimal("3"), comment="y"),
            },
            opinion="",
            expected_version=report.version,
        )
    errors = excinfo.value.message_dict
    assert f"reviewer_score_{qualitative.pk}" in errors and f"reviewer_score_{over.pk}" in errors
    assert list(ReportIndicator.objects.filter(report=report).values_list("reviewer_score", "review_comment")) == before


def test_only_reviewers_review_and_only_submitted_reports(personas, seed_report):
    target = row(seed_report, "预算执行率")
    with pytest.raises(ValidationError):
        report_review_save(
            report=seed_report,
            actor=personas["reviewer"],
            rows={target.pk: ReviewRow(None, "x")},
            opinion="",
            expected_version=seed_report.version,
        )
    report = submitted(seed_report, personas)
    for name in ("accountant_a", "accountant_b"):
        with pytest.raises(PermissionDenied):
            report_review_save(
                report=report,
                actor=personas[name],
                rows={target.pk: ReviewRow(None, "x")},
                opinion="",
                expected_version=report.version,
            )


def test_resubmission_shows_what_changed(personas, seed_report):
    report = submitted(seed_report, personas)
    assert changes_since_previous_submission(report) == []
    report_transition(report=report, action="return", actor=personas["reviewer"], reason="请修正满意度")
    doc = report_to_document(report_queryset().get(pk=report.pk))
    satisfaction = next(r for r in doc["indicators"] if r["level3"] == "服务对象满意度")
    satisfaction["actual"], satisfaction["actual_text"] = "85", "85%"
    report_import(document=json.loads(json.dumps(doc)))
    report = submitted(report, personas)
    changes = changes_since_previous_submission(report)
    labels = {(c.label, c.old, c.new) for c in changes}
    assert any("服务对象满意度" in label and old == "≥80%" and new == "85%" for label, old, new in labels), labels
