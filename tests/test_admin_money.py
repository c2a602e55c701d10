"""Amounts in 万元 read as money in the admin: two decimals, more only when the 元 need them."""

from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from departments.models import BudgetLine, Department
from perfeval.widgets import money_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_demo(client, demo):
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


def test_money_text_keeps_two_places_and_every_yuan():
    assert money_text(D("477.480000")) == "477.48"
    assert money_text(D("343.000000")) == "343.00"
    assert money_text(D("0.000100")) == "0.0001"
    assert money_text(D("1234567.5")) == "1234567.50"


def test_budget_line_list_and_form_show_two_decimals(admin_client_demo):
    html = admin_client_demo.get(reverse("admin:departments_budgetline_changelist") + "?year=2021").content.decode()
    assert "477.48" in html
    assert "477.480000" not in html and "477.480" not in html
    line = BudgetLine.objects.get(department__code="101001", year=2021, row="total")
    form = admin_client_demo.get(reverse("admin:departments_budgetline_change", args=[line.pk])).content.decode()
    assert f'value="{money_text(line.annual)}"' in form and 'value="477.48"' in form
    # still sortable by the column
    sorted_html = admin_client_demo.get(reverse("admin:departments_budgetline_changelist") + "?o=5").content.decode()
    assert "477.48" in sorted_html or "451.06" in sorted_html


def test_department_inline_and_report_tasks_show_two_decimals(admin_client_demo, seed_report):
    dept = Department.objects.get(code="101001")
    html = admin_client_demo.get(reverse("admin:departments_department_change", args=[dept.pk])).content.decode()
    assert 'value="343.00"' in html
    report = admin_client_demo.get(reverse("admin:reports_report_change", args=[seed_report.pk])).content.decode()
    assert 'value="134.48"' in report
