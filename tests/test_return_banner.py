"""The return banner on the department's report page: why it came back, the overall opinion
and the rows the reviewer commented on; the opinion stays on the approved report's page."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.demo.build import resize_report
from reports.models import Report, ReportIndicator
from reports.services.review import ReviewRow, report_review_save
from reports.services.workflow import report_transition
from tests.test_report_page import PAGE_QUERIES

pytestmark = pytest.mark.django_db

REASON = "请修正服务对象满意度的实际完成值。"
OPINION = "预算执行率偏低，请在报告第四部分说明原因。"
COMMENT = "满意度应填写调查测得的数值。"


def submit(report, people) -> Report:
    Report.objects.filter(pk=report.pk).update(error_count=0)
    return report_transition(report=report, action="submit", actor=people["accountant_a"])


def review(report, people, *, comment_on: str | None = "服务对象满意度", opinion: str = OPINION) -> None:
    report = Report.objects.get(pk=report.pk)
    rows = {
        row.pk: ReviewRow(score=None, comment=COMMENT if row.level3 == comment_on else "")
        for row in report.indicators.all()
    }
    report_review_save(
        report=report, actor=people["reviewer"], rows=rows, opinion=opinion, expected_version=report.version
    )


def returned(report, people, **review_args) -> Report:
    submit(report, people)
    review(report, people, **review_args)
    return report_transition(
        report=Report.objects.get(pk=report.pk), action="return", actor=people["reviewer"], reason=REASON
    )


def banner(html: str) -> str:
    m = re.search(r'<section class="[^"]*return-banner[^"]*" id="return-banner".*?</section>', html, re.S)
    return m.group(0) if m else ""


def test_a_returned_report_opens_with_the_reason_the_opinion_and_the_row_comments(client, personas, seed_report):
    returned(seed_report, personas)
    row = ReportIndicator.objects.get(report=seed_report, level3="服务对象满意度")
    client.force_login(personas["accountant_a"])
    html = client.get(reverse("report", args=[seed_report.pk])).content.decode()
    found = banner(html)
    assert REASON in found and OPINION in found
    assert f'href="#review-note-{row.pk}"' in found and "服务对象满意度" in found and COMMENT in found
    assert f'id="review-note-{row.pk}"' in html  # the link's target: the note beside the row
    assert html.index('id="return-banner"') < html.index('id="report-form"')  # at the top, above the table


def test_the_banner_says_when_there_is_no_opinion_or_comment(client, personas, seed_report):
    returned(seed_report, personas, comment_on=None, opinion="")
    client.force_login(personas["accountant_a"])
    found = banner(client.get(reverse("report", args=[seed_report.pk])).content.decode())
    assert REASON in found
    assert "review-note-" not in found
    assert "无" in found


def test_a_reopened_report_shows_the_reason_it_was_reopened(client, personas, seed_report):
    submit(seed_report, personas)
    review(seed_report, personas)
    report_transition(report=Report.objects.get(pk=seed_report.pk), action="approve", actor=personas["reviewer"])
    report_transition(
        report=Report.objects.get(pk=seed_report.pk), action="reopen", actor=personas["admin"], reason="执行数有误"
    )
    client.force_login(personas["accountant_a"])
    found = banner(client.get(reverse("report", args=[seed_report.pk])).content.decode())
    assert "执行数有误" in found and "重新打开" in found and OPINION in found


def test_no_banner_on_a_draft_or_a_submitted_report(client, personas, seed_report):
    client.force_login(personas["accountant_a"])
    assert 'id="return-banner"' not in client.get(reverse("report", args=[seed_report.pk])).content.decode()
    submit(seed_report, personas)
    review(seed_report, personas)
    html = client.get(reverse("report", args=[seed_report.pk])).content.decode()
    assert 'id="return-banner"' not in html
    assert OPINION not in html  # the opinion is the bureau's until it decides


def test_the_approved_report_keeps_the_overall_opinion(client, personas, seed_report):
    submit(seed_report, personas)
    review(seed_report, personas)
    report_transition(report=Report.objects.get(pk=seed_report.pk), action="approve", actor=personas["reviewer"])
    client.force_login(personas["accountant_a"])
    html = client.get(reverse("report", args=[seed_report.pk])).content.decode()
    assert 'id="return-banner"' not in html
    m = re.search(r'id="review-opinion".*?</section>', html, re.S)
    assert m and OPINION in m.group(0)
    Report.objects.filter(pk=seed_report.pk).update(state="published")
    assert OPINION in client.get(reverse("report", args=[seed_report.pk])).content.decode()


def test_another_departments_accountant_sees_none_of_it(client, personas, seed_report):
    returned(seed_report, personas)
    client.force_login(personas["accountant_b"])
    assert client.get(reverse("report", args=[seed_report.pk])).status_code == 404


@pytest.mark.parametrize("rows", [5, 60])
def test_the_returned_page_costs_one_query_more_whatever_the_rows(client, personas, seed_report, rows):
    resize_report(seed_report, rows)
    returned(seed_report, personas, comment_on=None)
    # Every row commented: the list comes from the rows already loaded.
    ReportIndicator.objects.filter(report=seed_report).update(review_comment=COMMENT)
    client.force_login(personas["accountant_a"])
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("report", args=[seed_report.pk]))
    assert len(banner(response.content.decode()).split("review-note-")) == rows + 1
    assert len(queries) == PAGE_QUERIES + 1  # the return's event
