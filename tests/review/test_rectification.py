"""Rectification (整改): who may issue, answer, close and reopen an item, in which states, and what is written."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from departments.models import Department, Role
from reports.models import RectificationItem, Report, ReportEvent, ReportIndicator
from reports.services.rectification import (
    rectification_answer,
    rectification_decide,
    rectification_issue,
)
from tests.conftest import make_user

REQUIREMENT = "预算执行率未达95%，请说明原因并提出整改措施。"


def set_state(report: Report, state: str, grade: str = "良") -> Report:
    Report.objects.filter(pk=report.pk).update(state=state, grade=grade)
    return Report.objects.get(pk=report.pk)


def written(report: Report) -> tuple[int, int]:
    return (
        RectificationItem.objects.filter(report=report).count(),
        ReportEvent.objects.filter(report=report).count(),
    )


def issued(seed, people, **kwargs) -> RectificationItem:
    report = set_state(seed, "returned")
    return rectification_issue(report=report, actor=people["reviewer"], text=REQUIREMENT, **kwargs)


@pytest.mark.parametrize(
    "state, grade, allowed",
    [
        ("returned", "优", True),
        ("approved", "中", True),
        ("published", "差", True),
        ("approved", "良", False),
        ("published", "优", False),
        ("draft", "差", False),
        ("submitted", "差", False),
    ],
)
def test_issue_follows_the_state_and_the_grade(people, seed, state, grade, allowed):
    report = set_state(seed, state, grade)
    before = written(report)
    if allowed:
        item = rectification_issue(report=report, actor=people["reviewer"], text=f"  {REQUIREMENT}\n")
        assert (item.state, item.text, item.issued_by) == ("open", REQUIREMENT, people["reviewer"])
        event = ReportEvent.objects.filter(report=report).latest("pk")
        assert (event.kind, event.action, event.actor, event.new_value, event.message) == (
            "rectification",
            "rectification_issue",
            people["reviewer"],
            "open",
            REQUIREMENT,
        )
        assert written(report) == (before[0] + 1, before[1] + 1)
        assert Report.objects.get(pk=report.pk).version == report.version  # not a change of the report
    else:
        with pytest.raises(ValidationError, match="只有已退回的报告"):
            rectification_issue(report=report, actor=people["reviewer"], text=REQUIREMENT)
        assert written(report) == before


@pytest.mark.parametrize("persona", ["accountant_a", "accountant_b"])
def test_an_accountant_cannot_issue(people, seed, persona):
    report = set_state(seed, "returned")
    before = written(report)
    with pytest.raises(PermissionDenied, match="只有财政局审核人"):
        rectification_issue(report=report, actor=people[persona], text=REQUIREMENT)
    assert written(report) == before


def test_issue_refuses_bad_input_at_its_field(people, seed):
    report = set_state(seed, "returned")
    other_row = ReportIndicator.objects.exclude(report=report).first()
    before = written(report)
    with pytest.raises(ValidationError) as excinfo:
        rectification_issue(
            report=report,
            actor=people["reviewer"],
            text="   ",
            indicator_id=other_row.pk,
            due_date=timezone.localdate() - datetime.timedelta(days=1),
        )
    assert excinfo.value.message_dict == {
        "text": ["请填写整改要求。"],
        "indicator": ["该指标行不属于本报告。"],
        "due_date": ["整改期限不能早于今天。"],
    }
    assert written(report) == before


def test_an_item_on_a_row_keeps_the_rows_name(people, seed):
    row = seed.indicators.order_by("order").first()
    due = timezone.localdate() + datetime.timedelta(days=30)
    item = issued(seed, people, indicator_id=row.pk, due_date=due)
    item.refresh_from_db()
    assert (item.indicator_id, item.indicator_label, item.due_date) == (row.pk, row.level3, due)


def test_answer_close_and_reopen(people, seed):
    item = issued(seed, people)
    accountant, reviewer = people["accountant_a"], people["reviewer"]
    # Rectification happens after approval: the department answers a published report too.
    Report.objects.filter(pk=seed.pk).update(state="published", grade="中")

    with pytest.raises(ValidationError, match="不能销号"):
        rectification_decide(item=item, actor=reviewer, action="close")
    with pytest.raises(ValidationError) as excinfo:
        rectification_answer(item=item, actor=accountant, answer="  ")
    assert excinfo.value.message_dict == {"answer": ["请填写整改情况。"]}
    assert RectificationItem.objects.get(pk=item.pk).state == "open"

    item = rectification_answer(item=item, actor=accountant, answer="已补充说明并调整采购计划。")
    assert (item.state, item.answered_by, item.answer) == ("answered", accountant, "已补充说明并调整采购计划。")
    item = rectification_answer(item=item, actor=accountant, answer="已调整采购计划，附说明。")
    assert RectificationItem.objects.get(pk=item.pk).answer == "已调整采购计划，附说明。"

    with pytest.raises(ValidationError) as excinfo:
        rectification_decide(item=item, actor=reviewer, action="reopen", note="")
    assert excinfo.value.message_dict == {"note": ["请填写重新打开的原因。"]}
    item = rectification_decide(item=item, actor=reviewer, action="reopen", note="请附调整后的采购计划。")
    assert (item.state, item.review_note) == ("open", "请附调整后的采购计划。")

    item = rectification_answer(item=item, actor=accountant, answer="调整后的采购计划见附件。")
    item = rectification_decide(item=item, actor=reviewer, action="close", note="整改到位。")
    assert (item.state, item.closed_by, item.review_note) == ("closed", reviewer, "整改到位。")
    with pytest.raises(ValidationError, match=r"已销号.*不能答复"):
        rectification_answer(item=item, actor=accountant, answer="再补充一句。")
    assert RectificationItem.objects.get(pk=item.pk).answer == "调整后的采购计划见附件。"

    item = rectification_decide(item=item, actor=reviewer, action="reopen", note="复查发现仍未调整。")
    assert (item.state, item.closed_by, item.closed_at) == ("open", None, None)

    events = ReportEvent.objects.filter(report=seed, kind="rectification").order_by("pk")
    assert [(e.action, e.old_value, e.new_value) for e in events] == [
        ("rectification_issue", "", "open"),
        ("rectification_answer", "open", "answered"),
        ("rectification_answer", "answered", "answered"),
        ("rectification_reopen", "answered", "open"),
        ("rectification_answer", "open", "answered"),
        ("rectification_close", "answered", "closed"),
        ("rectification_reopen", "closed", "open"),
    ]
    assert {e.field for e in events} == {f"rectifications[{item.pk}]"}


@pytest.mark.parametrize("persona", ["reviewer", "admin", "accountant_b"])
def test_only_the_departments_accountant_answers(people, seed, persona):
    item = issued(seed, people)
    before = written(seed)
    with pytest.raises(PermissionDenied, match="只有本部门填报人"):
        rectification_answer(item=item, actor=people[persona], answer="已整改。")
    assert written(seed) == before
    assert RectificationItem.objects.get(pk=item.pk).state == "open"


@pytest.mark.parametrize("persona", ["accountant_a", "accountant_b"])
def test_an_accountant_cannot_close_or_reopen(people, seed, persona):
    item = issued(seed, people)
    item = rectification_answer(item=item, actor=people["accountant_a"], answer="已整改。")
    before = written(seed)
    for action in ("close", "reopen"):
        with pytest.raises(PermissionDenied, match="只有财政局审核人"):
            rectification_decide(item=item, actor=people[persona], action=action, note="说明")
    assert written(seed) == before
    assert RectificationItem.objects.get(pk=item.pk).state == "answered"


def test_a_reviewer_of_other_departments_cannot_issue_or_close(people, seed):
    other = make_user("r_reviewer_b", Role.Kind.REVIEWER, Department.objects.get(code="201001"))
    item = issued(seed, people)
    item = rectification_answer(item=item, actor=people["accountant_a"], answer="已整改。")
    before = written(seed)
    with pytest.raises(PermissionDenied):
        rectification_issue(report=seed, actor=other, text=REQUIREMENT)
    with pytest.raises(PermissionDenied):
        rectification_decide(item=item, actor=other, action="close")
    assert written(seed) == before


def test_each_step_mails_the_other_side_after_it_commits(people, seed, mailoutbox, django_capture_on_commit_callbacks):
    accountant, reviewer = people["accountant_a"], people["reviewer"]
    for user, email in ((accountant, "acct@example.gov.cn"), (reviewer, "rev@example.gov.cn")):
        user.email = email
        user.save(update_fields=["email"])
    Report.objects.filter(pk=seed.pk).update(state="returned")
    with django_capture_on_commit_callbacks(execute=True):
        item = rectification_issue(report=seed, actor=reviewer, text="请补充采购计划调整说明。")
    with django_capture_on_commit_callbacks(execute=True):
        item = rectification_answer(item=item, actor=accountant, answer="已调整采购计划。")
    with django_capture_on_commit_callbacks(execute=True):
        rectification_decide(item=item, actor=reviewer, action="close", note="整改到位。")
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["acct@example.gov.cn"], "【perfeval】2021 年度自评报告有新的整改事项"),
        (["rev@example.gov.cn"], f"【perfeval】{seed.department.display_name} 已答复 2021 年度整改事项"),
        (["acct@example.gov.cn"], "【perfeval】2021 年度整改事项已销号"),
    ]
    assert "请补充采购计划调整说明。" in mailoutbox[0].body
    assert "已调整采购计划。" in mailoutbox[1].body and "整改到位。" in mailoutbox[2].body
    # A refused step mails no one.
    with pytest.raises(ValidationError), django_capture_on_commit_callbacks(execute=True):
        rectification_decide(item=item, actor=reviewer, action="reopen", note="")
    assert len(mailoutbox) == 3
