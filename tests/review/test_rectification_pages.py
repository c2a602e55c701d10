"""Rectification (整改) on the pages: the review page's issue form and list, the department's panel
and answer form (plain posts, CSRF), the history, and the queries of the report page."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.models import RectificationItem, Report, ReportEvent
from reports.services.rectification import rectification_answer, rectification_issue

REQUIREMENT = "服务对象满意度应以调查测得的数值填写，请补充调查报告。"


def returned(seed) -> Report:
    Report.objects.filter(pk=seed.pk).update(state="returned")
    return Report.objects.get(pk=seed.pk)


def item_on(seed, people, text: str = REQUIREMENT) -> RectificationItem:
    return rectification_issue(report=returned(seed), actor=people["reviewer"], text=text)


def test_the_reviewer_issues_an_item_from_the_review_page(client, people, seed):
    report = returned(seed)
    row = report.indicators.order_by("order").first()
    client.force_login(people["reviewer"])
    page = client.get(reverse("review:report", args=[report.pk])).content.decode()
    assert 'id="rect-issue-form"' in page and f'<option value="{row.pk}">' in page

    due = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = client.post(
        reverse("review:rectification_issue", args=[report.pk]),
        {"text": REQUIREMENT, "indicator": str(row.pk), "due_date": due},
    )
    assert response.status_code == 302 and response.url.endswith("#rectifications")
    item = RectificationItem.objects.get(report=report)
    assert (item.text, item.indicator_id, item.due_date.isoformat()) == (REQUIREMENT, row.pk, due)
    page = client.get(reverse("review:report", args=[report.pk])).content.decode()
    assert REQUIREMENT in page and "1 项未销号" in page and "待整改" in page


def test_a_refused_issue_comes_back_with_what_was_typed_at_its_field(client, people, seed):
    report = returned(seed)
    client.force_login(people["reviewer"])
    response = client.post(
        reverse("review:rectification_issue", args=[report.pk]), {"text": REQUIREMENT, "due_date": "明年三月"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "请按“2027-03-31”的格式填写日期。" in html
    assert f">{REQUIREMENT}</textarea>" in html  # nothing typed is lost
    assert not RectificationItem.objects.filter(report=report).exists()


def test_the_issue_form_needs_the_csrf_token(people, seed):
    report = returned(seed)
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["reviewer"])
    response = client.post(reverse("review:rectification_issue", args=[report.pk]), {"text": REQUIREMENT})
    assert response.status_code == 403
    assert not RectificationItem.objects.filter(report=report).exists()


def test_the_department_sees_the_panel_and_answers(client, people, seed):
    item = item_on(seed, people)
    client.force_login(people["accountant_a"])
    html = client.get(reverse("report", args=[seed.pk])).content.decode()
    panel = html[html.index('id="rectifications"') : html.index('id="report-form"')]  # above the report's form
    assert REQUIREMENT in panel and "1 项待整改" in panel
    assert f'action="{reverse("rectification_answer", args=[seed.pk, item.pk])}"' in panel
    assert 'name="csrfmiddlewaretoken"' in panel

    empty = client.post(reverse("rectification_answer", args=[seed.pk, item.pk]), {"answer": "  "})
    assert empty.status_code == 400 and "请填写整改情况。" in empty.content.decode()
    assert RectificationItem.objects.get(pk=item.pk).state == "open"

    answer = "已补充满意度调查报告，测得满意度 92.3%。"
    response = client.post(reverse("rectification_answer", args=[seed.pk, item.pk]), {"answer": answer})
    assert response.status_code == 302
    html = client.get(reverse("report", args=[seed.pk])).content.decode()
    assert answer in html and "修改答复" in html and "无待整改事项" in html


def test_a_closed_item_has_no_answer_form_and_the_reviewer_never_gets_one(client, people, seed):
    item = item_on(seed, people)
    client.force_login(people["reviewer"])
    html = client.get(reverse("report", args=[seed.pk])).content.decode()
    assert REQUIREMENT in html and 'name="answer"' not in html
    rectification_answer(item=item, actor=people["accountant_a"], answer="已整改。")
    response = client.post(
        reverse("review:rectification_decide", args=[seed.pk, item.pk]), {"action": "reopen", "note": ""}
    )
    assert response.status_code == 400 and "请填写重新打开的原因。" in response.content.decode()
    response = client.post(
        reverse("review:rectification_decide", args=[seed.pk, item.pk]), {"action": "close", "note": "整改到位。"}
    )
    assert response.status_code == 302
    assert RectificationItem.objects.get(pk=item.pk).state == "closed"
    client.force_login(people["accountant_a"])
    html = client.get(reverse("report", args=[seed.pk])).content.decode()
    assert "已销号" in html and "整改到位。" in html and 'name="answer"' not in html


def test_the_history_lists_each_step(client, people, seed):
    item = item_on(seed, people)
    rectification_answer(item=item, actor=people["accountant_a"], answer="已补充调查报告。")
    client.force_login(people["accountant_a"])
    html = client.get(reverse("report_history", args=[seed.pk])).content.decode()
    assert "下达整改事项" in html and "答复整改事项" in html and "已补充调查报告。" in html
    client.force_login(people["reviewer"])
    html = client.get(reverse("review:report", args=[seed.pk])).content.decode()
    timeline = html[html.index('id="timeline"') :]
    assert "下达整改事项" in timeline and "答复整改事项" in timeline
    assert ReportEvent.objects.filter(report=seed, kind="rectification").count() == 2


def test_the_report_page_does_not_query_more_with_more_items(client, people, seed):
    client.force_login(people["accountant_a"])
    url = reverse("report", args=[seed.pk])
    item_on(seed, people)
    client.get(url)  # a warm session
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for i in range(2):
        item_on(seed, people, text=f"第{i}条整改要求")
    with CaptureQueriesContext(connection) as three:
        response = client.get(url)
    assert len(response.context["rectifications"]) == 3
    assert len(three) == len(one)


def test_the_admin_lists_items_read_only(client, people, seed):
    item_on(seed, people)
    client.force_login(people["admin"])
    html = client.get(reverse("admin:reports_rectificationitem_changelist")).content.decode()
    assert REQUIREMENT[:20] in html and "待整改" in html
    assert client.get(reverse("admin:reports_rectificationitem_add")).status_code == 403


def test_after_approval_with_grade_zhong_the_bureau_issues_and_the_department_answers(client, people, seed):
    """The report is read-only by then; its rectification is not."""
    Report.objects.filter(pk=seed.pk).update(state="approved", grade="中")
    client.force_login(people["reviewer"])
    response = client.post(reverse("review:rectification_issue", args=[seed.pk]), {"text": REQUIREMENT})
    assert response.status_code == 302
    item = RectificationItem.objects.get(report=seed)
    client.force_login(people["accountant_a"])
    html = client.get(reverse("report", args=[seed.pk])).content.decode()
    assert "报告审核通过，不能修改。" in html and 'name="answer"' in html
    response = client.post(reverse("rectification_answer", args=[seed.pk, item.pk]), {"answer": "已整改。"})
    assert response.status_code == 302
    assert RectificationItem.objects.get(pk=item.pk).state == "answered"
    assert Report.objects.get(pk=seed.pk).state == "approved"  # the report itself is untouched
