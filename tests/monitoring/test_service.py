"""monitoring_entry_save: what it writes, and that a refusal writes nothing."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from departments.models import Role
from reports.models import MonitoringEntry, MonitoringRow, Report, ReportEvent, ReportIndicator
from reports.services.monitoring import MonitoringConflict, RowInput, monitoring_entry_save
from tests.conftest import make_user


def _rows(report, **by_level3):
    ids = dict(ReportIndicator.objects.filter(report=report).values_list("level3", "pk"))
    return {ids[name]: given for name, given in by_level3.items()}


def _snapshot(report):
    return (
        list(MonitoringEntry.objects.order_by("pk").values_list("pk", "report_id", "budget_executed")),
        list(MonitoringRow.objects.order_by("pk").values_list("pk", "indicator_id", "actual_text", "actual", "note")),
        ReportEvent.objects.count(),
        Report.objects.filter(pk=report.pk).values_list("version", "updated_at").get(),
    )


def test_a_department_without_an_entry_gets_one_with_the_rows_given(people, point):
    report = Report.objects.get(round=point.round, department__code="203001")  # no demo entry
    accountant_c = make_user("m_acct_c", Role.Kind.ACCOUNTANT, report.department)
    events = ReportEvent.objects.count()
    others = list(MonitoringRow.objects.order_by("pk").values()), list(MonitoringEntry.objects.order_by("pk").values())
    entry = monitoring_entry_save(
        point=point,
        report=report,
        actor=accountant_c,
        budget_executed=D("700.5"),
        rows=_rows(
            report,
            服务社区数量=RowInput("20个", D("20")),
            预算执行率=RowInput(),  # blank: no row written
            管理制度健全性=RowInput(at_risk=True, note="制度修订滞后"),
        ),
    )
    assert (entry.budget_executed, entry.updated_by) == (D("700.5"), accountant_c)
    rows = {
        r.indicator.level3: (r.actual_text, r.actual, r.at_risk, r.note) for r in entry.rows.select_related("indicator")
    }
    assert rows == {"服务社区数量": ("20个", D("20"), False, ""), "管理制度健全性": ("", None, True, "制度修订滞后")}
    assert MonitoringEntry.objects.filter(report=report).count() == 1
    # nothing else written: the other entries and rows are as they were
    assert list(MonitoringRow.objects.exclude(entry=entry).order_by("pk").values()) == others[0]
    assert list(MonitoringEntry.objects.exclude(pk=entry.pk).order_by("pk").values()) == others[1]
    assert ReportEvent.objects.count() == events  # the self-evaluation's history is not touched


def test_a_second_save_updates_in_place(people, point, seed):
    ids = dict(ReportIndicator.objects.filter(report=seed).values_list("level3", "pk"))
    entry = MonitoringEntry.objects.get(point=point, report=seed)
    before = {r.indicator_id: r.pk for r in entry.rows.all()}
    rows = _rows(seed, 服务社区数量=RowInput("25个", D("25")), 部门绩效评价完成率=RowInput())
    monitoring_entry_save(point=point, report=seed, actor=people["accountant_a"], budget_executed=None, rows=rows)
    entry.refresh_from_db()
    assert entry.budget_executed is None
    after = {r.indicator_id: r for r in entry.rows.all()}
    assert {i: r.pk for i, r in after.items()} == before  # no row added or removed
    served = after[ids["服务社区数量"]]
    assert (served.actual_text, served.actual) == ("25个", D("25"))
    cleared = after[ids["部门绩效评价完成率"]]
    assert (cleared.actual_text, cleared.actual, cleared.note) == ("", None, "")  # cleared, same row
    untouched = after[ids["绩效监控完成率"]]  # not given: as it was
    assert (untouched.actual_text, untouched.note) == ("35%", "二季度监控表正在汇总。")


@pytest.mark.parametrize("who", ["reviewer", "admin", "accountant_b"])
def test_only_the_departments_accountant_saves(people, point, seed, who):
    before = _snapshot(seed)
    with pytest.raises(PermissionDenied):
        monitoring_entry_save(
            point=point,
            report=seed,
            actor=people[who],
            budget_executed=D("1"),
            rows=_rows(seed, 服务社区数量=RowInput("1", D("1"))),
        )
    assert _snapshot(seed) == before


def test_a_closed_point_refuses_and_writes_nothing(people, point, seed):
    point.is_open = False
    point.save()
    before = _snapshot(seed)
    with pytest.raises(ValidationError, match="已结束填报"):
        monitoring_entry_save(point=point, report=seed, actor=people["accountant_a"], budget_executed=D("1"), rows={})
    assert _snapshot(seed) == before


def test_a_row_of_another_report_refuses_and_writes_nothing(people, point, seed):
    other = Report.objects.get(round=point.round, department__code="201001")
    before = _snapshot(seed)
    with pytest.raises(ValidationError, match="不属于该报告"):
        monitoring_entry_save(
            point=point,
            report=seed,
            actor=people["accountant_a"],
            budget_executed=D("1"),
            rows={
                **_rows(seed, 服务社区数量=RowInput("2", D("2"))),
                **_rows(other, 服务社区数量=RowInput("3", D("3"))),
            },
        )
    assert _snapshot(seed) == before


def test_a_save_from_a_stale_page_refuses_and_writes_nothing(people, point, seed):
    entry = MonitoringEntry.objects.get(point=point, report=seed)
    shown = entry.version
    rows = _rows(seed, 服务社区数量=RowInput("30个", D("30")))
    monitoring_entry_save(
        point=point, report=seed, actor=people["accountant_a"], budget_executed=D("210"), rows=rows, version=shown
    )
    assert MonitoringEntry.objects.get(pk=entry.pk).version == shown + 1
    before = _snapshot(seed)
    with pytest.raises(MonitoringConflict, match="已被他人修改"):  # a colleague's page, opened before that save
        monitoring_entry_save(
            point=point,
            report=seed,
            actor=people["accountant_a"],
            budget_executed=D("1"),
            rows=_rows(seed, 服务社区数量=RowInput("1", D("1"))),
            version=shown,
        )
    assert _snapshot(seed) == before
