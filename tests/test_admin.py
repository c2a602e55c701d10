"""The bureau admin finds the seed report complete in the Django admin, in Chinese."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from departments.models import Department

SEED = json.loads((Path(__file__).parent / "data" / "seed_expected.json").read_text(encoding="utf-8"))
pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_demo(client, demo):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.get(username="admin")
    client.force_login(admin)
    return client


def test_admin_shows_the_seed_report_complete(admin_client_demo, seed_report):
    response = admin_client_demo.get(reverse("admin:reports_report_change", args=[seed_report.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for task in ("机关运行", "城乡社区服务群众专项工作", "社区发展治理工作"):
        assert task in html
    for row in SEED["indicators"]:
        assert row["level3"] in html
    for fragment in SEED["narrative_fragments"].values():
        assert fragment in html
    assert 'value="134.48"' in html  # exact decimals shown plainly, not 134.480000
    assert "99.44" in html and "99.34" in html


def test_admin_shows_the_five_budget_rows(admin_client_demo):
    dept = Department.objects.get(code="101001")
    response = admin_client_demo.get(reverse("admin:departments_department_change", args=[dept.pk]))
    html = response.content.decode()
    assert html.count('name="budget_lines-') >= 5 * 6
    for value in ("477.48", "451.06", "134.48", "135.35", "343", "315.71"):
        assert f'value="{value}"' in html


def test_admin_is_chinese_whatever_the_browser_asks(admin_client_demo):
    response = admin_client_demo.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert "评价任务与自评报告" in html
    assert "站点管理" in html or "管理" in html
    assert "Site administration" not in html


def test_admin_report_list_sorts_and_filters(admin_client_demo):
    url = reverse("admin:reports_report_changelist")
    response = admin_client_demo.get(url, {"state__exact": "returned"})
    assert response.status_code == 200
    assert "区民政局" in response.content.decode()
    assert "区教育局" not in response.content.decode()
    response = admin_client_demo.get(url, {"q": "101001"})
    assert "中共上街区委社治委" in response.content.decode()


def test_admin_actions_go_through_the_workflow(admin_client_demo, seed_report):
    from reports.models import Report, ReportEvent

    Report.objects.filter(pk=seed_report.pk).update(state="submitted")
    url = reverse("admin:reports_report_changelist")
    # The first step asks for a reason; without one nothing changes.
    response = admin_client_demo.post(url, {"action": "action_return", "_selected_action": [seed_report.pk]})
    assert response.status_code == 200 and "原因（必填）" in response.content.decode()
    response = admin_client_demo.post(
        url,
        {"action": "action_return", "_selected_action": [seed_report.pk], "confirm": "1", "reason": ""},
        follow=True,
    )
    assert "请填写原因" in response.content.decode()
    assert Report.objects.get(pk=seed_report.pk).state == "submitted"
    admin_client_demo.post(
        url,
        {"action": "action_return", "_selected_action": [seed_report.pk], "confirm": "1", "reason": "请补充原因分析"},
    )
    event = ReportEvent.objects.filter(report=seed_report).latest("pk")
    assert (event.action, event.to_state, event.actor.username, event.message) == (
        "return",
        "returned",
        "admin",
        "请补充原因分析",
    )


def test_admin_cannot_edit_a_submitted_report(admin_client_demo, seed_report):
    from reports.models import Report

    Report.objects.filter(pk=seed_report.pk).update(state="submitted")
    url = reverse("admin:reports_report_change", args=[seed_report.pk])
    response = admin_client_demo.post(url, {"goal": "rewritten"})
    assert response.status_code == 403
    assert Report.objects.get(pk=seed_report.pk).goal != "rewritten"
