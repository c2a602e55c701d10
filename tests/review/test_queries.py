"""The queue, the review page and the public pages cost a fixed number of queries:
they do not grow with the number of reports, indicator rows, tasks or events."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from departments.models import Department
from reports.demo.build import resize_report
from reports.models import RectificationItem, Report, ReportEvent
from reports.services.workflow import report_transition
from tests.test_form_helpers import fill_required

# Pinned. The queue: session, user, roles, rounds, how many match (the paginator's count), the page's
# reports (one query with the overdue mark), the counts by state/grade/overdue (one aggregate).
QUEUE_QUERIES = 7
# The review page: session, user, roles; the report with round, rule set, template and
# department, its tasks, rows and level-1 nodes (4); budget lines; when it was submitted;
# the last two submissions' snapshots (reports.services.review); the timeline (events with their
# actors, without snapshots); the evidence files of every row (one query); the rectification items
# with the people named on them.
REVIEW_QUERIES = 13
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


def test_a_long_queue_pages_by_50_at_fixed_queries_keeping_its_filters(client, people, seed, django_assert_num_queries):
    add_reports(seed, 130)  # 130 more reports, submitted and 良
    client.force_login(people["reviewer"])
    client.get(reverse("review:queue"))
    query = f"?round={seed.round_id}&state=submitted&grade=良&sort=-rule"
    first = count(client, django_assert_num_queries, reverse("review:queue") + query, QUEUE_QUERIES)
    second = count(client, django_assert_num_queries, reverse("review:queue") + query + "&page=2", QUEUE_QUERIES)
    last = count(client, django_assert_num_queries, reverse("review:queue") + query + "&page=3", QUEUE_QUERIES)
    pages = [[r.pk for r in response.context["reports"]] for response in (first, second, last)]
    matching = Report.objects.filter(round=seed.round_id, state="submitted", grade="良").count()
    assert matching >= 130
    assert [len(p) for p in pages] == [50, 50, matching - 100]
    assert len({pk for p in pages for pk in p}) == matching  # no report twice, none left out
    totals = [r.rule_total for response in (first, second, last) for r in response.context["reports"]]
    assert totals == sorted(totals, reverse=True)  # the sort holds across pages
    html = second.content.decode()
    keep = f"round={seed.round_id}&amp;state=submitted&amp;grade=%E8%89%AF&amp;sort=-rule"
    assert f'href="?{keep}&amp;page=1"' in html and f'href="?{keep}&amp;page=3"' in html
    assert "第 2 / 3 页" in html
    beyond = client.get(reverse("review:queue") + query + "&page=99")
    assert [r.pk for r in beyond.context["reports"]] == pages[2]  # past the end: the last page


@pytest.mark.parametrize("rows, events, items", [(5, 0, 0), (60, 40, 3)])
def test_review_page_queries_do_not_grow_with_rows(
    client, people, seed, django_assert_num_queries, rows, events, items
):
    Report.objects.filter(pk=seed.pk).update(error_count=0)
    report_transition(report=seed, action="submit", actor=people["accountant_a"])
    report_transition(report=seed, action="return", actor=people["reviewer"], reason="请修正")
    resize_report(seed, rows)
    fill_required(seed)
    report_transition(report=seed, action="submit", actor=people["accountant_a"])  # a second snapshot to compare
    add_events(seed, events, people["reviewer"])
    RectificationItem.objects.bulk_create(
        RectificationItem(report=seed, text=f"整改要求{i}", issued_by=people["reviewer"], state=state)
        for i, state in zip(range(items), ("open", "answered", "closed"), strict=False)
    )
    client.force_login(people["reviewer"])
    client.get(reverse("review:queue"))
    response = count(client, django_assert_num_queries, reverse("review:report", args=[seed.pk]), REVIEW_QUERIES)
    assert len(response.context["sheet"]["indicators"]) == rows
    assert len(response.context["rectifications"]) == items
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
