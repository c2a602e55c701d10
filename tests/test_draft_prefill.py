"""A new draft: prefilled from last year's report when the template matches; blank, it says each
missing item once and shows no total or grade until something is entered."""

from __future__ import annotations

from collections import Counter

import pytest
from django.urls import reverse

from indicators.models import TemplateIndicator
from indicators.services import template_roll_forward
from reports.models import NARRATIVE_FIELDS, Report, ReportEvent, ReportIndicator, ReportTask
from reports.services.editing import report_start
from tests.shapes import open_round
from tests.test_form_helpers import form_data, post_form, set_row

pytestmark = pytest.mark.django_db


def _next_round(seed_report, *, rename_a_row: bool = False):
    rolled = template_roll_forward(template=seed_report.round.template, rule_set=seed_report.round.rule_set)
    if rename_a_row:
        TemplateIndicator.objects.filter(template=rolled.template, level3="决算真实性").update(level3="决算真实准确性")
    round_ = open_round(rolled.template, seed_report.department, name="2022年度部门整体绩效自评")
    round_.rule_set = rolled.rule_set
    round_.save()
    return round_


def _own_row(report) -> ReportIndicator:
    template_row = report.indicators.get(level3="服务社区数量")
    return ReportIndicator.objects.create(
        report=report,
        order=99,
        level1=template_row.level1,
        level2=template_row.level2,
        level3="培训社区工作者人次",
        kind="quantitative",
        sign=">=",
        target=200,
        target_text="≥200",
        unit="人次",
        weight=0,
        actual=210,
        actual_text="210",
        self_score=0,
        reason="去年的原因",
    )


def test_a_new_draft_carries_over_last_years_contact_tasks_and_own_rows(client, personas, seed_report):
    _own_row(seed_report)
    round_ = _next_round(seed_report)
    client.force_login(personas["accountant_a"])
    response = client.post(reverse("report_start", args=[round_.pk, seed_report.department_id]), follow=True)
    report = Report.objects.get(round=round_)
    assert "已按 2021 年报告预填" in response.content.decode()

    assert report.contact == seed_report.contact != ""
    assert all(getattr(report, name) == "" for name in (*NARRATIVE_FIELDS, "goal", "goal_completion"))
    old_tasks = list(seed_report.tasks.values_list("name", "content"))
    assert list(report.tasks.values_list("name", "content")) == old_tasks and old_tasks
    assert not ReportTask.objects.filter(report=report, budget__isnull=False).exists()
    rows = list(report.indicators.order_by("order"))
    old = list(seed_report.indicators.order_by("order", "pk"))
    assert [r.level3 for r in rows] == [r.level3 for r in old]
    own = next(r for r in rows if r.level3 == "培训社区工作者人次")
    assert own.template_indicator_id is None
    assert (own.kind, own.sign, own.target, own.target_text, own.unit, own.weight) == (
        "quantitative",
        ">=",
        200,
        "≥200",
        "人次",
        0,
    )
    # This year's results are this year's to enter.
    assert all(
        r.actual is None and not r.actual_text and r.self_score is None and not r.tier and not r.reason for r in rows
    )
    # Template rows point at this year's template.
    assert all(r.template_indicator.template_id == round_.template_id for r in rows if r.template_indicator_id)
    start = ReportEvent.objects.get(report=report, action="start")
    assert "已按 2021 年报告预填" in start.message


def test_a_changed_template_still_carries_over_and_places_own_rows_in_their_groups(client, personas, seed_report):
    own = _own_row(seed_report)
    gone = _own_row(seed_report)
    ReportIndicator.objects.filter(pk=gone.pk).update(level1="已撤销的一级指标", level3="撤销指标下的本部门指标")
    round_ = _next_round(seed_report, rename_a_row=True)
    client.force_login(personas["accountant_a"])
    response = client.post(reverse("report_start", args=[round_.pk, seed_report.department_id]), follow=True)
    page = response.content.decode()
    report = Report.objects.get(round=round_)
    assert "已按 2021 年报告预填" in page
    assert "本部门增加的指标有 1 项所属一级指标已不在本年度模板中，未预填。" in page
    assert report.contact == seed_report.contact != ""
    assert list(report.tasks.values_list("name", flat=True)) == list(seed_report.tasks.values_list("name", flat=True))
    rows = list(report.indicators.order_by("order"))
    # This year's template rows, in its order (the renamed one too), and the own row after its group.
    template = list(TemplateIndicator.objects.filter(template=round_.template).order_by("order", "pk"))
    assert [r.level3 for r in rows if r.template_indicator_id] == [t.level3 for t in template]
    assert "决算真实准确性" in [r.level3 for r in rows] and "撤销指标下的本部门指标" not in [r.level3 for r in rows]
    at = [r.level3 for r in rows].index(own.level3)
    group = [i for i, r in enumerate(rows) if (r.level1, r.level2) == (own.level1, own.level2)]
    assert at == group[-1] and rows[at].template_indicator_id is None
    start = ReportEvent.objects.get(report=report, action="start")
    assert "已按 2021 年报告预填（本部门增加的指标 1 项所属一级指标已不在本年度模板中，未预填）" in start.message


def _round_after_a_gap(seed_report):
    """A round two years on: the department has no report of the year before to start from."""
    round_ = _next_round(seed_report)
    round_.year = seed_report.round.year + 2
    round_.save()
    return round_


def test_no_prefill_without_a_report_of_the_year_before(personas, seed_report):
    round_ = _round_after_a_gap(seed_report)
    report = report_start(round_=round_, department=seed_report.department, actor=personas["accountant_a"])
    assert report.prefilled_from is None
    assert report.contact == "" and not report.tasks.exists()
    assert "预填" not in ReportEvent.objects.get(report=report, action="start").message


def test_a_blank_draft_says_each_missing_item_once_and_shows_no_grade_until_something_is_entered(
    client, personas, seed_report
):
    round_ = _round_after_a_gap(seed_report)
    report = report_start(round_=round_, department=seed_report.department, actor=personas["accountant_a"])
    client.force_login(personas["accountant_a"])
    payload = client.get(reverse("report", args=[report.pk])).context["payload"]
    assert (payload["total"], payload["grade"], payload["self_total"], payload["self_grade"]) == ("—",) * 4
    errors = [f for f in payload["findings"] if f["severity"] == "error"]
    per_place = Counter(f["row"] or f["target"] for f in errors)
    assert max(per_place.values()) == 1, [k for k, n in per_place.items() if n > 1]
    assert len(errors) == payload["counts"]["error"] == 24 + 1 + 3 + 8  # rows, budget, header, narrative
    # An unscored row does not repeat its error as its explanation, nor show level scores of 0.00.
    assert [r["explanation"] for r in payload["rows"]] == [""] * 24
    assert {x["score"] for x in payload["level1"] + payload["level2"]} == {"—"}

    data = form_data(client, report)
    set_row(data, "服务社区数量", actual_text="41个")
    live = post_form(client, reverse("report_score", args=[report.pk]), data).json()
    assert live["total"] != "—" and live["grade"] not in ("—", "")
