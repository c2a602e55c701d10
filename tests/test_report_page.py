"""The report page: who sees what, the live score, and the query counts that must not grow with rows."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.demo.build import resize_report
from reports.models import Report, ReportIndicator
from tests.test_form_helpers import form_data, login, post_form, set_row

pytestmark = pytest.mark.django_db


def test_home_lists_the_accountants_reports_with_scores(client, personas, seed_report):
    login(client, personas["accountant_a"])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("report", args=[seed_report.pk]) in html
    assert "99.44" in html  # the rule score
    assert "区教育局" not in html  # another department's report is not listed


def test_report_page_shows_the_standard_table(client, personas, seed_report):
    login(client, personas["accountant_a"])
    response = client.get(reverse("report", args=[seed_report.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for heading in (
        "部门（单位）名称",
        "年度总体目标",
        "年度主要任务",
        "预算情况",
        "一级指标",
        "未完成原因分析",
        "八、其他需要说明的问题",
    ):
        assert heading in html
    # level-1 cells merged over their rows: 投入管理指标 spans its 21 rows
    assert 'rowspan="21" data-l1="投入管理指标"' in html
    assert 'name="ind-21-actual_text" value="41个"' in html
    assert "94.47%" in html  # the execution rate, computed
    assert response.context["editable"] is True


def test_reviewer_sees_the_page_read_only(client, personas, seed_report):
    login(client, personas["reviewer"])
    response = client.get(reverse("report", args=[seed_report.pk]))
    assert response.status_code == 200
    assert response.context["editable"] is False
    assert 'name="ind-21-actual_text"' not in response.content.decode()


def test_live_score_runs_the_engine_on_the_unsaved_form(client, personas, seed_report):
    login(client, personas["accountant_a"])
    data = form_data(client, seed_report)
    set_row(data, "服务社区数量", actual_text="20")
    response = post_form(client, reverse("report_score", args=[seed_report.pk]), data)
    assert response.status_code == 200
    body = response.json()
    row = next(r for r in body["rows"] if r["row"] == "ind-21")
    assert row["score"] == "14.63"  # 20 / 41 × 30
    assert row["short"] is True
    assert body["total"] == "84.07"
    assert body["grade"] == "良"
    reasons = [f for f in body["findings"] if f["code"] == "reason.missing"]
    assert reasons and reasons[0]["target"] == "ind-21-reason"
    # nothing was saved
    assert ReportIndicator.objects.get(report=seed_report, level3="服务社区数量").actual == Decimal("41")


def test_live_score_reports_bad_numbers_at_the_field(client, personas, seed_report):
    login(client, personas["accountant_a"])
    data = form_data(client, seed_report)
    set_row(data, "服务社区数量", self_score="三十")
    set_row(data, "预算执行率", weight="-2")
    body = post_form(client, reverse("report_score", args=[seed_report.pk]), data).json()
    assert body["errors"]["ind-21-self_score"] == ["“三十”不是数字。"]
    assert body["errors"]["ind-14-weight"] == ["分值不能为负数。"]


def page_and_save_queries(client, report) -> tuple[int, int]:
    url = reverse("report", args=[report.pk])
    with CaptureQueriesContext(connection) as get_queries:
        assert client.get(url).status_code == 200
    data = form_data(client, report)
    data["contact"] = data["contact"] + "（改）"
    data["ind-0-reason"] = "说明" + data["ind-0-reason"]
    with CaptureQueriesContext(connection) as save_queries:
        response = post_form(client, reverse("report_save", args=[report.pk]), data)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "saved"
    return len(get_queries), len(save_queries)


# Pinned: the page and a save cost the same whatever the number of rows.
PAGE_QUERIES = 12  # session, user, roles, report_get, report + 3 prefetches, budget lines, evidence counts,
# events, rectification items
# A save: session, user, roles; BEGIN; the report (locked) + 3 prefetches + budget lines; the rows,
# the report (the version and the new totals in one UPDATE), the events; the findings replaced (2); COMMIT.
SAVE_QUERIES = 15


@pytest.mark.parametrize("rows", [5, 60])
def test_page_and_save_queries_do_not_grow_with_rows(client, personas, seed_report, rows):
    resize_report(seed_report, rows)
    login(client, personas["accountant_a"])
    client.get(reverse("home"))  # the session is warm, as in use
    assert ReportIndicator.objects.filter(report=seed_report).count() == rows
    get_count, save_count = page_and_save_queries(client, seed_report)
    assert (get_count, save_count) == (PAGE_QUERIES, SAVE_QUERIES)


def _row_loads(queries) -> int:
    """How many times the report's rows were read: each load of the report reads them once."""
    return sum(1 for q in queries if q["sql"].startswith("SELECT") and 'FROM "reports_reportindicator"' in q["sql"])


def _report_reads(queries) -> int:
    return sum(1 for q in queries if q["sql"].startswith("SELECT") and ' FROM "reports_report" ' in q["sql"])


def test_a_save_and_a_live_score_load_the_report_once(client, personas, seed_report):
    login(client, personas["accountant_a"])
    data = form_data(client, seed_report)
    set_row(data, "服务社区数量", actual_text="30", reason="部分社区未纳入")
    with CaptureQueriesContext(connection) as live:
        body = post_form(client, reverse("report_score", args=[seed_report.pk]), data).json()
    assert body["total"] == "91.39" and _row_loads(live.captured_queries) == 1
    with CaptureQueriesContext(connection) as save:
        body = post_form(client, reverse("report_save", args=[seed_report.pk]), data).json()
    assert body["status"] == "saved" and _row_loads(save.captured_queries) == 1
    assert _report_reads(save.captured_queries) == 1  # the scoped read is the locked one
    # Scored once, from what was just written: the stored total is the one a fresh load gives.
    seed_report.refresh_from_db()
    assert body["result"]["total"] == "91.39" == str(seed_report.rule_total)


def test_the_engine_reads_the_stored_rows_as_their_exported_document(seed_report):
    """The engine's input is built from the models; the document stays an export format, and the
    two agree, explanations included (the seed, then a flat and a two-level shape)."""
    from indicators import engine
    from reports.interchange.document import to_engine_input
    from reports.interchange.store import report_to_document
    from reports.selectors import report_queryset
    from reports.services.scoring import report_engine_input
    from tests.shapes import flat_template, start_report, two_level_template

    reports = [report_queryset().get(pk=seed_report.pk)]
    accountant = personas_accountant(seed_report)
    for template in (flat_template(), two_level_template()):
        report = start_report(template, seed_report.department, accountant)
        reports.append(report_queryset().get(pk=report.pk))
    for report in reports:
        from_rows = report_engine_input(report)
        from_document = to_engine_input(report_to_document(report))
        assert from_rows == from_document, report
        a, b = engine.score_report(from_rows), engine.score_report(from_document)
        assert (a.total, a.findings) == (b.total, b.findings)
        assert [r.explanation for r in a.rows] == [r.explanation for r in b.rows]


def personas_accountant(report):
    from departments.models import Role
    from tests.conftest import make_user

    return make_user("parity_acct", Role.Kind.ACCOUNTANT, report.department)


def test_the_script_posts_json_with_the_csrf_token_in_a_header(personas, seed_report):
    """The page's script sends the fields as one JSON object; without the token it is refused."""
    client = Client(enforce_csrf_checks=True)
    login(client, personas["accountant_a"])
    data = form_data(client, seed_report)
    token = client.cookies["csrftoken"].value
    set_row(data, "服务社区数量", actual_text="30", reason="部分社区未纳入")
    url = reverse("report_score", args=[seed_report.pk])
    body = json.dumps(data)
    refused = client.post(url, body, content_type="application/json", HTTP_ACCEPT="application/json")
    assert refused.status_code == 403
    answered = client.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert answered.status_code == 200 and answered.json()["total"] == "91.39"


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", json.dumps({"version": 1}), b"\xff\xfe"])
def test_a_body_that_is_not_an_object_of_strings_is_a_400_and_saves_nothing(client, personas, seed_report, body):
    login(client, personas["accountant_a"])
    for name in ("report_score", "report_save"):
        response = client.post(reverse(name, args=[seed_report.pk]), body, content_type="application/json")
        assert response.status_code == 400, (name, response.status_code)
    assert Report.objects.get(pk=seed_report.pk).version == seed_report.version
