"""The department's entry page and the bureau's round-wide view: what each persona sees and may do."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from departments.models import Department, Role
from reports.models import MonitoringEntry, MonitoringRow, Report, ReportIndicator
from tests.conftest import make_user


def entry_url(point, report) -> str:
    return reverse("monitoring:entry", args=[point.pk, report.pk])


def page_form(point, report, **changes) -> dict:
    """The entry form as the page posts it, with what is stored, then `changes` by level3 or name."""
    ids = dict(ReportIndicator.objects.filter(report=report).values_list("level3", "pk"))
    kinds = dict(ReportIndicator.objects.filter(report=report).values_list("pk", "kind"))
    entry = MonitoringEntry.objects.filter(point=point, report=report).first()
    stored = {r.indicator_id: r for r in entry.rows.all()} if entry else {}
    data = {"budget_executed": "" if entry is None or entry.budget_executed is None else str(entry.budget_executed)}
    data["version"] = str(entry.version) if entry else "0"
    for pk, kind in kinds.items():
        row = stored.get(pk)
        if kind == "quantitative":
            data[f"actual-{pk}"] = row.actual_text if row else ""
        elif row and row.at_risk:
            data[f"risk-{pk}"] = "on"
        data[f"note-{pk}"] = row.note if row else ""
    for key, value in changes.items():
        name, _, field = key.partition("__")
        if name in ids:
            data[f"{field or 'actual'}-{ids[name]}"] = value
        else:
            data[key] = value
    return {k: v for k, v in data.items() if v is not None}


def lights_of(html: str) -> dict[str, str]:
    """level3 -> the colour of its light, from the rows of the entry page."""
    out = {}
    for row in re.findall(r'<tr data-row="\d+".*?</tr>', html, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        out[re.sub("<[^>]+>", "", cells[1]).strip()] = re.search(r'class="light light-(\w+)"', row).group(1)
    return out


def test_the_seed_entry_page_shows_lights_explanations_and_the_legend(client, people, point, seed):
    client.force_login(people["accountant_a"])
    html = client.get(entry_url(point, seed)).content.decode()
    lit = lights_of(html)
    assert lit["部门绩效评价完成率"] == "red"
    assert lit["绩效监控完成率"] == "yellow"
    assert lit["服务社区数量"] == "green"
    assert lit["管理制度健全性"] == "yellow"  # qualitative, a risk stated
    assert lit["工作任务科学性"] == "grey"
    assert lit["服务对象满意度"] == "grey"  # not entered
    assert 'data-light="budget">绿灯' in html
    assert "完成 20% ÷ 指标值 =100% = 20.00%，低于 25%（预期进度 50% − 25），红灯" in html
    assert "不低于 40% 为绿灯，低于 40% 但不低于 25% 为黄灯" in html  # the legend, with the rule set's margins
    assert 'name="csrfmiddlewaretoken"' in html and 'name="budget_executed"' in html


def test_the_lights_explain_themselves_in_english(client, people, point, seed, settings):
    client.force_login(people["accountant_a"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(entry_url(point, seed)).content.decode()
    assert (
        "Actual 20% ÷ target =100% = 20.00%: below 25% (expected progress 50% − 25): red" in html
    )  # fmt: skip
    assert "预期进度" not in html and "不亮灯" not in html  # no light is left in the engine's Chinese


def test_the_accountant_saves_and_the_light_follows(client, people, point, seed):
    client.force_login(people["accountant_a"])
    response = client.post(
        entry_url(point, seed), page_form(point, seed, 部门绩效评价完成率="45%", budget_executed="100")
    )
    assert response.status_code == 302 and response.url == entry_url(point, seed)
    entry = MonitoringEntry.objects.get(point=point, report=seed)
    assert entry.budget_executed == D("100")
    row = entry.rows.get(indicator__level3="部门绩效评价完成率")
    assert (row.actual_text, row.actual) == ("45%", D("45"))
    html = client.get(entry_url(point, seed)).content.decode()
    assert lights_of(html)["部门绩效评价完成率"] == "green"
    assert 'data-light="budget">红灯' in html  # 100 of 477.48 = 20.94 %
    assert "已保存运行监控数据。" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"服务社区数量": "≥20个"}, "服务社区数量", "请填写截至监控日实际完成的数值，不带比较符号。"),
        ({"服务社区数量": "二十个"}, "服务社区数量", "请填写数值，例如 48 或 48%。"),
        ({"服务社区数量": "1" * 19}, "服务社区数量", "数值过大。"),
        ({"budget_executed": "-5"}, "budget_executed", "预算执行数不能为负数。"),
        ({"budget_executed": "一百"}, "budget_executed", "“一百”不是数字。"),
        ({"工作任务科学性__risk": "on"}, "工作任务科学性", "标记存在风险时请填写情况说明。"),
    ],
)
def test_bad_input_is_refused_at_its_field_and_nothing_is_saved(client, people, point, seed, changes, field, message):
    before = list(MonitoringRow.objects.order_by("pk").values()), list(MonitoringEntry.objects.order_by("pk").values())
    client.force_login(people["accountant_a"])
    # a valid change beside the bad one must not be saved either
    response = client.post(entry_url(point, seed), page_form(point, seed, 绩效自评完成率="80%", **changes))
    assert response.status_code == 200
    form = response.context["form"]
    if field == "budget_executed":
        assert form.errors["budget_executed"] == [message]
    else:
        pk = ReportIndicator.objects.get(report=seed, level3=field).pk
        name = f"note-{pk}" if "__risk" in next(iter(changes)) else f"actual-{pk}"
        assert form.errors[name] == [message]
    html = response.content.decode()
    assert message in html
    assert 'value="80%"' in html  # what was typed is shown again
    after = list(MonitoringRow.objects.order_by("pk").values()), list(MonitoringEntry.objects.order_by("pk").values())
    assert after == before


def test_the_reviewer_reads_but_cannot_edit(client, people, point, seed):
    client.force_login(people["reviewer"])
    html = client.get(entry_url(point, seed)).content.decode()
    assert "只有本部门填报人可以修改，以下为只读。" in html
    assert 'name="budget_executed"' not in html and "<textarea" not in html
    assert lights_of(html)["部门绩效评价完成率"] == "red"
    before = list(MonitoringRow.objects.order_by("pk").values())
    assert client.post(entry_url(point, seed), page_form(point, seed, 部门绩效评价完成率="90%")).status_code == 403
    assert list(MonitoringRow.objects.order_by("pk").values()) == before


def test_another_departments_report_is_a_404(client, people, point, seed):
    client.force_login(people["accountant_b"])
    assert client.get(entry_url(point, seed)).status_code == 404
    assert client.post(entry_url(point, seed), page_form(point, seed, 部门绩效评价完成率="90%")).status_code == 404
    assert MonitoringEntry.objects.get(point=point, report=seed).rows.get(
        indicator__level3="部门绩效评价完成率"
    ).actual == D("20")


def test_a_closed_point_is_read_only(client, people, point, seed):
    point.is_open = False
    point.save()
    client.force_login(people["accountant_a"])
    html = client.get(entry_url(point, seed)).content.decode()
    assert "该监控点已结束填报，以下为只读。" in html and 'name="budget_executed"' not in html
    assert client.post(entry_url(point, seed), page_form(point, seed, 部门绩效评价完成率="90%")).status_code == 403


def test_a_post_without_the_csrf_token_is_refused(people, point, seed):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["accountant_a"])
    assert client.post(entry_url(point, seed), page_form(point, seed, 部门绩效评价完成率="90%")).status_code == 403
    assert MonitoringEntry.objects.get(point=point, report=seed).rows.get(
        indicator__level3="部门绩效评价完成率"
    ).actual == D("20")


def test_the_round_view_lists_departments_red_first(client, people, point):
    client.force_login(people["reviewer"])
    response = client.get(reverse("monitoring:round", args=[point.pk]))
    html = response.content.decode()
    order = re.findall(r'data-department="(\d+)"', html)
    # 司法局 (budget and rows red), the seed (one red row), 卫健委 (yellow), 教育局 (green), then nothing entered
    assert order[:4] == ["208001", "101001", "202001", "201001"]
    assert set(order[4:]) == {"203001", "204001", "205001", "206001", "207001"}
    assert order[4:] == sorted(order[4:])
    tally = dict(re.findall(r'data-tally="(\w+)">[^<]*?(\d+)</span>', html))
    assert tally == {"red": "2", "yellow": "1", "green": "1", "grey": "5"}
    seed_row = re.search(r'<tr data-department="101001">.*?</tr>', html, re.S).group(0)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", seed_row, re.S)]
    assert cells[1] == "红灯" and cells[2].startswith("绿灯") and "42.93%" in cells[2]
    assert cells[3:7] == ["1", "2", "3", "18"]


@pytest.mark.parametrize("who", ["accountant_a", "accountant_b"])
def test_the_round_view_is_the_bureaus(client, people, point, who):
    client.force_login(people[who])
    assert client.get(reverse("monitoring:round", args=[point.pk])).status_code == 403


def test_the_index_lists_the_point_for_each_persona(client, people, point, seed):
    client.force_login(people["accountant_a"])
    html = client.get(reverse("monitoring:index")).content.decode()
    assert entry_url(point, seed) in html
    assert f'href="{reverse("monitoring:round", args=[point.pk])}"' not in html
    client.force_login(people["reviewer"])
    html = client.get(reverse("monitoring:index")).content.decode()
    assert f'href="{reverse("monitoring:round", args=[point.pk])}"' in html


def test_a_reviewer_of_some_departments_sees_only_those(client, point, seed):
    reviewer = make_user("m_rev_202", Role.Kind.REVIEWER, Department.objects.get(code="202001"))
    client.force_login(reviewer)
    html = client.get(reverse("monitoring:round", args=[point.pk])).content.decode()
    assert re.findall(r'data-department="(\d+)"', html) == ["202001"]
    assert client.get(entry_url(point, seed)).status_code == 404
    other = Report.objects.get(round=point.round, department__code="202001")
    assert client.get(entry_url(point, other)).status_code == 200


def test_a_stale_page_is_told_and_the_colleagues_save_kept(client, people, point, seed):
    client.force_login(people["accountant_a"])
    stale = page_form(point, seed, 服务社区数量="19个")
    stale["version"] = str(MonitoringEntry.objects.get(point=point, report=seed).version)
    assert client.post(entry_url(point, seed), {**stale, "budget_executed": "230"}).status_code == 302
    response = client.post(entry_url(point, seed), {**stale, "budget_executed": "1"})
    assert response.status_code == 200
    assert "运行监控数据已被他人修改" in response.content.decode()
    assert MonitoringEntry.objects.get(point=point, report=seed).budget_executed == D("230")
