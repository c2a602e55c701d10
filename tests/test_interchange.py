"""perfeval.report/1: export, import (all or nothing) and scoring a file without the database."""

import copy
import json
import os
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from reports.interchange.document import DocumentError
from reports.interchange.store import report_import, report_queryset, report_to_document
from reports.models import Report, ReportEvent, ReportFinding, ReportIndicator, ReportTask

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def export(tmp_path, name="seed.json") -> Path:
    out = tmp_path / name
    call_command("export_report", "--department", "101001", "--year", "2021", "-o", str(out))
    return out


def score_json(path: Path, env_extra=None) -> dict:
    # A database that cannot exist: score_report must not need one.
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none", **(env_extra or {})}
    proc = subprocess.run(
        [sys.executable, "manage.py", "score_report", str(path), "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_seed_exported_and_scored_by_its_own_rules(seed_report, tmp_path):
    result = score_json(export(tmp_path))
    assert result["execution_score"] == "9.45"
    level1 = {r["name"]: r for r in result["level1"]}
    assert (level1["投入管理指标"]["score"], level1["投入管理指标"]["self_score"]) == ("39.99", "39.89")
    assert level1["产出指标"]["score"] == "30"
    assert level1["效益指标"]["score"] == "20"
    assert (result["total"], result["self_total"], result["grade"]) == ("99.44", "99.34", "优")
    row = next(r for r in result["rows"] if r["level3"] == "预算执行率")
    assert (row["score"], row["self_score"]) == ("1.99", "1.89")
    assert "94.5 ÷ 95 × 2 = 1.99" in row["explanation"]

    found = {(f["code"], f["where"]) for f in result["findings"]}
    expected = {
        "S1": ("narrative.unit_yuan", "narrative.4"),
        "S2": ("narrative.rate_differs", "narrative.4"),
        "S3": ("narrative.count_differs", "narrative.4"),
        "S4": ("score.differs", "indicators[14]"),
        "S5": ("template.duplicate_measure", "indicators[14]"),
        "S6": ("unit.suspicious", "indicators[18]"),
        "S7": ("rate.printed_differs", "tasks[2]"),
        "S8": ("budget.over_executed", "budget.basic"),
        "S8b": ("rate.printed_differs", "tasks[0]"),
        "S9": ("rate.printed_differs", "budget.total"),
        "S10": ("template.weight_moved", "template.可持续性指标"),
        "S11": ("actual.not_measured", "indicators[23]"),
    }
    missing = {sid: key for sid, key in expected.items() if key not in found}
    assert not missing, missing
    messages = " ".join(f["message"] for f in result["findings"])
    assert "4774760.72" in messages and "477.48" in messages  # S1 names both figures
    assert "12" in messages and "2处" in messages  # S3


def test_import_stores_scores_and_findings(seed_report):
    seed_report.refresh_from_db()
    assert (seed_report.rule_total, seed_report.self_total, seed_report.grade) == (
        Decimal("99.44"),
        Decimal("99.34"),
        "优",
    )
    assert seed_report.execution_score == Decimal("9.45")
    assert {r["name"]: r["score"] for r in seed_report.level1_scores}["投入管理指标"] == "39.99"
    assert seed_report.error_count == ReportFinding.objects.filter(report=seed_report, severity="error").count() > 0


def test_figures_change_rescores(seed_report, tmp_path):
    doc = json.loads(export(tmp_path).read_text(encoding="utf-8"))
    row = next(r for r in doc["indicators"] if r["level3"] == "服务社区数量")
    row["actual"], row["actual_text"], row["reason"] = "30", "30个", "部分社区未纳入"
    report_import(document=doc)
    seed_report.refresh_from_db()
    # 30 / 41 × 30 = 21.95; 99.44 − 30 + 21.95 = 91.39
    assert seed_report.rule_total == Decimal("91.39")


def test_export_import_export_is_the_same_document(seed_report, tmp_path):
    first = export(tmp_path, "first.json")
    call_command("import_report", str(first))
    second = export(tmp_path, "second.json")
    assert json.loads(first.read_text(encoding="utf-8")) == json.loads(second.read_text(encoding="utf-8"))


def snapshot():
    return (
        list(Report.objects.order_by("pk").values_list("pk", "version", "rule_total", "goal")),
        ReportTask.objects.count(),
        list(ReportIndicator.objects.order_by("pk").values_list("pk", "actual", "self_score")),
        ReportEvent.objects.count(),
    )


def bad_documents(doc):
    def mutate(fn):
        d = copy.deepcopy(doc)
        fn(d)
        return json.dumps(d, ensure_ascii=False)

    def boolean_for_a_number(d):
        d["indicators"][3]["weight"] = True

    def beyond_its_column(d):
        d["indicators"][5]["weight"] = "123456789"

    def not_a_number(d):
        d["indicators"][14]["actual"] = "九十四点五"

    def unknown_department(d):
        d["department"]["code"] = "999999"

    def wrong_type(d):
        d["tasks"] = {"name": "机关运行"}

    return {
        "bad json": ('{"format": "perfeval.report/1", "year": 2021,', "JSON 格式错误"),
        "a boolean for a number": (mutate(boolean_for_a_number), "indicators › 第 4 行 › weight：“True”不是数字"),
        "beyond its column": (mutate(beyond_its_column), "indicators › 第 6 行 › weight"),
        "not a number": (mutate(not_a_number), "indicators › 第 15 行 › actual：“九十四点五”不是数字"),
        "unknown department": (mutate(unknown_department), "999999"),
        "wrong type": (mutate(wrong_type), "tasks"),
    }


def test_import_refuses_malformed_files_and_writes_nothing(seed_report, tmp_path):
    doc = json.loads(export(tmp_path).read_text(encoding="utf-8"))
    # Make the stored report differ from the file so that a partial write would show.
    doc["header"]["goal"] = "changed by the file"
    before = snapshot()
    for name, (text, expected) in bad_documents(doc).items():
        path = tmp_path / f"bad-{name}.json"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(CommandError) as excinfo:
            call_command("import_report", str(path))
        assert "未写入任何数据" in str(excinfo.value), name
        assert expected in str(excinfo.value), (name, str(excinfo.value))
        assert snapshot() == before, name


def test_import_refuses_a_report_that_is_no_longer_a_draft(seed_report, tmp_path):
    doc = json.loads(export(tmp_path).read_text(encoding="utf-8"))
    Report.objects.filter(pk=seed_report.pk).update(state=Report.State.SUBMITTED)
    before = snapshot()
    with pytest.raises(DocumentError) as excinfo:
        report_import(document=doc)
    assert "已送审" in str(excinfo.value)
    assert snapshot() == before


def test_import_in_yuan_is_stored_in_wanyuan(seed_report, tmp_path):
    doc = json.loads(export(tmp_path).read_text(encoding="utf-8"))
    doc["budget"]["unit"] = "元"
    for row in doc["budget"]["rows"]:
        for key in ("initial", "annual", "executed"):
            if row[key] is not None:
                row[key] = str(Decimal(row[key]) * 10000)
    for task in doc["tasks"]:
        for key in ("budget", "budget_fiscal", "executed", "executed_fiscal"):
            task[key] = str(Decimal(task[key]) * 10000)
    report_import(document=doc)
    report = report_queryset().get(pk=seed_report.pk)
    assert report_to_document(report)["budget"]["rows"][0]["annual"] == "477.48"
    assert report.tasks.all()[2].executed == Decimal("1.80")


def test_score_report_text_output(seed_report, tmp_path):
    path = export(tmp_path)
    proc = subprocess.run(
        [sys.executable, "manage.py", "score_report", str(path)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "总分（按规则） 99.44 优；自评合计 99.34 优" in proc.stdout


def test_score_report_refuses_a_malformed_file(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("[1, 2", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "manage.py", "score_report", str(path), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "JSON 格式错误" in proc.stderr


def hostile_documents(doc: dict) -> dict:
    """(file text, expected message) of documents whose numbers or nesting no parser should meet raw."""
    text = json.dumps(doc, ensure_ascii=False)
    weight = json.dumps(doc["indicators"][0]["weight"])
    return {
        "100,000-digit integer": (text.replace(f'"weight": {weight}', '"weight": ' + "9" * 100_000, 1), "位数过多"),
        "200k-deep nesting": (text[:-1] + ', "x": ' + "[" * 200_000 + "]" * 200_000 + "}", "嵌套过深"),
        "30-digit actual": (
            text.replace('"actual": "41"', '"actual": "' + "9" * 30 + '"', 1),
            "超出可保存的范围",
        ),
    }


def run_command(*args):
    env = {**os.environ}
    proc = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    return proc


def test_hostile_json_is_a_clear_error_in_both_commands(seed_report, tmp_path):
    doc = json.loads(export(tmp_path).read_text(encoding="utf-8"))
    assert '"actual": "41"' in json.dumps(doc, ensure_ascii=False)
    before = snapshot()
    for name, (text, expected) in hostile_documents(doc).items():
        path = tmp_path / "hostile.json"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(CommandError) as excinfo:
            call_command("import_report", str(path))
        assert expected in str(excinfo.value), (name, str(excinfo.value)[:300])
        assert snapshot() == before, name
        proc = run_command("score_report", str(path), "--json")
        assert "Traceback" not in proc.stderr, (name, proc.stderr[-500:])
        if name == "30-digit actual":
            # Storable nowhere, but a file to check: scored with the figure blank, and said.
            assert proc.returncode == 0, (name, proc.stderr[-500:])
            row = next(i for i, r in enumerate(doc["indicators"]) if r["actual"] == "41")
            found = {(f["code"], f["where"]) for f in json.loads(proc.stdout)["findings"]}
            assert ("value.invalid", f"indicators[{row}]") in found, found
            continue
        assert proc.returncode == 1 and expected in proc.stderr, (name, proc.stderr[-500:])


def test_import_keeps_a_table_whose_weights_do_not_add_up_as_a_draft_with_its_errors(seed_report, tmp_path):
    doc = json.loads(export(tmp_path).read_text(encoding="utf-8"))
    doc["indicators"][0]["weight"] = "3"  # 投入管理: 42 where 40 is declared
    del doc["indicators"][-1]  # a row cut off: 效益 loses its 10 points
    path = tmp_path / "off.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    out = StringIO()
    call_command("import_report", str(path), stdout=out)
    report = Report.objects.get(pk=seed_report.pk)
    assert report.state == Report.State.DRAFT and report.indicators.count() == len(doc["indicators"])
    errors = {(f.code, f.where) for f in report.findings.filter(severity="error")}
    assert ("template.weights", "template.投入管理指标") in errors, errors
    assert ("template.weights", "template.效益指标") in errors, errors
    text = out.getvalue()
    assert "修正后才能送审" in text and "投入管理指标 分值 40，其三级指标分值合计 42" in text, text


def test_import_reads_json_numbers_exactly(seed_report, tmp_path):
    text = export(tmp_path).read_text(encoding="utf-8")
    doc = json.loads(text)
    row = next(i for i, r in enumerate(doc["indicators"]) if r["level3"] == "服务社区数量")
    assert doc["indicators"][row]["actual"] == "41"
    text = text.replace('"actual": "41"', '"actual": 40.1', 1)
    path = tmp_path / "numbers.json"
    path.write_text(text, encoding="utf-8")
    call_command("import_report", str(path), stdout=StringIO())
    stored = ReportIndicator.objects.get(report=seed_report, order=row)
    assert stored.actual == Decimal("40.1")  # exactly, not 40.100000000000001
