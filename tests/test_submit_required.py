"""送审 needs the narrative and the table's required parts; each gap is said at its field."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reports.demo.build import resize_report
from reports.models import Report, ReportEvent
from reports.services import workflow
from tests.test_form_helpers import form_data, login, post_form, row_index, set_row

pytestmark = pytest.mark.django_db


def _save(client, report, data):
    response = post_form(client, reverse("report_save", args=[report.pk]), data)
    assert response.status_code == 200, response.content


def _clean_seed(client, report):
    """The seed with its own engine errors fixed (as tests/test_form.py does)."""
    data = form_data(client, report)
    set_row(data, "服务对象满意度", actual_text="85")
    data["narrative_4"] = "（四）部门资金情况：预算执行情况见自评表。"
    _save(client, report, data)
    return form_data(client, report)


def _qualitative_row(data) -> int:
    return next(i for i in range(int(data["ind-TOTAL_FORMS"])) if data.get(f"ind-{i}-tier"))


def test_submit_is_refused_while_a_narrative_section_the_contact_or_a_tier_is_blank(client, personas, seed_report):
    accountant = personas["accountant_a"]
    login(client, accountant)
    data = _clean_seed(client, seed_report)
    k = _qualitative_row(data)
    name, tier = data.level3[k], data[f"ind-{k}-tier"]
    data.update({"narrative_2": "  ", "contact": "", f"ind-{k}-tier": ""})
    _save(client, seed_report, data)
    report = Report.objects.get(pk=seed_report.pk)
    assert report.error_count == 0  # the engine alone would let it through
    events = ReportEvent.objects.filter(report=report).count()

    with pytest.raises(workflow.MissingRequired) as refused:
        workflow.report_transition(report=report, action="submit", actor=accountant)
    got = {(f.code, f.where, f.message) for f in refused.value.findings}
    assert got == {
        ("required.contact", "header.contact", "请填写填表人及联系方式。"),
        ("required.narrative", "narrative.2", "请填写“二、绩效自评工作开展情况”。"),
        ("required.tier", f"indicators[{row_index(data, name)}]", f"{name}：请选择完成档次。"),
    }
    assert refused.value.messages == ["还有 3 项必填内容未填写，请先填写后再送审。"]
    report.refresh_from_db()
    assert report.state == Report.State.DRAFT
    assert ReportEvent.objects.filter(report=report).count() == events

    data = form_data(client, report)
    data.update({"narrative_2": "开展了自评。", "contact": "张三 0371-1234", f"ind-{k}-tier": tier})
    _save(client, report, data)
    submitted = workflow.report_transition(report=Report.objects.get(pk=report.pk), action="submit", actor=accountant)
    assert submitted.state == Report.State.SUBMITTED


def test_the_submit_page_links_each_blank_part_to_its_field_and_offers_no_confirm(client, personas, seed_report):
    login(client, personas["accountant_a"])
    data = _clean_seed(client, seed_report)
    data.update({"narrative_7": "", "goal": ""})
    _save(client, seed_report, data)
    url = reverse("report_submit", args=[seed_report.pk])
    page = client.get(url).content.decode()
    assert "报告还有 2 个错误，修正后才能送审" in page
    assert "#goto=required.narrative@narrative.7" in page and "请填写“七、绩效自评工作的经验、问题和建议”。" in page
    assert "#goto=required.goal@header.goal" in page and "请填写年度总体目标。" in page
    assert "确认送审" not in page

    response = client.post(url, {"version": Report.objects.get(pk=seed_report.pk).version}, follow=True)
    assert "还有 2 项必填内容未填写，请先填写后再送审。" in response.content.decode()
    assert Report.objects.get(pk=seed_report.pk).state == Report.State.DRAFT

    # The report page places each at its input, and lists it in the findings panel.
    payload = client.get(reverse("report", args=[seed_report.pk])).context["payload"]
    required = {f["where"]: f["target"] for f in payload["findings"] if f["code"].startswith("required.")}
    assert required == {"narrative.7": "narrative_7", "header.goal": "goal"}
    assert payload["counts"]["error"] == 2
    assert 'data-where="narrative.7"' in payload["panel_html"]


def test_a_blank_tier_is_said_once_as_required_not_also_as_inferred(client, personas, seed_report):
    login(client, personas["accountant_a"])
    data = _clean_seed(client, seed_report)
    k = _qualitative_row(data)
    data[f"ind-{k}-tier"] = ""
    response = post_form(client, reverse("report_score", args=[seed_report.pk]), data)
    at_tier = [f for f in response.json()["findings"] if f["target"] == f"ind-{k}-tier"]
    assert [f["code"] for f in at_tier] == ["required.tier"]


def test_the_reviewer_sees_no_required_findings_on_a_submitted_report(client, personas, seed_report):
    login(client, personas["accountant_a"])
    _clean_seed(client, seed_report)
    Report.objects.filter(pk=seed_report.pk).update(narrative_8="", state=Report.State.SUBMITTED)
    login(client, personas["reviewer"])
    payload = client.get(reverse("report", args=[seed_report.pk])).context["payload"]
    assert not [f for f in payload["findings"] if f["code"].startswith("required.")]


# session, user, roles, report_get; the stored findings; the report loaded whole (report + 3 prefetches,
# budget lines) for the required parts.
SUBMIT_PAGE_QUERIES = 10


@pytest.mark.parametrize("rows", [5, 60])
def test_the_submit_page_queries_do_not_grow_with_rows(client, personas, seed_report, rows, django_assert_num_queries):
    resize_report(seed_report, rows)
    Report.objects.filter(pk=seed_report.pk).update(narrative_3="")
    login(client, personas["accountant_a"])
    client.get(reverse("home"))  # a warm session
    with django_assert_num_queries(SUBMIT_PAGE_QUERIES):
        page = client.get(reverse("report_submit", args=[seed_report.pk])).content.decode()
    assert "请填写“三、综合评价结论”。" in page
