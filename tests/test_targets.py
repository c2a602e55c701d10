"""Target declaration (绩效目标申报) and adjustment (目标调整): the services, the pages and who may do what."""

from __future__ import annotations

import copy
import datetime
import io
import re

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from departments.models import Department
from reports.interchange.document import DocumentError, validate
from reports.interchange.store import report_import, report_to_document
from reports.models import Report, ReportEvent, ReportIndicator, Round, TargetAdjustment, TargetDeclaration
from reports.selectors import report_queryset
from reports.services import targets as svc
from reports.services.editing import report_start
from reports.services.scoring import report_score
from tests.test_form_helpers import form_data, post_form, set_row

pytestmark = pytest.mark.django_db

COMMUNITIES = "服务社区数量"  # quantitative, ≥41个城市社区 in the seed


@pytest.fixture
def fresh(personas):
    """A 2022 report of the seed department, just started from the template: no declaration yet."""
    last = Round.objects.get(year=2021)
    round_ = Round.objects.create(
        name="2022年度部门整体绩效自评",
        year=2022,
        template=last.template,
        rule_set=last.rule_set,
        deadline=datetime.date(2023, 3, 31),
    )
    round_.departments.set(Department.objects.filter(code="101001"))
    return report_start(round_=round_, department=Department.objects.get(code="101001"), actor=personas["accountant_a"])


def rows_of(report):
    return list(ReportIndicator.objects.filter(report=report).order_by("order", "pk"))


def items(report, **changes):
    """The declaration as the page posts it, with {level3: target_text} changed."""
    return [
        {"id": r.pk, "sign": r.sign, "target_text": changes.get(r.level3, r.target_text), "unit": r.unit}
        for r in rows_of(report)
    ]


def row(report, level3=COMMUNITIES) -> ReportIndicator:
    return ReportIndicator.objects.get(report=report, level3=level3)


def declared(report, personas):
    """Submitted by the department and approved by the reviewer."""
    svc.targets_transition(report=report, action="targets_submit", actor=personas["accountant_a"])
    svc.targets_transition(report=report, action="targets_approve", actor=personas["reviewer"])


# --------------------------------------------------------------------------- the declaration's workflow


def test_department_saves_submits_bureau_returns_then_approves(fresh, personas):
    acct, reviewer = personas["accountant_a"], personas["reviewer"]
    changes = svc.targets_save(
        report=fresh, actor=acct, items=items(fresh, **{COMMUNITIES: "≥45个"}), expected_version=None
    )
    assert [(c.label, c.old, c.new) for c in changes if c.path.endswith(".target_text")] == [
        (f"{COMMUNITIES} · 指标值", "≥41个城市社区", "≥45个")
    ]
    assert row(fresh).target == 45 and row(fresh).sign == ">="
    assert ReportEvent.objects.filter(report=fresh, action="targets_save", field__endswith=".target_text").count() == 1

    svc.targets_transition(report=fresh, action="targets_submit", actor=acct)
    assert TargetDeclaration.objects.get(report=fresh).state == "submitted"
    with pytest.raises(svc.TargetsLocked):
        svc.targets_save(report=fresh, actor=acct, items=items(fresh, **{COMMUNITIES: "≥50个"}), expected_version=None)
    with pytest.raises(ValidationError) as exc:
        svc.targets_transition(report=fresh, action="targets_return", actor=reviewer, reason=" ")
    assert exc.value.message_dict == {"reason": ["请填写原因。"]}
    svc.targets_transition(report=fresh, action="targets_return", actor=reviewer, reason="服务社区数量目标偏低")
    assert TargetDeclaration.objects.get(report=fresh).state == "returned"

    svc.targets_transition(report=fresh, action="targets_submit", actor=acct)
    svc.targets_transition(report=fresh, action="targets_approve", actor=reviewer)
    declaration = TargetDeclaration.objects.get(report=fresh)
    assert declaration.state == "approved" and declaration.approved_at is not None
    assert all(r.target_declared for r in rows_of(fresh))
    assert (row(fresh).declared_sign, row(fresh).declared_target_text) == (">=", "≥45个")
    events = ReportEvent.objects.filter(report=fresh, kind="transition").values_list("action", "from_state", "to_state")
    assert list(events.order_by("pk")) == [
        ("targets_submit", "draft", "submitted"),
        ("targets_return", "submitted", "returned"),
        ("targets_submit", "returned", "submitted"),
        ("targets_approve", "submitted", "approved"),
    ]


def test_each_decision_mails_the_other_side_after_it_commits(
    fresh, personas, mailoutbox, django_capture_on_commit_callbacks
):
    acct, reviewer = personas["accountant_a"], personas["reviewer"]
    for user, email in ((acct, "acct@example.gov.cn"), (reviewer, "rev@example.gov.cn")):
        user.email = email
        user.save(update_fields=["email"])
    for actor, action, reason in (
        (acct, "targets_submit", ""),
        (reviewer, "targets_return", "服务社区数量目标偏低"),
        (acct, "targets_submit", ""),
        (reviewer, "targets_approve", ""),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            svc.targets_transition(report=fresh, action=action, actor=actor, reason=reason)
    dept, year = fresh.department.display_name, fresh.round.year
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["rev@example.gov.cn"], f"【perfeval】{dept} 已送审 {year} 年度绩效目标"),
        (["acct@example.gov.cn"], f"【perfeval】{year} 年度绩效目标被退回"),
        (["rev@example.gov.cn"], f"【perfeval】{dept} 已送审 {year} 年度绩效目标"),
        (["acct@example.gov.cn"], f"【perfeval】{year} 年度绩效目标已审核通过"),
    ]
    assert "服务社区数量目标偏低" in mailoutbox[1].body


def test_a_quantitative_target_without_a_number_is_refused_at_its_field(fresh, personas):
    data = items(fresh, **{COMMUNITIES: "较多"})
    with pytest.raises(ValidationError) as exc:
        svc.targets_save(report=fresh, actor=personas["accountant_a"], items=data, expected_version=None)
    i = [r.level3 for r in rows_of(fresh)].index(COMMUNITIES)
    assert exc.value.message_dict == {f"indicators.{i}.target_text": ["定量指标的指标值须含数值，如“≥95%”“41个”。"]}
    assert row(fresh).target_text == "≥41个城市社区"
    assert not ReportEvent.objects.filter(report=fresh, action="targets_save").exists()


@pytest.mark.parametrize("who", ["accountant_a", "accountant_b"])
def test_only_the_bureau_approves_and_nothing_is_written_when_refused(fresh, personas, who):
    svc.targets_transition(report=fresh, action="targets_submit", actor=personas["accountant_a"])
    events = ReportEvent.objects.filter(report=fresh).count()
    with pytest.raises(PermissionDenied):
        svc.targets_transition(report=fresh, action="targets_approve", actor=personas[who])
    assert TargetDeclaration.objects.get(report=fresh).state == "submitted"
    assert ReportEvent.objects.filter(report=fresh).count() == events
    assert not any(r.target_declared for r in rows_of(fresh))


def test_another_departments_accountant_cannot_declare(fresh, personas):
    with pytest.raises(PermissionDenied):
        svc.targets_save(report=fresh, actor=personas["accountant_b"], items=items(fresh), expected_version=None)
    with pytest.raises(PermissionDenied):
        svc.targets_transition(report=fresh, action="targets_submit", actor=personas["reviewer"])


# --------------------------------------------------------------------------- the self-evaluation form


def test_the_form_refuses_to_change_an_approved_own_row_target(client, fresh, personas):
    own = ReportIndicator.objects.create(
        report=fresh,
        order=99,
        level1=row(fresh).level1,
        level2=row(fresh).level2,
        level3="社区议事会覆盖率",
        kind="quantitative",
        sign=">=",
        target=90,
        target_text="≥90%",
        unit="%",
        weight=0,
    )
    declared(fresh, personas)
    client.force_login(personas["accountant_a"])
    html = client.get(reverse("report", args=[fresh.pk])).content.decode()
    assert "已批复" in html and "绩效目标已于" in html
    data = form_data(client, fresh)
    i = set_row(data, "社区议事会覆盖率", target_text="≥60%")
    response = post_form(client, reverse("report_save", args=[fresh.pk]), data)
    assert response.status_code == 400
    assert response.json()["errors"] == {
        f"ind-{i}-target_text": ["绩效目标已审核通过，不能直接修改；如需修改，请在“绩效目标”页申请目标调整。"]
    }
    own.refresh_from_db()
    assert own.target_text == "≥90%"
    # The form as shown posts the approved target back unchanged: an actual still saves.
    data = form_data(client, fresh)
    set_row(data, "社区议事会覆盖率", actual_text="95%")
    assert post_form(client, reverse("report_save", args=[fresh.pk]), data).json()["status"] == "saved"


# --------------------------------------------------------------------------- adjustments


def ask_to_change(report, personas, target_text: str, *, reason: str):
    """The department asks to change the communities row's approved target (a ≥ count in 个)."""
    return svc.adjustment_request(
        report=report,
        indicator_id=row(report).pk,
        actor=personas["accountant_a"],
        sign=">=",
        target_text=target_text,
        unit="个",
        reason=reason,
    )


def test_an_approved_adjustment_changes_the_target_scores_against_it_and_is_in_the_history(client, fresh, personas):
    ReportIndicator.objects.filter(pk=row(fresh).pk).update(actual=41, actual_text="41个")
    declared(fresh, personas)
    before = report_score(report_queryset().get(pk=fresh.pk))
    with pytest.raises(ValidationError) as exc:
        ask_to_change(fresh, personas, "≥50个", reason="")
    assert exc.value.message_dict == {"reason": ["请填写调整原因。"]}
    adjustment = ask_to_change(fresh, personas, "≥50个", reason="新增9个城市社区纳入服务范围")
    assert row(fresh).target_text == "≥41个城市社区"  # not before the bureau approves
    with pytest.raises(PermissionDenied):
        svc.adjustment_decide(report=fresh, adjustment_id=adjustment.pk, actor=personas["accountant_a"], approve=True)
    svc.adjustment_decide(report=fresh, adjustment_id=adjustment.pk, actor=personas["reviewer"], approve=True)

    changed = row(fresh)
    assert (changed.target_text, changed.target, changed.declared_target_text) == ("≥50个", 50, "≥41个城市社区")
    assert changed.target_adjusted
    assert TargetAdjustment.objects.get(pk=adjustment.pk).state == "approved"
    event = ReportEvent.objects.get(report=fresh, action="adjust_approve", field__endswith=".target_text")
    assert (event.label, event.old_value, event.new_value, event.actor) == (
        f"{COMMUNITIES} · 指标值",
        "≥41个城市社区",
        "≥50个",
        personas["reviewer"],
    )
    assert "新增9个城市社区纳入服务范围" in event.message
    after = report_score(report_queryset().get(pk=fresh.pk))
    i = [r.level3 for r in rows_of(fresh)].index(COMMUNITIES)
    weight = row(fresh).weight
    assert {r.index: r.score for r in before.rows}[i] == weight  # 41 ≥ 41
    assert {r.index: r.score for r in after.rows}[i] == (weight * 41 / 50).quantize(weight.__class__("0.01"))

    client.force_login(personas["accountant_a"])
    html = client.get(reverse("report_history", args=[fresh.pk])).content.decode()
    text = re.sub(r"<[^>]+>", "", html)  # the history marks the changed words (<del>/<ins>)
    assert "≥41个城市社区" in text and "≥50个" in text
    assert f"{COMMUNITIES} · 指标值" in html


def test_a_rejection_needs_a_note_and_changes_nothing(fresh, personas):
    declared(fresh, personas)
    adjustment = ask_to_change(fresh, personas, "≥30个", reason="降低")
    with pytest.raises(ValidationError) as exc:
        svc.adjustment_decide(report=fresh, adjustment_id=adjustment.pk, actor=personas["reviewer"], approve=False)
    assert exc.value.message_dict == {"note": ["请填写不予批准的原因。"]}
    svc.adjustment_decide(
        report=fresh, adjustment_id=adjustment.pk, actor=personas["reviewer"], approve=False, note="理由不充分"
    )
    assert row(fresh).target_text == "≥41个城市社区"
    assert TargetAdjustment.objects.get(pk=adjustment.pk).state == "rejected"


def test_no_adjustment_before_approval(fresh, personas):
    with pytest.raises(svc.TargetsLocked):
        ask_to_change(fresh, personas, "≥50个", reason="x")


# --------------------------------------------------------------------------- pages


def test_pages_walk_declaration_and_adjustment(client, fresh, personas):
    client.force_login(personas["accountant_a"])
    url = reverse("report_targets", args=[fresh.pk])
    page = client.get(url)
    assert page.status_code == 200 and "保存并送审" in page.content.decode()
    rows = rows_of(fresh)
    data = {"version": "1", "ind-TOTAL_FORMS": str(len(rows))}
    for i, r in enumerate(rows):
        data.update(
            {
                f"ind-{i}-id": r.pk,
                f"ind-{i}-sign": r.sign,
                f"ind-{i}-target_text": r.target_text,
                f"ind-{i}-unit": r.unit,
            }
        )
    i = [r.level3 for r in rows].index(COMMUNITIES)
    bad = {**data, f"ind-{i}-target_text": "很多"}
    response = client.post(url, bad)
    assert response.status_code == 400
    assert "定量指标的指标值须含数值" in response.content.decode()
    data[f"ind-{i}-target_text"] = "≥43个"
    assert client.post(url, {**data, "submit": "1"}).status_code == 302
    assert TargetDeclaration.objects.get(report=fresh).state == "submitted"

    client.force_login(personas["reviewer"])
    transition = reverse("report_targets_transition", args=[fresh.pk])
    assert client.post(transition, {"action": "targets_return", "reason": ""}).status_code == 400
    assert client.post(transition, {"action": "targets_approve"}).status_code == 302
    assert row(fresh).declared_target_text == "≥43个"

    client.force_login(personas["accountant_a"])
    adjust = reverse("report_target_adjust", args=[fresh.pk, row(fresh).pk])
    response = client.post(adjust, {"sign": ">=", "target_text": "≥43个", "unit": "个", "reason": "同"})
    assert response.status_code == 400 and "调整后的目标与现行目标相同" in response.content.decode()
    assert (
        client.post(adjust, {"sign": ">=", "target_text": "≥46个", "unit": "个", "reason": "扩大范围"}).status_code
        == 302
    )
    adjustment = TargetAdjustment.objects.get(report=fresh)
    decide = reverse("report_target_adjustment_decide", args=[fresh.pk, adjustment.pk])
    assert client.post(decide, {"decision": "approve"}).status_code == 403
    client.force_login(personas["reviewer"])
    assert client.post(decide, {"decision": "approve"}).status_code == 302
    assert row(fresh).target_text == "≥46个"
    html = client.get(url).content.decode()
    assert "已调整，原指标值：≥43个" in html


def test_another_departments_targets_are_404(client, fresh, personas):
    declared(fresh, personas)
    adjustment = ask_to_change(fresh, personas, "≥50个", reason="x")
    client.force_login(personas["accountant_b"])
    for url in (
        reverse("report_targets", args=[fresh.pk]),
        reverse("report_target_adjust", args=[fresh.pk, row(fresh).pk]),
    ):
        assert client.get(url).status_code == 404
    for url in (
        reverse("report_targets", args=[fresh.pk]),
        reverse("report_targets_transition", args=[fresh.pk]),
        reverse("report_target_adjustment_decide", args=[fresh.pk, adjustment.pk]),
    ):
        assert client.post(url, {"action": "targets_approve", "decision": "approve"}).status_code == 404
    assert TargetAdjustment.objects.get(pk=adjustment.pk).state == "pending"


def test_a_row_of_another_report_is_404_on_the_adjust_page(client, fresh, personas, seed_report):
    client.force_login(personas["accountant_a"])
    other = ReportIndicator.objects.filter(report=seed_report).first()
    assert client.get(reverse("report_target_adjust", args=[fresh.pk, other.pk])).status_code == 404


def test_the_seed_comes_with_approved_targets(client, seed_report, personas):
    declaration = TargetDeclaration.objects.get(report=seed_report)
    assert declaration.state == "approved"
    rows = rows_of(seed_report)
    assert rows and all(r.target_declared and r.declared_target_text == r.target_text for r in rows)
    client.force_login(personas["accountant_a"])
    html = client.get(reverse("report_targets", args=[seed_report.pk])).content.decode()
    assert "申请调整" in html and "审核通过" in html


@pytest.mark.parametrize("n", [1, 3])
def test_the_targets_page_queries_do_not_grow(client, seed_report, personas, django_assert_num_queries, n):
    rows = rows_of(seed_report)
    for r in rows[:n]:
        TargetAdjustment.objects.create(
            report=seed_report,
            indicator=r,
            level3=r.level3,
            target_text="x",
            reason="y",
            requested_by=personas["accountant_a"],
        )
    client.force_login(personas["reviewer"])
    with django_assert_num_queries(TARGETS_PAGE_QUERIES):
        response = client.get(reverse("report_targets", args=[seed_report.pk]))
    assert response.status_code == 200 and response.content.decode().count('name="decision" value="approve"') == n


TARGETS_PAGE_QUERIES = 10
ADJUST_PAGE_QUERIES = 9


def test_the_adjust_page_queries_are_fixed(client, seed_report, personas, django_assert_num_queries):
    client.force_login(personas["accountant_a"])
    with django_assert_num_queries(ADJUST_PAGE_QUERIES):
        response = client.get(reverse("report_target_adjust", args=[seed_report.pk, row(seed_report).pk]))
    assert response.status_code == 200 and "现行目标" in response.content.decode()


# --------------------------------------------------------------------------- outputs


def test_print_and_workbook_show_approved_and_adjusted_targets(client, fresh, personas):
    declared(fresh, personas)
    adjustment = ask_to_change(fresh, personas, "≥50个", reason="扩大服务范围")
    svc.adjustment_decide(report=fresh, adjustment_id=adjustment.pk, actor=personas["reviewer"], approve=True)
    doc = report_to_document(report_queryset().get(pk=fresh.pk))
    assert doc["targets_approved"] is True
    adjusted = [item for item in doc["indicators"] if item.get("target_declared")]
    assert [(i["level3"], i["target_text"], i["target_declared"]["target_text"]) for i in adjusted] == [
        (COMMUNITIES, "≥50个", "≥41个城市社区")
    ]
    validate(doc)  # still a perfeval.report/1 document

    client.force_login(personas["accountant_a"])
    html = client.get(reverse("pdf:print", args=[fresh.pk])).content.decode()
    assert '≥50个<span class="own adjusted">（已调整，原≥41个城市社区）</span>' in html
    assert "指标值为财政局审核通过的绩效目标；注明“已调整”的" in html

    response = client.get(reverse("xlsx:report_export", args=[fresh.pk]))
    sheet = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    comments = {cell.value: cell.comment.text for r in sheet.iter_rows() for cell in r if cell.comment}
    assert comments["≥50个"] == "已调整，原指标值：≥41个城市社区（个）"
    assert comments["指标值"].startswith("指标值为财政局审核通过的绩效目标")


def test_an_import_keeps_approved_targets_and_refuses_to_change_them(seed_report):
    doc = report_to_document(report_queryset().get(pk=seed_report.pk))
    report_import(document=doc, source="重新导入")
    assert all(r.target_declared for r in rows_of(seed_report))
    changed = copy.deepcopy(doc)
    next(i for i in changed["indicators"] if i["level3"] == COMMUNITIES)["target_text"] = "≥30个城市社区"
    with pytest.raises(DocumentError) as exc:
        report_import(document=changed, source="改目标")
    assert "指标“服务社区数量”的绩效目标已审核通过（≥41个城市社区），导入不能修改" in str(exc.value)
    assert row(seed_report).target_text == "≥41个城市社区"


def test_once_the_self_evaluation_is_submitted_targets_are_not_declared(client, personas, demo):
    submitted = Report.objects.get(department__code="201001", state="submitted")
    client.force_login(personas["accountant_b"])
    html = client.get(reverse("report_targets", args=[submitted.pk])).content.decode()
    assert "绩效目标不能再申报或修改" in html and "保存并送审" not in html
    response = client.post(reverse("report_targets_transition", args=[submitted.pk]), {"action": "targets_submit"})
    assert response.status_code == 400
    assert "自评报告当前状态为“已送审”，绩效目标不能再变更。" in response.content.decode()
    assert not TargetDeclaration.objects.filter(report=submitted, state="submitted").exists()


def test_the_queue_shows_the_targets_and_adjustments_waiting_for_the_bureau(client, fresh, personas):
    client.force_login(personas["reviewer"])
    queue = reverse("review:queue") + f"?round={fresh.round_id}"
    targets = reverse("report_targets", args=[fresh.pk])

    def line() -> str:
        html = client.get(queue).content.decode()
        return html[html.index(f'<tr data-department="{fresh.department.code}"') :].split("</tr>")[0]

    assert "rv-todo" not in line()
    svc.targets_transition(report=fresh, action="targets_submit", actor=personas["accountant_a"])
    assert f'<a class="rv-todo" href="{targets}">绩效目标待审核</a>' in line()
    svc.targets_transition(report=fresh, action="targets_approve", actor=personas["reviewer"])
    assert "rv-todo" not in line()
    ask_to_change(fresh, personas, "≥50个", reason="新增服务范围")
    assert f'<a class="rv-todo" href="{targets}">目标调整待审核</a>' in line()
