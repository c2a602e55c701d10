"""A department-added row's sign (≥ typed in its own select, the target as a bare number) is kept
on the review page and the public page, as on the report page."""

from __future__ import annotations

import re
from decimal import Decimal as D

from django.urls import reverse

from reports.models import Report, ReportIndicator
from reports.services.workflow import report_transition
from tests.review.test_pages import review_url, submitted

NAME = "新增社区服务覆盖率"


def add_row(report: Report) -> ReportIndicator:
    """What the report form stores for an added row with sign ≥ and target "95" (editing service)."""
    last = report.indicators.order_by("-order").first()
    return ReportIndicator.objects.create(
        report=report,
        order=last.order + 1,
        template_indicator=None,
        level1=last.level1,
        level2=last.level2,
        level3=NAME,
        kind="quantitative",
        sign=">=",
        target=D("95"),
        target_text="95",
        unit="%",
        actual=D("96"),
        actual_text="96",
        weight=D("0"),
        self_score=D("0"),
    )


def target_cell(html: str, row: ReportIndicator) -> str:
    match = re.search(rf'id="row-{row.pk}".*?<td class="c-target[^"]*">([^<]*)</td>', html, re.S)
    assert match, "no target cell"
    return match.group(1)


def test_review_and_public_pages_keep_the_sign_of_an_added_row(client, people, seed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    row = add_row(seed)
    report = submitted(seed, people)
    client.force_login(people["reviewer"])
    assert target_cell(client.get(review_url(report)).content.decode(), row) == "≥95"
    # A template row whose text carries its sign shows it once.
    template_row = report.indicators.get(level3="预算执行率")
    assert target_cell(client.get(review_url(report)).content.decode(), template_row) == "≥95%"

    approved = report_transition(report=report, action="approve", actor=people["reviewer"], override="测试")
    report_transition(report=approved, action="publish", actor=people["admin"])
    client.logout()
    html = client.get(reverse("public:report", args=[report.pk])).content.decode()
    assert target_cell(html, row) == "≥95"
