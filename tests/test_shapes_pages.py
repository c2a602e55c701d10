"""The accountant's form and the review page show 1-, 2- and 3-level trees: a level column only where
some row has that level, merged cells where it exists, the same queries whatever the shape."""

import re
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import Department, Role
from indicators.models import TemplateIndicator
from reports.models import Report, ReportIndicator
from reports.services.workflow import report_transition
from tests.conftest import make_user
from tests.review.test_queries import PUBLIC_REPORT_QUERIES, REVIEW_QUERIES
from tests.shapes import FLAT_ROWS, flat_template, start_report, two_level_template
from tests.test_form_helpers import edit_rows, fill_required, form_data, login, post_form, set_row
from tests.test_report_page import PAGE_QUERIES, SAVE_QUERIES, page_and_save_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def department():
    return Department.objects.create(code="901001", name="区政务服务中心")


@pytest.fixture
def accountant(department):
    return make_user("shape_acct", Role.Kind.ACCOUNTANT, department)


@pytest.fixture
def reviewer():
    return make_user("shape_reviewer", Role.Kind.REVIEWER)


def _indicator_table(html: str) -> str:
    start = html.index('id="indicator-table"')
    return html[start : html.index("</table>", start)]


def _heads(table: str) -> list[str]:
    head = table[table.index("<thead>") : table.index("</thead>")]
    return re.findall(r"<th(?:\s[^>]*)?>(?:<span[^>]*>)?([^<]*)", head)


def _level_cells(table: str, kind: str) -> list[tuple[str, str]]:
    """(rowspan, name) of each level cell of the body."""
    body = table[table.index("<tbody") : table.index("</tbody>")]
    return re.findall(
        rf'<th class="{kind}[^"]*" scope="rowgroup" rowspan="(\d+)"[^>]*>(?:<div class="lv-name">([^<]*))?', body
    )


def _fill(client, report, scores: dict[str, tuple[str, str, str]]):
    data = form_data(client, report)
    for level3, (actual, self_score, reason) in scores.items():
        i = set_row(data, level3, actual_text=actual, self_score=self_score, reason=reason)
        if f"ind-{i}-tier" in data or not actual[0].isdigit():
            data[f"ind-{i}-tier"] = "met"
    data.update({"budget-total_annual": "100", "budget-total_executed": "95"})
    response = post_form(client, reverse("report_save", args=[report.pk]), data)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "saved", response.json()
    return response


FLAT_FILLED = {
    "服务社区数量": ("40", "30", ""),
    "培训人次": ("150", "15", "疫情期间停训两月"),
    "投诉率": ("3", "10", ""),
    "服务对象满意度": ("92", "20", ""),
    "制度建设": ("健全", "10", ""),
}


def test_a_flat_report_shows_no_level_columns_and_saves_blank_levels(client, department, accountant):
    report = start_report(flat_template(), department, accountant)
    login(client, accountant)
    table = _indicator_table(client.get(reverse("report", args=[report.pk])).content.decode())
    heads = _heads(table)
    assert "一级指标" not in heads and "二级指标" not in heads and heads[0] == "三级指标"
    assert _level_cells(table, "l1") == [] and _level_cells(table, "l2") == []
    assert 'colspan="4" class="right"' in table  # 合计 spans 三级指标 … 实际完成值
    assert 'data-levels=""' in table

    _fill(client, report, FLAT_FILLED)
    rows = list(ReportIndicator.objects.filter(report=report).order_by("order"))
    assert [(r.level1, r.level2, r.self_score) for r in rows] == [("", "", D(v[1])) for v in FLAT_FILLED.values()]
    report.refresh_from_db()
    # 95/100 × 10 = 9.50; rows: 30 + 150/200 × 20 = 15 + 10 + 20 + 10 (qualitative, self-scored)
    assert report.execution_score == D("9.50")
    assert report.rule_total == D("94.50"), report.findings.values_list("message", flat=True)


def test_a_department_adds_its_own_row_to_a_flat_report(client, department, accountant):
    report = start_report(flat_template(), department, accountant)
    login(client, accountant)
    html = client.get(reverse("report", args=[report.pk])).content.decode()
    # One group to add under, named as the table names it.
    assert re.search(r'<option value="0" data-l1="" data-l2="">（无一级指标）</option>', html)
    data = form_data(client, report)
    new = {"id": "", "custom": "on", "level1": "", "level2": "", "level3": "志愿服务时长", "kind": "quantitative"}
    new |= {"sign": ">=", "target_text": "≥500小时", "unit": "小时", "weight": "0", "actual_text": "520"}
    new |= {"self_score": "0", "reason": "", "tier": ""}
    edit_rows(data, "ind", lambda rows, names: (rows.append(new), names.append(new["level3"])))
    response = post_form(client, reverse("report_save", args=[report.pk]), data)
    assert response.status_code == 200 and response.json()["status"] == "saved", response.content
    row = ReportIndicator.objects.get(report=report, level3="志愿服务时长")
    assert row.is_custom and (row.level1, row.level2) == ("", "") and row.actual == D("520")
    event = report.events.get(new_value="志愿服务时长")
    assert event.label == "三级指标"


TWO_FILLED = {
    "办结事项数": ("100", "30", ""),
    "按时办结率": ("95", "20", ""),
    "群众办事时间缩短": ("明显缩短", "30", ""),
    "办事群众满意度": ("92", "10", ""),
}


def test_a_two_level_report_shows_level1_merged_and_no_level2(client, department, accountant):
    report = start_report(two_level_template(), department, accountant)
    login(client, accountant)
    table = _indicator_table(client.get(reverse("report", args=[report.pk])).content.decode())
    heads = _heads(table)
    assert heads[:2] == ["一级指标", "三级指标"] and "二级指标" not in heads
    assert _level_cells(table, "l1") == [("2", "产出"), ("1", "效益"), ("1", "满意度")]
    assert _level_cells(table, "l2") == []
    assert 'colspan="5" class="right"' in table
    _fill(client, report, {"办结事项数": ("100", "30", ""), "按时办结率": ("95", "20", "")})
    assert set(ReportIndicator.objects.filter(report=report).values_list("level2", flat=True)) == {""}


def test_three_levels_with_an_unnamed_group_and_rows_directly_under_level1(client, department, accountant):
    template = two_level_template()
    # 产出's rows get a level 2; 效益's and 满意度's stay directly under their level 1;
    # and a group under no level-1 label comes first.
    TemplateIndicator.objects.filter(template=template, level1__name="产出").update(level2="数量")
    TemplateIndicator.objects.create(template=template, order=0, level3="综合评价", weight=D("0"))
    report = start_report(template, department, accountant)
    login(client, accountant)
    table = _indicator_table(client.get(reverse("report", args=[report.pk])).content.decode())
    assert _heads(table)[:3] == ["一级指标", "二级指标", "三级指标"]
    assert _level_cells(table, "l1") == [("1", "（无一级指标）"), ("2", "产出"), ("1", "效益"), ("1", "满意度")]
    # Rows with no level 2 get an empty cell of their own, not merged with 数量.
    assert _level_cells(table, "l2") == [("1", ""), ("2", "数量"), ("1", ""), ("1", "")]
    assert 'class="l1 unnamed"' in table and 'class="l2 unnamed"' in table


def test_queries_of_a_flat_report_are_the_pinned_ones(client, department, accountant):
    report = start_report(flat_template(), department, accountant)
    login(client, accountant)
    client.get(reverse("home"))  # a warm session
    assert page_and_save_queries(client, report) == (PAGE_QUERIES, SAVE_QUERIES)


def _submitted(client, report, accountant):
    login(client, accountant)
    _fill(client, report, FLAT_FILLED)
    fill_required(report)
    report = Report.objects.get(pk=report.pk)
    report_transition(report=report, action="submit", actor=accountant)
    return report


def test_the_review_page_of_a_flat_report(client, department, accountant, reviewer):
    report = _submitted(client, start_report(flat_template(), department, accountant), accountant)
    login(client, reviewer)
    client.get(reverse("review:queue"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("review:report", args=[report.pk]))
    assert response.status_code == 200
    assert len(queries) == REVIEW_QUERIES
    table = _indicator_table(response.content.decode())
    heads = _heads(table)
    assert heads[0] == "三级指标" and "一级指标" not in heads and "二级指标" not in heads
    assert _level_cells(table, "l1") == [] and _level_cells(table, "l2") == []
    assert 'colspan="4" class="right"' in table
    for spec in FLAT_ROWS:
        assert spec[0] in table
    assert len(response.context["sheet"]["indicators"]) == len(FLAT_ROWS)
    # The round's dashboard has no level-1 columns to show, and shows the report.
    dashboard = client.get(reverse("dashboard:round", args=[report.round_id]))
    assert dashboard.status_code == 200 and dashboard.context["level1"] == []
    assert "区政务服务中心" in dashboard.content.decode()

    # Published, the public page shows the same table, at the pinned cost.
    Report.objects.filter(pk=report.pk).update(state="published")
    client.logout()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("public:report", args=[report.pk]))
    assert response.status_code == 200 and len(queries) == PUBLIC_REPORT_QUERIES
    table = _indicator_table(response.content.decode())
    assert _heads(table)[0] == "三级指标" and _level_cells(table, "l1") == []


def test_the_review_page_of_a_two_level_report(client, department, accountant, reviewer):
    report = start_report(two_level_template(), department, accountant)
    login(client, accountant)
    _fill(client, report, TWO_FILLED)
    assert list(Report.objects.get(pk=report.pk).findings.filter(severity="error").values_list("message")) == []
    fill_required(report)
    report_transition(report=Report.objects.get(pk=report.pk), action="submit", actor=accountant)
    login(client, reviewer)
    table = _indicator_table(client.get(reverse("review:report", args=[report.pk])).content.decode())
    assert _heads(table)[:2] == ["一级指标", "三级指标"]
    assert [name for _span, name in _level_cells(table, "l1")] == ["产出", "效益", "满意度"]
    assert _level_cells(table, "l2") == []
