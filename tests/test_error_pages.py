"""What a person sees when a page is not theirs, not allowed, or fails: the app's own pages, in Chinese."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from reports.models import Report

pytestmark = pytest.mark.django_db


def test_another_departments_report_is_a_plain_chinese_404(client, personas):
    other = Report.objects.get(department__code="201001", round__year=2021)
    client.force_login(personas["accountant_a"])
    response = client.get(reverse("report", args=[other.pk]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and "返回首页" in html
    assert other.department.name not in html  # nothing says whose it is
    assert "Not Found" not in html


def test_a_missing_right_is_a_403_that_says_which(client, personas):
    client.force_login(personas["accountant_a"])
    response = client.get(reverse("review:queue"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "没有权限" in html and "返回首页" in html
    assert "403 Forbidden" not in html


def test_the_500_page_stands_alone():
    """Rendered without a request or a database: it must not need either."""
    html = render_to_string("500.html")
    assert "服务器出错" in html and "已保存的内容不受影响" in html
    assert "/static/css/app.css" in html
