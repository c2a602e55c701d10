"""The dashboard's queries do not grow with the departments: the same count for 1 and for 100."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from departments.models import Department, Role
from reports.models import RectificationItem, Report, ReportFinding, Round
from reports.web.dashboard import selectors
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

# Pinned: session, user, roles, round, level-1 columns (the nodes, the rows under none), the counts,
# departments without a report, frequent findings, one page of the table, earlier totals, yearly
# averages, rounds. (The rectification counts are subqueries of the counts and of the table's page.)
DASHBOARD_QUERIES = 13
# Session, user, roles, round, level-1 columns (two), count, one page, earlier totals, and with a
# finding code, what it says in each report of the page.
LIST_QUERIES = 10

STATES = [s for s in selectors.STATE_ORDER]
CODES = ["target.ambiguous", "reason.missing", "narrative.unit_yuan", "score.differs"]


@pytest.fixture
def big_round(db):
    """A template and rule set from the seed document (no reports), and two rounds that use them."""
    from reports.demo.build import seed_document
    from reports.interchange.store import round_create_from_document

    base = round_create_from_document(
        document=seed_document(),
        name="模板",
        deadline=datetime.date(2032, 3, 31),
        template_name="查询测试模板",
        rules_name="查询测试规则",
    )

    def make(year):
        return Round.objects.create(
            name=f"{year}年度查询测试",
            year=year,
            template_id=base.template_id,
            rule_set_id=base.rule_set_id,
            deadline=base.deadline,
        )

    return make(2031), make(2030)


@pytest.fixture
def reviewer(db):
    return make_user("q_reviewer", Role.Kind.REVIEWER)


def add_departments(round_: Round, previous: Round, start: int, n: int) -> None:
    """n departments with a scored report this year and last year, and a few findings each."""
    departments = Department.objects.bulk_create(
        Department(code=f"9{i:05d}", name=f"测试部门{i}", short_name=f"部门{i}") for i in range(start, start + n)
    )
    round_.departments.add(*departments)
    previous.departments.add(*departments)

    def report(round_, dept, i, shift):
        total = Decimal(40 + (i * 7 + shift) % 60) + Decimal("0.25")
        grade = "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"
        return Report(
            round=round_,
            department=dept,
            state=STATES[i % len(STATES)],
            rule_total=total,
            self_total=total,
            execution_score=Decimal("9.50"),
            grade=grade,
            level1_scores=[
                {"name": "投入管理指标", "weight": "40", "score": str(Decimal(30 + i % 10)), "self_score": "40"},
                {"name": "产出指标", "weight": "30", "score": str(Decimal(20 + i % 10)), "self_score": "30"},
                {"name": "效益指标", "weight": "20", "score": "15.5", "self_score": "20"},
            ],
            error_count=i % 3,
            warning_count=2,
        )

    reports = Report.objects.bulk_create(report(round_, d, start + k, 0) for k, d in enumerate(departments))
    Report.objects.bulk_create(report(previous, d, start + k, 5) for k, d in enumerate(departments))
    ReportFinding.objects.bulk_create(
        ReportFinding(
            report=r,
            order=j,
            code=CODES[(k + j) % len(CODES)],
            severity="error" if j == 0 else "warning",
            where="测试",
            message="测试",
        )
        for k, r in enumerate(reports)
        for j in range(3)
    )
    # Every other department: an item waiting for it, one answered, one closed.
    issuer = make_user(f"q_issuer_{start}", Role.Kind.REVIEWER)
    RectificationItem.objects.bulk_create(
        RectificationItem(report=r, text="整改", issued_by=issuer, state=state)
        for k, r in enumerate(reports)
        if (start + k) % 2 == 0
        for state in ("open", "answered", "closed")
    )


@pytest.mark.parametrize("sort", ["", "-rule", "l1-1", "delta", "-findings", "-rect"])
def test_dashboard_queries_do_not_grow_with_departments(client, reviewer, big_round, django_assert_num_queries, sort):
    round_, previous = big_round
    url = reverse("dashboard:round", args=[round_.pk])
    client.force_login(reviewer)
    add_departments(round_, previous, 0, 1)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(url, {"sort": sort} if sort else {})
    assert len(response.context["rows"]) == 1

    add_departments(round_, previous, 1, 99)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(url, {"sort": sort} if sort else {})
    rows = response.context["rows"]
    assert len(rows) == 100
    assert response.context["summary"].reports == 100
    assert sum(response.context["summary"].grades.values()) == 100
    assert all(len(r.past) == 1 and r.trend for r in rows)
    assert {f.code for f in response.context["findings"]} == set(CODES)
    summary = response.context["summary"]
    assert (summary.rect_open, summary.rect_answered, summary.rect_reports) == (50, 50, 50)
    assert sum(1 for r in rows if r.rect_open == "1" and r.rect_answered == "1") == 50
    assert sum(1 for r in rows if not r.rect_open and not r.rect_answered) == 50
    if sort == "-rect":
        assert all(r.rect_open for r in rows[:50]) and not any(r.rect_open for r in rows[50:])
    cards = {c.key: c for c in response.context["cards"]}
    assert cards["rectification"].value == 100


def test_filtered_list_queries_do_not_grow(client, reviewer, big_round, django_assert_num_queries):
    round_, previous = big_round
    url = reverse("dashboard:reports", args=[round_.pk])
    client.force_login(reviewer)
    add_departments(round_, previous, 0, 1)
    params = {"finding": "target.ambiguous", "sort": "-l1-0"}
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(url, params)
    assert response.context["count"] == 1

    add_departments(round_, previous, 1, 99)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(url, params)
    assert response.context["count"] == 75  # 3 of every 4 departments have that code
    assert all(r.hits == 1 for r in response.context["rows"])


def test_table_pages_through_many_departments(client, reviewer, big_round):
    round_, previous = big_round
    add_departments(round_, previous, 0, 130)
    client.force_login(reviewer)
    url = reverse("dashboard:round", args=[round_.pk])
    first = client.get(url, {"sort": "-rule"})
    second = client.get(url, {"sort": "-rule", "page": "2"})
    assert len(first.context["rows"]) == selectors.PAGE_SIZE and len(second.context["rows"]) == 30
    totals = [Decimal(r.rule_total) for r in first.context["rows"] + second.context["rows"]]
    assert totals == sorted(totals, reverse=True)
    assert 'href="?sort=-rule&amp;page=2"' in first.content.decode()


def test_a_round_without_reports(client, reviewer, big_round):
    round_, _previous = big_round
    client.force_login(reviewer)
    response = client.get(reverse("dashboard:round", args=[round_.pk]))
    assert response.status_code == 200
    summary = response.context["summary"]
    assert (summary.reports, summary.overdue, summary.average) == (0, 0, None)
    assert response.context["rows"] == [] and response.context["findings"] == []
    html = response.content.decode()
    assert "没有符合条件的报告。" in html and "本轮报告没有错误或提示。" in html
    assert client.get(reverse("dashboard:pdf", args=[round_.pk])).status_code == 200


def test_bin_edges_agree_between_the_counts_and_the_list(client, reviewer, big_round):
    round_, previous = big_round
    add_departments(round_, previous, 0, 7)
    totals = [Decimal("0"), Decimal("9.99"), Decimal("10"), Decimal("89.99"), Decimal("90"), Decimal("100"), None]
    for report, total in zip(Report.objects.filter(round=round_).order_by("department__code"), totals, strict=True):
        Report.objects.filter(pk=report.pk).update(rule_total=total)
    summary = selectors.round_summary(user=reviewer, round_=round_)
    assert {k: v for k, v in summary.bins.items() if v} == {"0": 2, "10": 1, "80": 1, "90": 2}
    assert summary.unscored == 1
    assert summary.average == (sum(t for t in totals if t is not None) / 6)
    client.force_login(reviewer)
    url = reverse("dashboard:reports", args=[round_.pk])
    for key, n in [*summary.bins.items(), ("none", 1)]:
        assert client.get(url, {"bin": key}).context["count"] == n, key
