"""Saving the report form: services, history, concurrency, permissions and submission."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from departments.models import BudgetLine
from reports.interchange.store import report_queryset, report_to_document
from reports.models import Report, ReportEvent, ReportFinding, ReportIndicator, ReportTask
from reports.services import editing, history
from reports.web.report.forms import ReportForm
from tests.test_form_helpers import edit_rows, form_data, login, post_form, row_index, set_row

pytestmark = pytest.mark.django_db

D = Decimal


def save_url(report):
    return reverse("report_save", args=[report.pk])


def post_json(client, url, data):
    return post_form(client, url, data)


def parsed(data: dict) -> dict:
    form = ReportForm(data)
    assert form.is_valid(), form.errors_by_name()
    return form.data()


def counts(report):
    return {
        "indicators": ReportIndicator.objects.filter(report=report).count(),
        "tasks": ReportTask.objects.filter(report=report).count(),
        "events": ReportEvent.objects.filter(report=report).count(),
        "budget": BudgetLine.objects.count(),
        "reports": Report.objects.count(),
    }


# ---------------------------------------------------------------- history


def test_history_diff_names_each_changed_figure():
    before = {
        "header": {"contact": "张丽"},
        "budget": {"rows": [{"row": "total", "annual": "477.48", "executed": "451.06"}], "self_score": "9.45"},
        "tasks": [{"name": "机关运行", "budget": "134.48"}],
        "indicators": [
            {"level1": "产出指标", "level2": "履职", "level3": "服务社区数量", "actual_text": "41个", "weight": "30"},
        ],
        "narrative": {"1": "旧"},
    }
    after = {
        "header": {"contact": "张丽"},
        "budget": {"rows": [{"row": "total", "annual": "477.48", "executed": "460"}], "self_score": "9.45"},
        "tasks": [{"name": "机关运行", "budget": "134.48"}, {"name": "新任务", "budget": "3.00"}],
        "indicators": [
            {"level1": "产出指标", "level2": "履职", "level3": "服务社区数量", "actual_text": "30", "weight": "30"},
        ],
        "narrative": {"1": "新"},
    }
    changes = {c.path: c for c in history.diff_documents(before, after)}
    assert changes["budget.total.executed"].old == "451.06"
    assert changes["budget.total.executed"].new == "460"
    assert changes["budget.total.executed"].label == "部门预算总额 · 预算执行数"
    actual = changes["indicators[产出指标/履职/服务社区数量].actual_text"]
    assert (actual.label, actual.old, actual.new) == ("服务社区数量 · 实际完成值", "41个", "30")
    assert changes["tasks[新任务]"].new == "新任务"
    assert changes["tasks[新任务].budget"].new == "3.00"
    assert changes["tasks.order"].new == "机关运行、新任务"
    assert changes["narrative.1"].label == "一、部门单位基本情况"
    assert "header.contact" not in changes
    assert history.diff_documents(after, after) == []
    # a figure read from a text is not shown twice
    doc = {"indicators": [{"level1": "A", "level2": "B", "level3": "r", "actual_text": "41个", "actual": "41"}]}
    new = {"indicators": [{"level1": "A", "level2": "B", "level3": "r", "actual_text": "30", "actual": "30"}]}
    both = history.diff_documents(doc, new)
    assert {c.path for c in both} == {"indicators[A/B/r].actual_text", "indicators[A/B/r].actual"}
    assert [c.path for c in history.without_derived(both)] == ["indicators[A/B/r].actual_text"]
    assert history.summary(both) == "r · 实际完成值"


def test_history_keys_rows_by_name_so_an_insert_changes_one_row():
    rows = [{"level1": "A", "level2": "B", "level3": f"r{i}", "weight": "1"} for i in range(3)]
    before = {"indicators": rows}
    after = {"indicators": [rows[0], {"level1": "A", "level2": "B", "level3": "new", "weight": "2"}, *rows[1:]]}
    paths = {c.path for c in history.diff_documents(before, after)}
    assert paths == {"indicators[A/B/new]", "indicators[A/B/new].weight", "indicators[A/B].order"}


# ---------------------------------------------------------------- the save service


def test_report_save_writes_figures_events_version_and_scores(client, personas, seed_report):
    accountant = personas["accountant_a"]
    login(client, accountant)
    data = form_data(client, seed_report)
    set_row(data, "服务社区数量", actual_text="30", self_score="21.95", reason="两个社区合并，服务范围调整。")
    data["budget-total_executed"] = "460.00"
    data["narrative_8"] = "本年度无其他需要说明的问题。"
    before = counts(seed_report)

    saved = editing.report_save(
        report_id=seed_report.pk, actor=accountant, data=parsed(data), expected_version=seed_report.version
    )

    report = Report.objects.get(pk=seed_report.pk)
    assert report.version == seed_report.version + 1
    row = ReportIndicator.objects.get(report=report, level3="服务社区数量")
    assert (row.actual_text, row.actual, row.self_score) == ("30", D("30"), D("21.95"))
    assert row.reason == "两个社区合并，服务范围调整。"
    assert BudgetLine.objects.get(department=report.department, year=2021, row="total").executed == D("460")
    assert report.narrative_8 == "本年度无其他需要说明的问题。"
    # the rule score was recomputed and stored by the engine
    assert saved.result.rows[row_index(data, "服务社区数量")].score == D("21.95")
    assert report.rule_total == saved.result.total
    events = ReportEvent.objects.filter(report=report, kind="change").order_by("pk")
    by_path = {e.field: e for e in events}
    actual = by_path["indicators[产出指标/履职目标和主要任务完成情况/服务社区数量].actual_text"]
    assert (actual.label, actual.old_value, actual.new_value, actual.actor) == (
        "服务社区数量 · 实际完成值",
        "41个",
        "30",
        accountant,
    )
    assert by_path["budget.total.executed"].old_value == "451.06"
    assert by_path["budget.total.executed"].new_value == "460.00"
    assert by_path["narrative.8"].new_value == "本年度无其他需要说明的问题。"
    # nothing else was written: same rows, one event per changed value
    after = counts(report)
    assert after["indicators"] == before["indicators"]
    assert after["tasks"] == before["tasks"]
    assert after["budget"] == before["budget"]
    assert after["reports"] == before["reports"]
    assert after["events"] - before["events"] == len(saved.changes) == len(events)
    assert set(by_path) == {c.path for c in saved.changes}


def test_saving_an_unchanged_form_writes_nothing(client, personas, seed_report):
    login(client, personas["accountant_a"])
    data = form_data(client, seed_report)
    data["narrative_4"] = data["narrative_4"].replace("\n", "\r\n")  # what browsers send
    before = counts(seed_report)
    response = post_json(client, save_url(seed_report), data)
    assert response.status_code == 200
    assert response.json()["status"] == "unchanged"
    assert counts(seed_report) == before
    assert Report.objects.get(pk=seed_report.pk).version == seed_report.version


def test_the_later_of_two_saves_is_refused_and_the_first_is_kept(client, personas, seed_report):
    """Two sessions start from the same version; the second save raises and writes nothing."""
    first, second = personas["accountant_a"], personas["accountant_a"]
    login(client, first)
    start = form_data(client, seed_report)
    mine = start.copy()
    set_row(mine, "服务社区数量", actual_text="35", reason="调整")
    data_b = start.copy()
    set_row(data_b, "服务对象满意度", actual_text="85")
    data_b["contact"] = "别人"

    editing.report_save(report_id=seed_report.pk, actor=first, data=parsed(mine), expected_version=seed_report.version)
    events_after_first = ReportEvent.objects.filter(report=seed_report).count()
    with pytest.raises(editing.ReportConflict) as raised:
        editing.report_save(
            report_id=seed_report.pk, actor=second, data=parsed(data_b), expected_version=seed_report.version
        )
    assert raised.value.current == seed_report.version + 1
    assert "已被他人修改" in str(raised.value)
    report = Report.objects.get(pk=seed_report.pk)
    assert report.version == seed_report.version + 1
    assert report.contact != "别人"
    served = ReportIndicator.objects.get(report=report, level3="服务社区数量")
    assert (served.actual_text, served.reason) == ("35", "调整")
    assert ReportIndicator.objects.get(report=report, level3="服务对象满意度").actual_text == "≥80%"
    assert ReportEvent.objects.filter(report=seed_report).count() == events_after_first


def test_second_session_gets_409_with_a_diff_and_the_first_save_stays(client, personas, seed_report):
    from django.test import Client

    login(client, personas["accountant_a"])
    other = Client()
    login(other, personas["accountant_a"])
    page_a = form_data(client, seed_report)
    page_b = form_data(other, seed_report)

    set_row(page_a, "服务社区数量", actual_text="35", self_score="25.61", reason="社区合并")
    page_a["budget-total_executed"] = "455.00"
    response = post_json(client, save_url(seed_report), page_a)
    assert response.status_code == 200, response.content
    assert response.json()["version"] == seed_report.version + 1

    set_row(page_b, "服务对象满意度", actual_text="85")
    response = post_json(other, save_url(seed_report), page_b)
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == "conflict"
    assert "已被他人修改" in body["message"]
    assert body["version"] == seed_report.version + 1
    # the diff names the other's figures against what this session typed
    assert "服务社区数量 · 实际完成值" in body["html"]
    assert "35" in body["html"] and "41个" in body["html"]
    assert "在新标签页打开已保存的版本" in body["html"]

    report = Report.objects.get(pk=seed_report.pk)
    served = ReportIndicator.objects.get(report=report, level3="服务社区数量")
    assert (served.actual_text, served.self_score, served.reason) == ("35", D("25.61"), "社区合并")
    assert BudgetLine.objects.get(department=report.department, year=2021, row="total").executed == D("455")
    assert ReportIndicator.objects.get(report=report, level3="服务对象满意度").actual_text == "≥80%"

    # without the script the refusal is a page, not a silent overwrite
    response = post_form(other, save_url(seed_report), page_b, as_json=False)
    assert response.status_code == 409
    assert "保存未成功" in response.content.decode()


def test_invalid_numbers_are_refused_at_their_fields(client, personas, seed_report):
    login(client, personas["accountant_a"])
    data = form_data(client, seed_report)
    set_row(data, "服务社区数量", self_score="abc")
    data["budget-basic_executed"] = "-3"
    data["task-0-budget"] = "1.2.3"
    response = post_json(client, save_url(seed_report), data)
    assert response.status_code == 400
    errors = response.json()["errors"]
    i = row_index(data, "服务社区数量")
    assert errors[f"ind-{i}-self_score"] == ["“abc”不是数字。"]
    assert errors["budget-basic_executed"] == ["金额不能为负数。"]
    assert errors["task-0-budget"] == ["“1.2.3”不是数字。"]
    assert Report.objects.get(pk=seed_report.pk).version == seed_report.version


def test_without_the_script_an_invalid_save_shows_the_page_again_with_what_was_typed(client, personas, seed_report):
    login(client, personas["accountant_a"])
    data = form_data(client, seed_report)
    i = set_row(data, "服务社区数量", self_score="三十", actual_text="25")
    response = post_form(client, save_url(seed_report), data, as_json=False)
    assert response.status_code == 400
    html = response.content.decode()
    assert "“三十”不是数字。" in html
    assert f'name="ind-{i}-self_score" value="三十"' in html
    assert f'name="ind-{i}-actual_text" value="25"' in html
    assert Report.objects.get(pk=seed_report.pk).version == seed_report.version


def test_own_rows_can_be_added_reordered_and_removed_but_not_template_rows(client, personas, seed_report):
    accountant = personas["accountant_a"]
    login(client, accountant)
    data = form_data(client, seed_report)
    # add a row of the department's own under 产出指标 / 履职目标和主要任务完成情况, before 服务社区数量
    i = row_index(data, "服务社区数量")
    new = {
        "id": "",
        "custom": "on",
        "level1": "产出指标",
        "level2": "履职目标和主要任务完成情况",
        "level3": "培训社区工作者人次",
        "kind": "quantitative",
        "sign": ">=",
        "target_text": "≥200人次",
        "unit": "人次",
        "weight": "0",
        "actual_text": "180人次",
        "tier": "",
        "self_score": "0",
        "reason": "疫情影响",
    }
    edit_rows(data, "ind", lambda rows, names: (rows.insert(i, new), names.insert(i, new["level3"])))
    # and a task at the end
    edit_rows(
        data,
        "task",
        lambda rows, names: rows.append({"id": "", "name": "新增任务", "budget": "1.00", "executed": "0.50"}),
    )
    response = post_json(client, save_url(seed_report), data)
    assert response.status_code == 200, response.content
    body = response.json()
    new_pk = body["ids"]["ind"][i]
    row = ReportIndicator.objects.get(pk=new_pk)
    assert row.is_custom and row.order == i and row.target == D("200") and row.sign == ">="
    assert row.actual == D("180")
    assert ReportIndicator.objects.get(report=seed_report, level3="服务社区数量").order == i + 1
    assert body["ids"]["task"][3] == ReportTask.objects.get(report=seed_report, name="新增任务").pk
    added = ReportEvent.objects.get(report=seed_report, field__startswith="indicators[", new_value="培训社区工作者人次")
    assert added.label == "三级指标（履职目标和主要任务完成情况）"

    # now move it after 服务社区数量 and remove the new task
    data = form_data(client, seed_report)
    a, b = row_index(data, "培训社区工作者人次"), row_index(data, "服务社区数量")

    def swap(rows, names):
        rows[a], rows[b] = rows[b], rows[a]
        names[a], names[b] = names[b], names[a]

    edit_rows(data, "ind", swap)
    edit_rows(data, "task", lambda rows, names: rows.pop())
    response = post_json(client, save_url(seed_report), data)
    assert response.status_code == 200, response.content
    order = list(ReportIndicator.objects.filter(report=seed_report).order_by("order").values_list("level3", flat=True))
    assert order.index("培训社区工作者人次") == order.index("服务社区数量") + 1
    assert not ReportTask.objects.filter(report=seed_report, name="新增任务").exists()
    assert ReportEvent.objects.filter(report=seed_report, field="tasks[新增任务]", new_value="").exists()
    assert ReportEvent.objects.filter(
        report=seed_report, field="indicators[产出指标/履职目标和主要任务完成情况].order"
    ).exists()

    # removing a template row is refused
    data = form_data(client, seed_report)
    n = row_index(data, "决算真实性")
    edit_rows(data, "ind", lambda rows, names: (rows.pop(n), names.pop(n)))
    response = post_json(client, save_url(seed_report), data)
    assert response.status_code == 400
    assert "模板规定的指标“决算真实性”不能删除" in response.json()["message"]


def test_a_custom_row_outside_the_templates_groups_is_refused(client, personas, seed_report):
    login(client, personas["accountant_a"])
    data = form_data(client, seed_report)
    n = int(data["ind-TOTAL_FORMS"])
    data.update(
        {
            f"ind-{n}-custom": "on",
            f"ind-{n}-level1": "产出指标",
            f"ind-{n}-level2": "自创的二级指标",
            f"ind-{n}-level3": "某项",
            f"ind-{n}-kind": "qualitative",
            f"ind-{n}-weight": "1",
        }
    )
    data["ind-TOTAL_FORMS"] = str(n + 1)
    with pytest.raises(ValidationError) as raised:
        editing.report_save(
            report_id=seed_report.pk,
            actor=personas["accountant_a"],
            data=parsed(data),
            expected_version=seed_report.version,
        )
    assert "只能在模板已有的一级、二级指标下增加指标" in str(raised.value)


def test_a_blank_new_row_is_skipped_not_refused(client, personas, seed_report):
    login(client, personas["accountant_a"])
    data = form_data(client, seed_report)
    n = int(data["ind-TOTAL_FORMS"])
    data.update(
        {f"ind-{n}-custom": "on", f"ind-{n}-level1": "产出指标", f"ind-{n}-level2": "履职目标和主要任务完成情况"}
    )
    data["ind-TOTAL_FORMS"] = str(n + 1)
    data["contact"] = "张丽 0371-1234"
    response = post_json(client, save_url(seed_report), data)
    assert response.status_code == 200, response.content
    assert response.json()["ids"]["ind"][n] is None
    assert ReportIndicator.objects.filter(report=seed_report).count() == n


@pytest.mark.parametrize("persona", ["reviewer", "admin"])
def test_reviewer_and_admin_cannot_save(client, personas, seed_report, persona):
    """The bureau reads a department's report; only its accountant edits (a superuser is not the department)."""
    reviewer = personas[persona]
    login(client, personas["accountant_a"])
    data = form_data(client, seed_report)
    login(client, reviewer)
    assert post_form(client, save_url(seed_report), data).status_code == 403
    assert post_form(client, reverse("report_score", args=[seed_report.pk]), data).status_code == 403
    assert client.post(reverse("report_submit", args=[seed_report.pk]), {"version": "1"}).status_code == 403
    with pytest.raises(PermissionDenied):
        editing.report_save(
            report_id=seed_report.pk, actor=reviewer, data=parsed(data), expected_version=seed_report.version
        )
    assert Report.objects.get(pk=seed_report.pk).version == seed_report.version


def test_a_submitted_report_cannot_be_saved(client, personas, seed_report):
    login(client, personas["accountant_a"])
    data = form_data(client, seed_report)
    Report.objects.filter(pk=seed_report.pk).update(state=Report.State.SUBMITTED)
    response = post_json(client, save_url(seed_report), data)
    assert response.status_code == 409
    assert response.json()["status"] == "locked"
    assert "不能修改" in response.json()["message"]


# ---------------------------------------------------------------- who reaches which URL


def report_urls(report):
    return [
        ("get", reverse("report", args=[report.pk])),
        ("post", reverse("report_score", args=[report.pk])),
        ("post", reverse("report_save", args=[report.pk])),
        ("get", reverse("report_submit", args=[report.pk])),
        ("post", reverse("report_submit", args=[report.pk])),
        ("get", reverse("report_history", args=[report.pk])),
    ]


def test_every_url_under_a_report_is_404_for_another_department(client, personas, seed_report):
    login(client, personas["accountant_a"])
    data = form_data(client, seed_report)
    login(client, personas["accountant_b"])
    for method, url in report_urls(seed_report):
        response = getattr(client, method)(url, data if method == "post" else None)
        assert response.status_code == 404, (method, url, response.status_code)
    assert Report.objects.get(pk=seed_report.pk).version == seed_report.version


def test_anonymous_visitors_are_sent_to_login(client, seed_report):
    for method, url in report_urls(seed_report):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize("persona", ["accountant_a", "reviewer", "admin"])
def test_every_get_url_under_a_report_opens_for_those_who_may_see_it(client, personas, seed_report, persona):
    login(client, personas[persona])
    for method, url in report_urls(seed_report):
        if method == "get" and (persona == "accountant_a" or "submit" not in url):
            assert client.get(url).status_code == 200, (persona, url)


# ---------------------------------------------------------------- submitting


def test_submit_is_refused_while_errors_remain_then_locks_the_report(client, personas, seed_report):
    login(client, personas["accountant_a"])
    submit_url = reverse("report_submit", args=[seed_report.pk])
    page = client.get(submit_url)
    assert page.status_code == 200
    assert "修正后才能送审" in page.content.decode()
    response = client.post(submit_url, {"version": seed_report.version}, follow=True)
    assert "报告还有" in response.content.decode()
    assert Report.objects.get(pk=seed_report.pk).state == Report.State.DRAFT

    # fix the seed's own errors through the form
    data = form_data(client, seed_report)
    set_row(data, "服务对象满意度", actual_text="85")
    data["narrative_4"] = "（四）部门资金情况：预算执行情况见自评表。"
    response = post_json(client, save_url(seed_report), data)
    assert response.status_code == 200, response.content
    report = Report.objects.get(pk=seed_report.pk)
    errors = list(ReportFinding.objects.filter(report=report, severity="error").values_list("message", flat=True))
    assert errors == []
    page = client.get(submit_url).content.decode()
    assert "确认送审" in page and "送审前请确认以下" in page  # the warnings are listed
    response = client.post(submit_url, {"version": report.version}, follow=True)
    assert response.status_code == 200
    report = Report.objects.get(pk=seed_report.pk)
    assert report.state == Report.State.SUBMITTED
    assert ReportEvent.objects.filter(report=report, kind="transition", action="submit").exists()
    assert response.context["editable"] is False
    assert post_json(client, save_url(seed_report), data).status_code == 409


def test_applying_the_unchanged_form_changes_nothing(seed_report):
    from reports.interchange.store import budget_lines
    from reports.web.report.forms import form_initial

    report = report_queryset().get(pk=seed_report.pk)
    before = report_to_document(report)
    shown = ReportForm(initial=form_initial(report, budget_lines(report)))
    posted = ReportForm(dict(shown.raw))
    assert posted.is_valid(), posted.errors_by_name()
    editing.report_apply(report=report, data=posted.data())
    assert history.diff_documents(before, report_to_document(report)) == []


def test_a_30_digit_actual_is_a_field_error_on_save_and_on_live_score(client, personas, seed_report):
    login(client, personas["accountant_a"])
    data = form_data(client, seed_report)
    i = set_row(data, "服务社区数量", actual_text="9" * 30 + "个")
    before = counts(seed_report)
    response = post_json(client, save_url(seed_report), data)
    assert response.status_code == 400
    assert response.json()["errors"][f"ind-{i}-actual_text"] == ["数值过大。"]
    # The live score scores what is usable and names the field (as for every invalid input).
    response = post_json(client, reverse("report_score", args=[seed_report.pk]), data)
    assert response.status_code == 200
    assert response.json()["errors"][f"ind-{i}-actual_text"] == ["数值过大。"]
    assert Report.objects.get(pk=seed_report.pk).version == seed_report.version
    assert counts(seed_report) == before
