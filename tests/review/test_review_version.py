"""Review decisions name the report version the reviewer saw; a missing or stale one changes nothing."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from departments.models import Role
from reports.models import Report, ReportEvent, ReportIndicator
from reports.services.workflow import report_transition
from tests.conftest import make_user

STALE = "报告在您查看后已被修改"
REFRESH = "请刷新后重新审核"


@pytest.fixture
def submitted(people, seed) -> Report:
    Report.objects.filter(pk=seed.pk).update(error_count=0)
    return report_transition(report=seed, action="submit", actor=people["accountant_a"])


def seen_version(client, report) -> int:
    """The version in the review page's hidden field, as a browser would post it."""
    html = client.get(reverse("review:report", args=[report.pk])).content.decode()
    return int(re.search(r'name="version" value="(\d+)"', html).group(1))


def review_form(report, **data) -> dict:
    form = {f"score-{r.pk}": "" for r in report.indicators.all()}
    form.update({f"comment-{r.pk}": r.review_comment for r in report.indicators.all()})
    form["opinion"] = ""
    form.update(data)
    return form


def snapshot(report) -> tuple:
    current = Report.objects.get(pk=report.pk)
    rows = tuple(
        ReportIndicator.objects.filter(report=report).order_by("pk").values_list("reviewer_score", "review_comment")
    )
    return (
        current.state,
        current.version,
        current.review_opinion,
        ReportEvent.objects.filter(report=report).count(),
        rows,
    )


def assert_refused(response, before, report):
    assert response.status_code == 409
    html = response.content.decode()
    assert STALE in html and REFRESH in html
    assert snapshot(report) == before


def test_approve_from_a_page_another_reviewer_has_since_saved_is_refused(client, people, submitted):
    report = submitted
    second = make_user("r_reviewer2", Role.Kind.REVIEWER)
    client.force_login(people["reviewer"])
    seen = seen_version(client, report)
    target = ReportIndicator.objects.get(report=report, level3="预算执行率")
    # The other reviewer saves a score and an opinion from a fresh page.
    client.force_login(second)
    fresh = seen_version(client, report)
    data = review_form(report, opinion="执行率需核实", version=fresh, **{f"score-{target.pk}": "1.5"})
    assert client.post(reverse("review:save", args=[report.pk]), data).status_code == 302
    before = snapshot(report)
    assert before[1] > seen  # a saved review is a new version
    # The first reviewer approves from the page seen before it.
    client.force_login(people["reviewer"])
    stale = review_form(report, decision="approve", opinion="同意", version=seen)
    assert_refused(client.post(reverse("review:save", args=[report.pk]), stale), before, report)
    target.refresh_from_db()
    assert target.reviewer_score == 1.5  # the other reviewer's score is still there


def test_approve_from_before_a_return_and_resubmission_is_refused(client, people, submitted):
    report = submitted
    client.force_login(people["reviewer"])
    seen = seen_version(client, report)
    report_transition(report=report, action="return", actor=people["admin"], reason="请补充")
    report_transition(report=report, action="submit", actor=people["accountant_a"])
    before = snapshot(report)
    stale = review_form(report, decision="approve", version=seen)
    assert_refused(client.post(reverse("review:save", args=[report.pk]), stale), before, report)


@pytest.mark.parametrize("decision", ["approve", "return", ""])
def test_a_review_post_without_a_version_is_refused(client, people, submitted, decision):
    report = submitted
    client.force_login(people["reviewer"])
    before = snapshot(report)
    data = review_form(report, decision=decision, reason="请补充", opinion="意见")
    assert_refused(client.post(reverse("review:save", args=[report.pk]), data), before, report)


def test_the_seen_version_approves(client, people, submitted):
    report = submitted
    client.force_login(people["reviewer"])
    data = review_form(report, decision="approve", opinion="同意", version=seen_version(client, report))
    assert client.post(reverse("review:save", args=[report.pk]), data).status_code == 302
    assert Report.objects.get(pk=report.pk).state == "approved"


def test_admin_publish_and_reopen_need_the_seen_version(client, people, seed):
    Report.objects.filter(pk=seed.pk).update(state="approved")
    client.force_login(people["admin"])
    transition = reverse("review:transition", args=[seed.pk])
    seen = seen_version(client, seed)
    before = snapshot(seed)
    assert_refused(client.post(transition, {"action": "publish"}), before, seed)
    assert_refused(client.post(transition, {"action": "publish", "version": seen - 1}), before, seed)
    assert client.post(transition, {"action": "publish", "version": seen}).status_code == 302
    assert Report.objects.get(pk=seed.pk).state == "published"
    before = snapshot(seed)
    assert_refused(client.post(transition, {"action": "reopen", "reason": "有误", "version": seen}), before, seed)
    assert_refused(client.post(transition, {"action": "reopen", "reason": "有误"}), before, seed)
    fresh = seen_version(client, seed)
    assert client.post(transition, {"action": "reopen", "reason": "有误", "version": fresh}).status_code == 302
    assert Report.objects.get(pk=seed.pk).state == "returned"
