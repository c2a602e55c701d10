"""The review queue, the review page's inputs and decisions, and the public pages."""

from __future__ import annotations

import datetime
import re
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from departments.models import Department, Role
from reports.models import Report, ReportEvent, ReportIndicator, Round
from reports.services.workflow import report_transition
from tests.conftest import make_user

QUEUE = reverse("review:queue")


def review_url(report) -> str:
    return reverse("review:report", args=[report.pk])


def row(report, level3: str) -> ReportIndicator:
    return ReportIndicator.objects.get(report=report, level3=level3)


def submitted(report, people, *, clear_errors: bool = True) -> Report:
    if clear_errors:
        Report.objects.filter(pk=report.pk).update(error_count=0)
        return report_transition(report=report, action="submit", actor=people["accountant_a"])
    Report.objects.filter(pk=report.pk).update(state="submitted")
    return Report.objects.get(pk=report.pk)


def review_post(client, report, **data):
    """The review form as the page posts it: every row's inputs, the opinion, the version."""
    form = {f"score-{r.pk}": "" for r in report.indicators.all()}
    form.update({f"comment-{r.pk}": r.review_comment for r in report.indicators.all()})
    form.update({"opinion": "", "version": Report.objects.get(pk=report.pk).version})
    form.update(data)
    return client.post(reverse("review:save", args=[report.pk]), form)


def departments_in(response) -> list[str]:
    return re.findall(r'<tr data-department="(\d+)"', response.content.decode())


# ------------------------------------------------------------------------------ the queue


def test_queue_lists_the_round_with_states_scores_findings_and_lateness(client, people, seed):
    client.force_login(people["reviewer"])
    response = client.get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    assert len(departments_in(response)) == 9
    # Submitted first (what waits for the bureau), then returned and drafts, then decided ones.
    states = [r.state for r in response.context["reports"]]
    assert states == sorted(states, key=["submitted", "returned", "draft", "approved", "published"].index)
    assert "99.44" in html and "99.34" in html  # the seed's rule and self totals
    seed_row = html[html.index('data-department="101001"') :].split("</tr>")[0]
    assert "rv-late" in seed_row  # a draft after the 2022-03-31 deadline
    assert f"{seed.error_count} 错误" in seed_row
    assert response.context["counts"]["overdue"] == 3  # the seed and 区司法局 (drafts), 区民政局 (returned)


def test_queue_filters_and_sorts(client, people, seed):
    client.force_login(people["reviewer"])
    late = client.get(QUEUE, {"overdue": "1"})
    assert sorted(departments_in(late)) == ["101001", "203001", "208001"]
    excellent = client.get(QUEUE, {"grade": "优"})
    assert {r.grade for r in excellent.context["reports"]} == {"优"}
    published = client.get(QUEUE, {"state": "published"})
    assert {r.state for r in published.context["reports"]} == {"published"}
    by_total = client.get(QUEUE, {"sort": "-rule"})
    totals = [r.rule_total for r in by_total.context["reports"]]
    assert totals == sorted(totals, reverse=True)
    by_name = client.get(QUEUE, {"sort": "dept"})
    assert departments_in(by_name) == sorted(departments_in(by_name))
    assert client.get(QUEUE, {"sort": "nonsense", "state": "nonsense"}).status_code == 200


def test_queue_defaults_to_the_latest_open_round(client, people, seed):
    older = Round.objects.create(
        name="2020年度部门整体绩效自评",
        year=2020,
        template=seed.round.template,
        rule_set=seed.round.rule_set,
        deadline=datetime.date(2021, 3, 31),
    )
    Round.objects.filter(pk=seed.round_id).update(is_open=False)
    newer_closed = seed.round
    client.force_login(people["admin"])
    assert client.get(QUEUE).context["round"] == older  # the only open one
    Round.objects.filter(pk=newer_closed.pk).update(is_open=True)
    assert client.get(QUEUE).context["round"] == newer_closed
    assert client.get(QUEUE, {"round": older.pk}).context["round"] == older


def test_assigned_reviewer_sees_only_their_departments(client, people, seed):
    assigned = make_user("r_assigned", Role.Kind.REVIEWER, Department.objects.get(code="201001"))
    client.force_login(assigned)
    assert departments_in(client.get(QUEUE)) == ["201001"]
    assert client.get(review_url(seed)).status_code == 404


# ------------------------------------------------------------------------------ the review page


def test_review_page_shows_the_engines_scores_explanations_and_findings(client, people, seed):
    report = submitted(seed, people)
    client.force_login(people["reviewer"])
    response = client.get(review_url(report))
    html = response.content.decode()
    execution = row(report, "预算执行率")
    cells = html[html.index(f'id="row-{execution.pk}"') :].split("</tr>")[0]
    assert "1.99" in cells and "94.5 ÷ 95 × 2" in cells  # the rule's score and how it was computed
    assert "1.89" in cells  # the department's own score beside it
    assert f'name="score-{execution.pk}"' in cells and f'name="comment-{execution.pk}"' in cells
    assert "不是测量值" in html  # a finding
    assert "99.44" in html and "99.34" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "perfeval.report/1" not in html  # the submit event's snapshot is never shown


def test_reviewer_scores_and_comments_are_saved_apart_from_the_departments(client, people, seed):
    report = submitted(seed, people)
    target = row(report, "预算执行率")
    client.force_login(people["reviewer"])
    response = review_post(
        client, report, **{f"score-{target.pk}": "1.99", f"comment-{target.pk}": "按规则应为 1.99"}, opinion="请核对。"
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.reviewer_score, target.self_score, target.review_comment) == (
        Decimal("1.99"),
        Decimal("1.89"),
        "按规则应为 1.99",
    )
    assert Report.objects.get(pk=report.pk).state == "submitted"
    page = client.get(review_url(report)).content.decode()
    assert 'value="1.99"' in page and "按规则应为 1.99" in page and "请核对。" in page


@pytest.mark.parametrize(
    "typed, message",
    [("3", "超过"), ("abc", "“abc”不是数字。"), ("-1", "不能为负数"), ("1.234", "最多保留 2 位小数")],
)
def test_a_refused_reviewer_score_is_shown_at_its_field_in_chinese(client, people, seed, typed, message):
    report = submitted(seed, people)
    target = row(report, "目标管理有效性")  # weight 2
    client.force_login(people["reviewer"])
    response = review_post(client, report, **{f"score-{target.pk}": typed, f"comment-{target.pk}": "请说明"})
    assert response.status_code == 400
    html = response.content.decode()
    cell = html[html.index(f'id="row-{target.pk}"') :].split("</tr>")[0]
    assert f'name="score-{target.pk}" value="{typed}"' in cell  # what was typed comes back
    assert 'aria-invalid="true"' in cell and message in cell.split('class="msg msg-error"')[-1]
    assert ReportIndicator.objects.get(pk=target.pk).review_comment == ""  # nothing was saved


def test_return_needs_a_reason_and_keeps_nothing_without_one(client, people, seed):
    report = submitted(seed, people)
    target = row(report, "服务对象满意度")
    client.force_login(people["reviewer"])
    events = ReportEvent.objects.filter(report=report).count()
    response = review_post(client, report, decision="return", **{f"comment-{target.pk}": "请填写实测值"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "请填写原因。" in html.split('id="id_reason"')[1][:400]
    assert "请填写实测值" in html  # the typed comment is on the page again
    assert Report.objects.get(pk=report.pk).state == "submitted"
    assert ReportEvent.objects.filter(report=report).count() == events
    assert row(report, "服务对象满意度").review_comment == ""

    response = review_post(
        client, report, decision="return", reason="请修正满意度", **{f"comment-{target.pk}": "请填写实测值"}
    )
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).state == "returned"
    assert row(report, "服务对象满意度").review_comment == "请填写实测值"
    last = ReportEvent.objects.filter(report=report).latest("pk")
    assert (last.action, last.message) == ("return", "请修正满意度")


def test_approval_with_errors_needs_a_recorded_reason(client, people, seed):
    report = submitted(seed, people, clear_errors=False)
    assert report.error_count > 0
    client.force_login(people["reviewer"])
    response = review_post(client, report, decision="approve")
    assert response.status_code == 400
    assert "请填写理由" in response.content.decode().split('id="id_override"')[1][:500]
    assert Report.objects.get(pk=report.pk).state == "submitted"
    response = review_post(client, report, decision="approve", override="原表已公开，错误另行记录")
    assert response.status_code == 302
    assert Report.objects.get(pk=report.pk).state == "approved"
    assert "原表已公开，错误另行记录" in ReportEvent.objects.filter(report=report).latest("pk").message


def test_a_decision_from_a_stale_page_is_refused(client, people, seed):
    report = submitted(seed, people)
    client.force_login(people["reviewer"])
    response = review_post(client, report, decision="approve", version=report.version - 1)
    assert response.status_code == 409
    assert "报告在您查看后已被修改" in response.content.decode()
    assert Report.objects.get(pk=report.pk).state == "submitted"


def test_admin_publishes_and_reopens_with_a_reason(client, people, seed):
    Report.objects.filter(pk=seed.pk).update(state="approved")
    client.force_login(people["reviewer"])
    page = client.get(review_url(seed)).content.decode()
    assert 'id="do-publish"' not in page and 'id="do-reopen"' not in page  # the admin's
    client.force_login(people["admin"])
    page = client.get(review_url(seed)).content.decode()
    assert 'id="do-publish"' in page and 'id="do-reopen"' in page
    transition = reverse("review:transition", args=[seed.pk])
    assert client.post(transition, {"action": "publish", "version": seed.version}).status_code == 302
    assert Report.objects.get(pk=seed.pk).state == "published"
    version = Report.objects.get(pk=seed.pk).version
    response = client.post(transition, {"action": "reopen", "reason": " ", "version": version})
    assert response.status_code == 400
    assert "请填写原因。" in response.content.decode().split('id="id_reopen_reason"')[1][:400]
    assert client.post(transition, {"action": "reopen", "reason": "执行数有误", "version": version}).status_code == 302
    report = Report.objects.get(pk=seed.pk)
    assert report.state == "returned"
    assert ReportEvent.objects.filter(report=report).latest("pk").message == "执行数有误"


def test_resubmission_shows_what_changed_and_marks_the_rows(client, people, seed):
    report = submitted(seed, people)
    report_transition(report=report, action="return", actor=people["reviewer"], reason="请修正")
    satisfaction = row(report, "服务对象满意度")
    ReportIndicator.objects.filter(pk=satisfaction.pk).update(actual_text="85%", actual=Decimal("85"))
    narrative = Report.objects.get(pk=report.pk).narrative_5
    Report.objects.filter(pk=report.pk).update(narrative_5=narrative + "\n补充：已建立整改台账。")
    narrative_4 = Report.objects.get(pk=report.pk).narrative_4
    Report.objects.filter(pk=report.pk).update(
        narrative_4=narrative_4.replace("预算执行率为 94.5%", "预算执行率为 94.47%")
    )
    report = submitted(report, people)
    client.force_login(people["reviewer"])
    response = client.get(review_url(report))
    html = response.content.decode()
    changes = {(c.label, c.old, c.new) for c in response.context["changes"]}
    assert ("服务对象满意度 · 实际完成值", "≥80%", "85%") in changes
    row_html = html[html.index(f'<tr id="row-{satisfaction.pk}"') :].split("</tr>")[0]
    assert "row-changed" in row_html and "c-actual cell-changed" in row_html
    assert len(re.findall(r'<tr id="row-\d+" class="ind-row[^"]*row-changed', html)) == 1
    assert "<ins>\n补充：已建立整改台账。</ins>" in html  # the text's change, marked within it
    assert "<del>94.5%</del>" in html and "<ins>94.47%</ins>" in html  # a figure changes whole
    assert 'id="narrative-5"' in html and "section-changed" in html.split('id="narrative-5"')[0][-200:]


def test_timeline_shows_who_when_what_old_and_new(client, people, seed):
    report = submitted(seed, people)
    target = row(report, "预算执行率")
    client.force_login(people["reviewer"])
    review_post(client, report, **{f"score-{target.pk}": "1.99"})
    review_post(client, report, **{f"score-{target.pk}": "1.95"}, decision="return", reason="请核对")
    html = client.get(review_url(report)).content.decode()
    timeline = html[html.index('id="timeline"') :]
    assert "预算执行率 · 审核得分" in timeline
    assert re.search(r'<span class="old">1\.99</span> → <span class="new">1\.95</span>', timeline)
    assert "退回" in timeline and "请核对" in timeline and "r_reviewer" in timeline
    assert "perfeval.report/1" not in timeline and '"indicators"' not in timeline


# ------------------------------------------------------------------------------ public pages


def test_public_pages_show_published_reports_only(client, people, seed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    published = list(Report.objects.filter(state="published").order_by("department__code"))
    response = client.get(reverse("public:index"))
    assert response.status_code == 200
    assert departments_in(response) == [r.department.code for r in published]
    html = response.content.decode()
    assert "PDF 暂无" in html and "archive/latest.pdf" not in html

    from reports.pdf.archive import report_archive_create

    report_archive_create(report=published[0], pdf=f"%PDF-1.4 {uuid.uuid4()}".encode())
    html = client.get(reverse("public:index")).content.decode()
    assert reverse("pdf:archive_latest", args=[published[0].pk]) in html

    page = client.get(reverse("public:report", args=[published[0].pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert published[0].department.name in html and "三级指标" in html and "八、其他需要说明的问题" in html
    assert "<input" not in html.split("</header>", 1)[1].split('<form method="post" action="/i18n/')[0]
    assert "审核意见" not in html
    assert client.get(reverse("public:report", args=[seed.pk])).status_code == 404
    assert client.get(reverse("public:index"), {"round": "x", "department": "y"}).status_code == 200
