"""The reviewer total (审核总分) kept on the report, and the final score (审核得分) once approved."""

from __future__ import annotations

from decimal import Decimal as D

from reports.models import Report, ReportIndicator
from reports.services.review import ReviewRow, report_review_save
from reports.services.scoring import report_score
from reports.services.workflow import report_transition


def _submitted(seed, people) -> Report:
    Report.objects.filter(pk=seed.pk).update(error_count=0)
    report_transition(report=seed, action="submit", actor=people["accountant_a"])
    return Report.objects.get(pk=seed.pk)


def _save(report, people, scores: dict[int, D | None]) -> Report:
    rows = {r.pk: ReviewRow(score=scores.get(r.pk), comment="") for r in report.indicators.all()}
    report_review_save(report=report, actor=people["reviewer"], rows=rows, opinion="", expected_version=report.version)
    return Report.objects.get(pk=report.pk)


def test_without_reviewer_scores_the_total_is_the_rule_total(seed, people):
    report = _submitted(seed, people)
    saved = _save(report, people, {})
    assert saved.rule_total is not None
    assert saved.reviewer_total == saved.rule_total
    assert saved.reviewer_grade == saved.grade
    assert saved.final_score is None  # not approved yet


def test_reviewer_scores_count_instead_of_the_rule_scores(seed, people):
    report = _submitted(seed, people)
    result = report_score(Report.objects.get(pk=report.pk))
    rows = list(report.indicators.order_by("order"))
    # Two quantitative rows (a qualitative score must stay in its tier): one scored lower by the
    # reviewer, one at its rule score.
    pairs = zip(rows, result.rows, strict=True)
    scored = [(row, res) for row, res in pairs if row.kind == "quantitative" and res.score and res.score > 1][:2]
    (low, low_res), (same, same_res) = scored
    saved = _save(report, people, {low.pk: low_res.score - D("0.75"), same.pk: same_res.score})
    assert saved.reviewer_total == saved.rule_total - D("0.75")
    assert ReportIndicator.objects.get(pk=low.pk).reviewer_score == low_res.score - D("0.75")
    # Approved: the final score is the reviewer total, and stays so.
    report_transition(report=saved, action="approve", actor=people["reviewer"], expected_version=saved.version)
    approved = Report.objects.get(pk=report.pk)
    assert approved.final_score == approved.reviewer_total == approved.rule_total - D("0.75")
    assert approved.final_grade == approved.reviewer_grade != ""


def test_a_removed_reviewer_score_gives_the_rule_score_back(seed, people):
    report = _submitted(seed, people)
    result = report_score(Report.objects.get(pk=report.pk))
    pairs = zip(report.indicators.order_by("order"), result.rows, strict=True)
    row = next(r for r, res in pairs if r.kind == "quantitative" and res.score and res.score > 1)
    saved = _save(report, people, {row.pk: D("0")})
    assert saved.reviewer_total < saved.rule_total
    saved = _save(saved, people, {row.pk: None})
    assert saved.reviewer_total == saved.rule_total
