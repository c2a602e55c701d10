"""The queue, the review page and the public pages cost a fixed number of queries:
they do not grow with the number of reports, indicator rows, tasks or events."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from departments.models import Department
from reports.demo.build import resize_report
from reports.models import Report, ReportEvent
from reports.services.workflow import report_transition

# Pinned. The queue: session, user, roles, rounds, the reports (one query with the overdue
# mark), the counts by state/grade/overdue (one aggregate).
QUEUE_QUERIES = 6
# The review page: session, user, roles; the report with round, rule set, template and
# department, its tasks, rows and level-1 nodes (4); budget lines; when it was submitted;
# the last two submissions' snapshots (reports.services.review); the timeline (events with their
# actors, without snapshots).
REVIEW_QUERIES = 11
# The public list: rounds, departments, reports (with whether an archive exists).
PUBLIC_INDEX_QUERIES = 3
# A public report: the report (4 as above), budget lines, whether an archive exists.
PUBLIC_REPORT_QUERIES = 6


def add_reports(seed: Report, n: int, state: str = "submitted") -> None:
    """n more departments in the seed's round, each with a scored report."""
    departments = Department.objects.bulk_create(
        Department(code=f"9{i:05d}", name=f"测试部门{i}", short_name=f"测试{i}") for i in range(n)
    )
    Report.objects.bulk_create(
        Report(
            round_id=seed.round_id,
            department=d,
            state=state,
            rule_total=Decimal("80") + i,
            self_total=Decimal("81") + i,
            grade="良",
            error_count=i % 3,
            warning_count=i,
        )
        for i, d in enumerate(departments)
    )


def add_events(report: Report, n: int, actor) -> None:
    ReportEvent.objects.bulk_create(
        ReportEvent(
            report=report, actor=actor, kind="comment", action="review", label=f"意见 {i}", new_value=f"第{i}条"
        )
        for i in range(n)
    )


def count(client, django_assert_num_queries, url: str, expected: int):
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("more", [0, 25])
def test_queue_queries_do_not_grow_with_reports(client, people, seed, django_assert_num_queries, more):
    add_reports(seed, more)
    client.force_login(people["reviewer"])
    client.get(reverse("review:queue"))  # a warm session, as in use
    response = count(client, django_assert_num_queries, reverse("review:queue") + "?sort=-rule", QUEUE_QUERIES)
    assert len(response.context["reports"]) == 9 + more


@pytest.mark.parametrize("rows, events", [(5, 0), (60, 40)])
def test_review_page_queries_do_not_grow_with_rows(client, people, seed, django_assert_num_queries, rows, events):
    Report.objects.filter(pk=seed.pk).update(error_count=0)
    report_transition(report=seed, action="submit", actor=people["accountant_a"])
    report_transition(report=seed, action="return", actor=people["reviewer"], reason="请修正")
    resize_report(seed, rows)
    report_transition(report=seed, action="submit", actor=people["accountant_a"])  # a second snapshot to compare
    add_events(seed, events, people["reviewer"])
    client.force_login(people["reviewer"])
    client.get(reverse("review:queue"))
    response = count(client, django_assert_num_queries, reverse("review:report", args=[seed.pk]), REVIEW_QUERIES)
    assert len(response.context["sheet"]["indicators"]) == rows
    assert response.context["changes"]  # rows were added or removed between the submissions


@pytest.mark.parametrize("more, rows", [(0, 5), (25, 60)])
def test_public_queries_do_not_grow(client, people, seed, django_assert_num_queries, more, rows):
    add_reports(seed, more, state="published")
    Report.objects.filter(pk=seed.pk).update(state="published")
    resize_report(seed, rows)
    response = count(client, django_assert_num_queries, reverse("public:index"), PUBLIC_INDEX_QUERIES)
    assert response.context["count"] == 3 + more
    response = count(client, django_assert_num_queries, reverse("public:report", args=[seed.pk]), PUBLIC_REPORT_QUERIES)
    assert len(response.context["sheet"]["indicators"]) == rows
