"""The bureau's round-wide view and the entry page cost a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from departments.models import BudgetLine, Department
from reports.demo.build import resize_report
from reports.models import MonitoringEntry, MonitoringPoint, MonitoringRow, Report, ReportIndicator

# Pinned. The round view: session, user, roles; the point with its round and rule set; the
# round's departments; their reports; the reports' rows; the entries and their rows (2); the
# budget lines.
ROUND_QUERIES = 10
# The entry page: session, user, roles; the point; the report; its rows; the entry and its rows
# (2); the budget line.
ENTRY_QUERIES = 9


def add_departments(point, n: int) -> None:
    """n more departments in the point's round, each with a report of 3 rows and an entry."""
    departments = Department.objects.bulk_create(
        Department(code=f"9{i:05d}", name=f"监控部门{i}", short_name=f"监控{i}") for i in range(n)
    )
    point.round.departments.add(*departments)
    BudgetLine.objects.bulk_create(
        BudgetLine(department=d, year=point.round.year, row="total", annual=D("100")) for d in departments
    )
    reports = Report.objects.bulk_create(Report(round=point.round, department=d) for d in departments)
    rows = ReportIndicator.objects.bulk_create(
        ReportIndicator(report=r, order=k, level3=f"指标{k}", kind="quantitative", sign=">=", target=D("10"))
        for r in reports
        for k in range(3)
    )
    entries = MonitoringEntry.objects.bulk_create(
        MonitoringEntry(point=point, report=r, budget_executed=D(10 * (i % 8))) for i, r in enumerate(reports)
    )
    by_report = {e.report_id: e for e in entries}
    MonitoringRow.objects.bulk_create(
        MonitoringRow(
            entry=by_report[row.report_id], indicator=row, actual_text=str(row.order * 2), actual=D(row.order * 2)
        )
        for row in rows
    )


@pytest.mark.parametrize("more", [0, 25])
def test_round_view_queries_do_not_grow_with_departments(client, people, point, django_assert_num_queries, more):
    add_departments(point, more)
    client.force_login(people["reviewer"])
    url = reverse("monitoring:round", args=[point.pk])
    client.get(url)  # a warm session, as in use
    with django_assert_num_queries(ROUND_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["rows"]) == 9 + more
    if more:
        # 0 and 10 of 100 executed are red, 20 and 30 yellow, 40 and more green
        worst = [r["worst"] for r in response.context["rows"]]
        assert worst == sorted(worst, key=["red", "yellow", "green", "grey"].index)


@pytest.mark.parametrize("rows", [5, 60])
def test_entry_page_queries_do_not_grow_with_rows(client, people, point, seed, django_assert_num_queries, rows):
    resize_report(seed, rows)
    client.force_login(people["accountant_a"])
    url = reverse("monitoring:entry", args=[point.pk, seed.pk])
    client.get(url)
    with django_assert_num_queries(ENTRY_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["rows"]) == rows


# The index: session, user, roles; the points; for a department, its reports in those rounds.
INDEX_QUERIES = {"accountant_a": 5, "reviewer": 4}


@pytest.mark.parametrize("who", ["accountant_a", "reviewer"])
@pytest.mark.parametrize("more", [0, 2])
def test_index_queries_do_not_grow_with_points(client, people, point, django_assert_num_queries, who, more):
    for k in range(more):
        MonitoringPoint.objects.create(round=point.round, as_of=f"2021-0{7 + k}-31", expected_progress=D("60") + k)
    client.force_login(people[who])
    url = reverse("monitoring:index")
    client.get(url)
    with django_assert_num_queries(INDEX_QUERIES[who]):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["items"]) == 1 + more
