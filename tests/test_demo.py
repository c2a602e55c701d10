"""The demo reproduces the seed report as published, figure for figure."""

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from departments.models import BudgetLine, Department
from reports.models import Report, ReportEvent, Round

D = Decimal
SEED = json.loads((Path(__file__).parent / "data" / "seed_expected.json").read_text(encoding="utf-8"))

pytestmark = pytest.mark.django_db


def test_seed_budget_block(seed_report):
    lines = {line.row: line for line in BudgetLine.objects.filter(department=seed_report.department, year=2021)}
    assert (lines["total"].initial, lines["total"].annual, lines["total"].executed) == (
        D("477.48"),
        D("477.48"),
        D("451.06"),
    )
    assert (lines["fiscal"].annual, lines["fiscal"].executed) == (D("477.48"), D("451.06"))
    assert (lines["other"].initial, lines["other"].annual, lines["other"].executed) == (None, None, None)
    assert (lines["basic"].annual, lines["basic"].executed) == (D("134.48"), D("135.35"))
    assert (lines["project"].annual, lines["project"].executed) == (D("343"), D("315.71"))
    assert lines["total"].rate_text == "94.50%"
    assert len(lines) == 5


def test_seed_tasks(seed_report):
    tasks = [(t.name, t.budget, t.executed) for t in seed_report.tasks.all()]
    assert tasks == [
        ("机关运行", D("134.48"), D("135.35")),
        ("城乡社区服务群众专项工作", D("340.00"), D("313.91")),
        ("社区发展治理工作", D("3.00"), D("1.80")),
    ]
    assert seed_report.tasks.get(name="社区发展治理工作").rate_text == "59.93%"


def test_seed_weights(seed_report):
    template = seed_report.round.template
    assert template.execution_weight == D("10")
    level1 = {n.name: n.weight for n in template.level1_nodes.all() if n.applicable}
    assert level1 == {"投入管理指标": D("40"), "产出指标": D("30"), "效益指标": D("20")}
    rows = list(seed_report.indicators.all())
    assert sum(r.weight for r in rows) == D("90")
    by_level1 = {}
    for r in rows:
        by_level1[r.level1] = by_level1.get(r.level1, D("0")) + r.weight
    assert by_level1 == level1


def test_seed_indicator_rows_as_published(seed_report):
    rows = list(seed_report.indicators.order_by("order"))
    assert len(rows) == 24 == len(SEED["indicators"])
    for row, published in zip(rows, SEED["indicators"], strict=True):
        assert (row.level1, row.level2, row.level3) == (
            published["level1"],
            published["level2"],
            published["level3"],
        )
        assert row.target_text == published["target"]
        assert row.unit == published["unit"]
        assert row.actual_text == published["actual"]
        assert row.weight == D(published["weight"])
        assert row.self_score == D(published["score"])
        assert row.reason == published["reason"]
        assert row.template_indicator_id is not None


def test_seed_header_and_narrative(seed_report):
    assert seed_report.department.name == "中国共产党郑州市上街区委委员会城乡社区发展治理委员会"
    assert seed_report.department.short_name == "中共上街区委社治委"
    assert seed_report.declared_total == D("99.34")
    assert seed_report.declared_grade == "优"
    assert seed_report.goal.startswith("(一)贯彻执行党中央")
    assert "三个广场建设已建成2处" in seed_report.goal_completion
    for key, fragment in SEED["narrative_fragments"].items():
        assert fragment in getattr(seed_report, f"narrative_{key}"), key
    assert seed_report.state == Report.State.DRAFT


def test_demo_has_every_state_and_grade(demo):
    reports = Report.objects.filter(round=demo.round)
    assert reports.count() == 9
    assert set(reports.values_list("state", flat=True)) == {s.value for s in Report.State}
    assert {"优", "良", "中", "差"} <= set(reports.values_list("grade", flat=True))
    returned = reports.get(state=Report.State.RETURNED)
    assert returned.events.filter(kind=ReportEvent.Kind.TRANSITION, to_state="returned").exists()


def test_load_demo_is_idempotent(db):
    def counts():
        return (
            Department.objects.count(),
            Report.objects.count(),
            Round.objects.count(),
            ReportEvent.objects.count(),
        )

    call_command("load_demo", stdout=io.StringIO())
    first = counts()
    assert first[2] == 2  # 2021, and 2020 for year over year
    # Both rounds have approved reports: their configuration is locked, as submitting locks it.
    assert all(r.template.locked and r.rule_set.locked for r in Round.objects.select_related("template", "rule_set"))
    call_command("load_demo", stdout=io.StringIO())
    assert counts() == first


def test_load_demo_prints_logins(db, capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    for username in ("admin", "reviewer", "accountant", "accountant2"):
        assert username in out
    assert "perfeval-demo" in out


def test_load_demo_queues_the_archive_pdfs_approval_would_have(db, settings):
    """make run shows published reports with their PDFs; each is queued once, however often it runs."""
    from reports.models import ReportRender

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    call_command("load_demo", "--archives", "--no-history", stdout=io.StringIO())
    final = Report.objects.filter(state__in=("approved", "published"))
    queued = ReportRender.objects.filter(purpose=ReportRender.Purpose.ARCHIVE, status=ReportRender.Status.QUEUED)
    assert final.count() == 4
    assert sorted(queued.values_list("report_id", flat=True)) == sorted(final.values_list("pk", flat=True))
    out = io.StringIO()
    call_command("load_demo", "--archives", "--no-history", stdout=out)
    assert "archive PDFs queued: 0" in out.getvalue()
    assert queued.count() == 4
