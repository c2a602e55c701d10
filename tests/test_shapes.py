"""Tables of other shapes than the seed's (tests/data/shapes): flat lists, 2 levels, merged cells,
nulls, weights cut off. Each has hand-computed scores and findings beside it (<name>.expected.json).

`score_report` reads them with no database (a query here would fail the test); `import_report`
stores each as a draft with its errors shown, or refuses, naming the row, what cannot be stored.
"""

import copy
import datetime
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from departments.models import Department
from indicators import engine
from reports.interchange.document import DocumentError, fill_levels, mark_levels, to_engine_input, validate_lenient
from reports.interchange.store import report_import, report_to_document, round_create_from_document
from reports.models import Report

SHAPES = Path(__file__).parent / "data" / "shapes"
NAMES = sorted(p.name.removesuffix(".expected.json") for p in SHAPES.glob("*.expected.json"))
STORABLE = [n for n in NAMES if n != "messy"]  # messy holds non-numbers in number fields


def shape(name: str) -> tuple[dict, dict]:
    doc = json.loads((SHAPES / f"{name}.json").read_text(encoding="utf-8"))
    expected = json.loads((SHAPES / f"{name}.expected.json").read_text(encoding="utf-8"))
    return doc, expected


def scored(name: str) -> dict:
    out = StringIO()
    call_command("score_report", str(SHAPES / f"{name}.json"), "--json", stdout=out)
    return json.loads(out.getvalue())


def test_at_least_five_shapes_besides_the_seed():
    assert len(NAMES) >= 5, NAMES


@pytest.mark.parametrize("name", NAMES)
def test_score_report_prints_the_hand_computed_scores(name):
    _doc, expected = shape(name)
    result = scored(name)
    assert result["execution_score"] == expected["execution_score"]
    assert {r["name"]: r["score"] for r in result["level1"]} == expected["level1"]
    assert [r["score"] for r in result["rows"]] == expected["rows"]
    if "level2" in expected:
        assert {f"{r['level1']}|{r['name']}": r["score"] for r in result["level2"]} == expected["level2"]
    assert (result["total"], result["grade"]) == (expected["total"], expected["grade"])
    found = [[f["code"], f["where"]] for f in result["findings"]]
    missing = [f for f in expected["findings"] if f not in found]
    assert not missing, (missing, found)
    codes = {f["code"] for f in result["findings"]}
    assert not codes & set(expected["absent"]), codes & set(expected["absent"])
    if not expected["findings"]:
        assert not [f for f in result["findings"] if f["severity"] == "error"], result["findings"]


def test_score_report_text_names_the_group_without_a_level1_label():
    out = StringIO()
    call_command("score_report", str(SHAPES / "merged_leading.json"), stdout=out)
    text = out.getvalue()
    assert "（无一级指标）  分值 20  规则得分 20" in text
    assert "总分（按规则） 97.19 优" in text
    assert scored("merged_leading")["total_explanation"].startswith(
        "总分 = 预算执行率 10 + （无一级指标） 20 + 产出指标 37.41 + 效益指标 29.78 = 97.19"
    )
    out = StringIO()
    call_command("score_report", str(SHAPES / "messy.json"), stdout=out)
    # Blank figures are shown as such, not as Python's None; the row named at level 2 is named so.
    assert "None" not in out.getvalue()
    assert "保洁质量达标：—" in out.getvalue()


def test_merged_cells_are_filled_down_only_within_their_block():
    rows = fill_levels(
        [
            {"level3": "a"},
            {"level1": "产出", "level2": "数量", "level3": "b"},
            {"level1": "", "level2": "", "level3": "c"},
            {"level1": None, "level2": "质量", "level3": "d"},
            {"level1": "效益", "level3": "e"},
            {"level3": "f"},
        ]
    )
    assert [(r["level1"], r["level2"], r["level3"]) for r in rows] == [
        ("", "", "a"),
        ("产出", "数量", "b"),
        ("产出", "数量", "c"),
        ("产出", "质量", "d"),
        ("效益", "", "e"),  # a new level-1 name starts a block: 质量 does not carry over
        ("效益", "", "f"),
    ]


def test_score_report_refuses_only_what_is_not_a_report(tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"format": "other/1", "indicators": []}), encoding="utf-8")
    with pytest.raises(Exception, match=r"perfeval\.report/1"):
        call_command("score_report", str(path), "--json", stdout=StringIO())
    path.write_text(json.dumps({"format": "perfeval.report/1", "indicators": "none"}), encoding="utf-8")
    with pytest.raises(Exception, match="indicators"):
        call_command("score_report", str(path), "--json", stdout=StringIO())
    # Everything else is content: an empty document is scored, with what is missing said.
    path.write_text(json.dumps({"format": "perfeval.report/1"}), encoding="utf-8")
    out = StringIO()
    call_command("score_report", str(path), "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["total"] == "0" and "budget.blank" in {f["code"] for f in result["findings"]}


# ------------------------------------------------------------------ import


def round_for(doc: dict, name: str):
    department = Department.objects.create(code=doc["department"]["code"], name=doc["department"].get("name") or "示例")
    round_ = round_create_from_document(
        document=copy.deepcopy(doc),
        name=f"{name} 自评",
        deadline=datetime.date(2024, 3, 31),
        template_name=f"{name} 模板",
        rules_name=f"{name} 规则",
    )
    round_.departments.add(department)
    return round_


@pytest.mark.django_db
@pytest.mark.parametrize("name", STORABLE)
def test_import_report_stores_each_shape_as_a_draft_scored_as_by_hand(name, tmp_path):
    doc, expected = shape(name)
    round_for(doc, name)
    out = StringIO()
    call_command("import_report", str(SHAPES / f"{name}.json"), stdout=out)
    report = Report.objects.get(department__code=doc["department"]["code"])
    assert report.state == Report.State.DRAFT
    assert (report.rule_total, report.grade) == (Decimal(expected["total"]), expected["grade"])
    errors = {(f.code, f.where) for f in report.findings.filter(severity="error")}
    file_errors = {(f["code"], f["where"]) for f in scored(name)["findings"] if f["severity"] == "error"}
    expected_errors = {tuple(f) for f in expected["findings"]} & file_errors
    assert expected_errors <= errors, (expected_errors, errors)
    assert file_errors <= errors, (file_errors, errors)  # the stored draft shows what the file check found
    if errors:
        assert "修正后才能送审" in out.getvalue()
    # Every row is linked to the template row it came from, levels as the table meant them.
    rows = list(report.indicators.order_by("order"))
    assert all(r.template_indicator_id for r in rows)
    filled = fill_levels([r for r in doc["indicators"] if r is not None])
    assert [(r.level1, r.level2, r.level3) for r in rows] == [(r["level1"], r["level2"], r["level3"]) for r in filled]
    # And exported again, the document scores the same.
    again = engine.score_report(to_engine_input(report_to_document(report)))
    assert str(again.total) == str(report.rule_total)


@pytest.mark.django_db
def test_import_refuses_what_cannot_be_stored_naming_the_rows_and_writes_nothing():
    doc, _expected = shape("messy")
    round_for({**doc, "budget": {"rows": []}, "indicators": []}, "messy")
    with pytest.raises(DocumentError) as excinfo:
        report_import(document=copy.deepcopy(doc))
    assert excinfo.value.errors == [
        "budget › rows › 第 1 行 › executed：“一百”不是数字",
        "indicators › 第 2 行 › self_score：“九十”不是数字",
    ]
    assert not Report.objects.filter(department__code=doc["department"]["code"]).exists()
    unknown = {**doc, "department": {"code": "999999"}}
    unknown["budget"] = {"rows": [{"row": "total", "annual": "100", "executed": "90"}]}
    unknown["indicators"] = [{**r, "self_score": None} for r in doc["indicators"]]
    with pytest.raises(DocumentError, match="999999"):
        report_import(document=unknown)


# ------------------------------------------------------------------ property

TEXT = st.one_of(st.none(), st.text(max_size=6))
NUMBER = st.one_of(
    st.none(),
    st.decimals(min_value=-1000, max_value=10**6, allow_nan=False, places=2).map(str),
    st.integers(-5, 1000),
    st.sampled_from(["", "abc", "1e3", "九十", True]),
)
ROW = st.fixed_dictionaries(
    {},
    optional={
        "level1": st.one_of(st.none(), st.sampled_from(["", "产出", "效益"])),
        "level2": st.one_of(st.none(), st.sampled_from(["", "数量", "质量"])),
        "level3": TEXT,
        "kind": st.one_of(st.none(), st.sampled_from(["quantitative", "qualitative", "定量", "x"])),
        "sign": st.one_of(st.none(), st.sampled_from([">=", "<=", "=", "≥", "约", ""])),
        "target": NUMBER,
        "actual": NUMBER,
        "weight": NUMBER,
        "self_score": NUMBER,
        "tier": st.one_of(st.none(), st.sampled_from(["met", "partial", "unmet", "bad"])),
        "reason": TEXT,
        "applicable": st.one_of(st.none(), st.booleans()),
    },
)
DOCUMENT = st.fixed_dictionaries(
    {"format": st.just("perfeval.report/1")},
    optional={
        "department": st.one_of(st.none(), st.fixed_dictionaries({"code": TEXT})),
        "year": st.one_of(st.none(), st.integers(1980, 2200)),
        "rules": st.one_of(st.none(), st.fixed_dictionaries({}, optional={"execution_denominator": TEXT})),
        "header": st.one_of(st.none(), st.fixed_dictionaries({}, optional={"contact": TEXT})),
        "budget": st.fixed_dictionaries(
            {
                "rows": st.lists(
                    st.fixed_dictionaries(
                        {"row": st.sampled_from(["total", "basic", "x"])},
                        optional={"annual": NUMBER, "executed": NUMBER},
                    ),
                    max_size=3,
                )
            },
            optional={"self_score": NUMBER, "unit": st.one_of(st.none(), st.sampled_from(["万元", "元", "?"]))},
        ),
        "indicators": st.lists(st.one_of(st.none(), ROW), max_size=8),
        "self_total": NUMBER,
        "self_grade": TEXT,
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT)
def test_any_document_of_the_format_is_scored_never_refused(doc):
    read, unreadable = validate_lenient(doc)
    result = engine.score_report(to_engine_input(read))
    assert "engine.internal" not in {f.code for f in result.findings}
    assert all(f.code == "value.invalid" for f in unreadable)
    assert result.total >= 0
    assert all(isinstance(r["level1"], str) and isinstance(r["level2"], str) for r in read["indicators"])


def test_a_group_under_no_level1_label_beside_declared_ones_is_no_unknown_level1():
    doc, _expected = shape("merged_leading")
    doc["level1"] = [{"name": "产出指标", "weight": "40"}, {"name": "效益指标", "weight": "30"}]
    read, _unreadable = validate_lenient(doc)
    result = engine.score_report(to_engine_input(read))
    codes = {f.code for f in result.findings}
    assert "template.unknown_level1" not in codes and "template.weights" not in codes, result.findings
    assert result.total == Decimal("97.19")
    # Cut a row of the unlabelled group: the sum names it as the group without a level-1 label.
    read["indicators"] = read["indicators"][1:]
    result = engine.score_report(to_engine_input(read))
    message = next(f.message for f in result.findings if f.code == "template.weights")
    assert "（无一级指标） 10" in message and "应为 100" in message


def test_export_marks_a_group_without_level1_after_a_named_one_so_import_reads_it_back():
    rows = [
        {"level1": "", "level2": "小组", "level3": "a"},
        {"level1": "", "level2": "", "level3": "b"},
        {"level1": "产出", "level2": "数量", "level3": "c"},
        {"level1": "产出", "level2": "", "level3": "d"},
        {"level1": "", "level2": "", "level3": "e"},
        {"level1": "", "level2": "", "level3": "f"},
    ]
    marked = mark_levels(rows)
    assert [r["level1"] for r in marked] == ["", "（无一级指标）", "产出", "产出", "（无一级指标）", ""]
    assert fill_levels(marked) == rows
    assert (
        mark_levels([{"level1": "", "level2": "", "level3": "x"}] * 3)
        == [{"level1": "", "level2": "", "level3": "x"}] * 3
    )
