"""A new round: the department's accountant starts the report in the browser, from the round's template."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse

from departments.models import BudgetLine, Department
from reports.models import Report, ReportEvent, Round
from tests.test_form_helpers import form_data, post_form, set_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_2022(demo):
    """The bureau opens 2022 for the seed department and 区教育局, with 2021's template and rules."""
    last = Round.objects.get(year=2021)
    new = Round.objects.create(
        name="2022年度部门整体绩效自评",
        year=2022,
        template=last.template,
        rule_set=last.rule_set,
        deadline=datetime.date(2023, 3, 31),
    )
    new.departments.set(Department.objects.filter(code__in=["101001", "201001"]))
    return new


def start_url(round_, code):
    return reverse("report_start", args=[round_.pk, Department.objects.get(code=code).pk])


def test_accountant_sees_the_new_round_and_starts_the_report(client, personas, round_2022):
    client.force_login(personas["accountant_a"])
    html = client.get(reverse("home")).content.decode()
    assert "2022年度部门整体绩效自评" in html and "未填报" in html and "开始填报" in html
    assert start_url(round_2022, "101001") in html
    assert start_url(round_2022, "201001") not in html  # not their department

    response = client.post(start_url(round_2022, "101001"))
    report = Report.objects.get(round=round_2022, department__code="101001")
    assert response.status_code == 302 and response["Location"] == reverse("report", args=[report.pk])
    assert report.state == Report.State.DRAFT
    template_rows = list(round_2022.template.indicators.order_by("order", "pk"))
    rows = list(report.indicators.order_by("order"))
    assert [(r.level3, r.weight, r.target_text, r.template_indicator_id) for r in rows] == [
        (t.level3, t.weight, t.target_text, t.pk) for t in template_rows
    ]
    assert all(r.self_score is None and r.actual is None for r in rows)
    event = ReportEvent.objects.get(report=report)
    assert event.actor.username == "p_acct_a" and "复制三级指标 24 项" in event.message
    # Not scored until first saved: a blank form is not a 差 in the round's grades and averages.
    assert (report.scored_at, report.rule_total, report.grade) == (None, None, "")

    page = client.get(reverse("report", args=[report.pk]))
    assert page.status_code == 200 and "服务对象满意度" in page.content.decode()
    html = client.get(reverse("home")).content.decode()
    assert "开始填报" not in html and reverse("report", args=[report.pk]) in html
    assert "未计分" in html

    # The first save scores it, as every save does.
    # The first save scores it, as every save does; the year's budget block is the department's.
    data = form_data(client, report)
    set_row(data, "服务社区数量", actual_text="41个", self_score="30")
    data.update({"budget-total_annual": "500", "budget-total_executed": "480"})
    saved = post_form(client, reverse("report_save", args=[report.pk]), data)
    assert saved.status_code == 200, saved.content
    report.refresh_from_db()
    assert report.scored_at is not None and report.grade
    assert report.execution_score == D("9.60")  # 480 ÷ 500 × 10
    line = BudgetLine.objects.get(department=report.department, year=2022, row="total")
    assert (line.annual, line.executed) == (D("500"), D("480"))


def test_starting_twice_opens_the_same_report(client, personas, round_2022):
    client.force_login(personas["accountant_a"])
    first = client.post(start_url(round_2022, "101001"))
    again = client.post(start_url(round_2022, "101001"))
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Report.objects.filter(round=round_2022, department__code="101001").count() == 1


@pytest.mark.parametrize("who", ["accountant_b", "reviewer", "admin"])
def test_only_the_departments_accountant_starts_it(client, personas, round_2022, who):
    client.force_login(personas[who])
    assert client.post(start_url(round_2022, "101001")).status_code == 404
    assert not Report.objects.filter(round=round_2022).exists()


def test_a_closed_round_or_a_get_starts_nothing(client, personas, round_2022):
    client.force_login(personas["accountant_a"])
    assert client.get(start_url(round_2022, "101001")).status_code == 405
    Round.objects.filter(pk=round_2022.pk).update(is_open=False)
    assert "开始填报" not in client.get(reverse("home")).content.decode()
    assert client.post(start_url(round_2022, "101001")).status_code == 404
    assert not Report.objects.filter(round=round_2022).exists()


def test_the_round_summary_leaves_a_started_report_unscored(client, personas, round_2022):
    from reports.xlsx.summary import summary_rows

    client.force_login(personas["accountant_a"])
    client.post(start_url(round_2022, "101001"))
    _header, started, not_started = summary_rows(round_2022)
    assert started[:3] == ("101001", Department.objects.get(code="101001").name, "草稿")
    assert set(started[3:]) == {None, ""}  # no scores, no grade, no counts: not a 差 with 0 errors
    assert not_started[2] == "未填报"
