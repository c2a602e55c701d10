"""The standard-table workbook for tables of every shape (CONVENTIONS items 2 and 4).

Level columns are written only where some row has that level, merged where it does; the reader
finds them by the indicator header, fills blanks as merged cells read, and gives back the rows and
the scores that went in.
"""

import copy
import io

import openpyxl
import pytest

from indicators import engine
from reports.demo.build import seed_document
from reports.interchange.document import to_engine_input
from reports.xlsx.layout import NO_LEVEL1
from reports.xlsx.services import report_xlsx, report_xlsx_preview
from reports.xlsx.table import KEY, SHEET, document_to_xlsx, xlsx_to_document

FIELDS = ("level1", "level2", "level3")


def shaped(shape: str) -> dict:
    """The seed document (5 工作目标管理, 13 预算和财务管理, 3 绩效管理 under 投入管理指标; 产出; 2 效益) recut."""
    doc = copy.deepcopy(seed_document())
    rows = doc["indicators"]
    for i, row in enumerate(rows):
        if shape == "flat":
            row["level1"] = row["level2"] = ""
        elif shape == "two":
            row["level2"] = ""
        elif shape == "merged":
            if i < 3:  # a leading group with no level-1 label, one row of it with a level 2
                row["level1"], row["level2"] = "", ("小组" if i == 1 else "")
            elif i in (5, 6):  # directly under 投入管理指标, right after its named 工作目标管理
                row["level2"] = ""
            elif i == 21:  # a group with no level-1 label after a named one
                row["level1"] = row["level2"] = ""
        elif shape == "level2-only":
            row["level1"] = ""
            if i == 5:  # no level 2 right after a named one: needs a level-1 cell of its own
                row["level2"] = ""
    return doc


def rows(doc: dict) -> list[dict]:
    """The indicator rows with null and absent alike (CONVENTIONS item 5): a loaded document drops nulls."""
    return [{k: v for k, v in row.items() if v is not None} for row in doc["indicators"]]


def sheet(data: bytes):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[SHEET]
    head = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=KEY).value == "indicators.head")
    return wb, ws, head


def scores(doc: dict):
    result = engine.score_report(to_engine_input(doc))
    return result.total, result.self_total, [(r.level1, r.level2, r.level3, r.score) for r in result.rows]


def saved(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("shape", ["flat", "two", "merged", "level2-only"])
def test_every_shape_round_trips(shape):
    doc = shaped(shape)
    back = xlsx_to_document(document_to_xlsx(doc))
    assert rows(back) == rows(doc)
    assert scores(back) == scores(doc)


def test_flat_sheet_has_only_the_level3_column():
    doc = shaped("flat")
    _wb, ws, head = sheet(document_to_xlsx(doc))
    assert [ws.cell(row=head, column=c).value for c in range(1, 6)] == ["三级指标", None, None, None, "指标值"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert f"A{head}:D{head}" in merged and f"A{head + 1}:D{head + 1}" in merged
    assert ws.cell(row=head + 1, column=1).value == "工作任务科学性"
    # No merge runs down a column: every row is a row of its own.
    assert not any(r.min_row != r.max_row for r in ws.merged_cells.ranges if r.min_row > head)


def test_two_level_sheet_merges_level1_only():
    _wb, ws, head = sheet(document_to_xlsx(shaped("two")))
    assert [ws.cell(row=head, column=c).value for c in range(1, 5)] == ["一级指标", "三级指标", None, None]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert f"A{head + 1}:A{head + 21}" in merged and f"B{head + 1}:D{head + 1}" in merged
    assert f"A{head + 23}:A{head + 24}" in merged  # 效益指标


def test_merged_sheet_names_the_missing_level1_and_keeps_blank_level2_apart():
    _wb, ws, head = sheet(document_to_xlsx(shaped("merged")))
    assert [ws.cell(row=head, column=c).value for c in range(1, 4)] == ["一级指标", "二级指标", "三级指标"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    first = head + 1
    assert ws.cell(row=first, column=1).value == NO_LEVEL1 and f"A{first}:A{first + 1}" in merged
    assert ws.cell(row=first + 1, column=2).value == "小组"
    # The row without level 2 after 小组 gets a level-1 cell of its own, or its blank would read as 小组.
    assert ws.cell(row=first + 2, column=1).value == NO_LEVEL1 and ws.cell(row=first + 2, column=2).value is None
    # 投入管理指标 is written again where its rows without level 2 follow 工作目标管理.
    assert f"A{first + 3}:A{first + 4}" in merged and ws.cell(row=first + 3, column=2).value == "工作目标管理"
    assert ws.cell(row=first + 5, column=1).value == "投入管理指标"
    assert ws.cell(row=first + 5, column=2).value is None and ws.cell(row=first + 6, column=2).value is None
    assert f"B{first + 5}:B{first + 6}" in merged  # one blank cell, apart from 预算和财务管理 below
    assert f"B{first + 7}:B{first + 17}" in merged
    assert ws.cell(row=first + 21, column=1).value == NO_LEVEL1  # the group after 产出指标


def test_level2_only_sheet_writes_level1_to_keep_a_blank_level2():
    _wb, ws, head = sheet(document_to_xlsx(shaped("level2-only")))
    assert [ws.cell(row=head, column=c).value for c in range(1, 4)] == ["一级指标", "二级指标", "三级指标"]
    assert ws.cell(row=head + 6, column=1).value == NO_LEVEL1


def test_level_cells_left_blank_instead_of_merged_read_as_merged():
    """A sheet whose merged level cells were unmerged (or never merged): blanks continue the name above."""
    doc = seed_document()
    wb, ws, head = sheet(document_to_xlsx(doc))
    for rng in [r for r in ws.merged_cells.ranges if r.min_row > head and r.min_col <= 2 and r.max_row > r.min_row]:
        ws.unmerge_cells(str(rng))
    assert ws.cell(row=head + 2, column=1).value is None and ws.cell(row=head + 2, column=2).value is None
    assert rows(xlsx_to_document(saved(wb))) == rows(doc)


def test_a_blank_level2_continues_only_under_a_blank_level1():
    doc = seed_document()
    wb, ws, head = sheet(document_to_xlsx(doc))
    ws.unmerge_cells(f"A{head + 1}:A{head + 21}")
    ws.unmerge_cells(f"B{head + 1}:B{head + 5}")
    ws.cell(row=head + 2, column=1, value="投入管理指标")  # a level 1 written again, level 2 blank: none
    read = xlsx_to_document(saved(wb))["indicators"]
    assert [(r["level1"], r["level2"]) for r in read[:3]] == [
        ("投入管理指标", "工作目标管理"),
        ("投入管理指标", ""),
        ("投入管理指标", ""),  # blank under a blank level 1: continues the row above, now ""
    ]


@pytest.mark.parametrize("word", ["三级指标", "指标"])
def test_flat_sheet_header_naming_just_the_indicator(word):
    doc = shaped("flat")
    wb, ws, head = sheet(document_to_xlsx(doc))
    ws.cell(row=head, column=1, value=word)
    assert rows(xlsx_to_document(saved(wb))) == rows(doc)


def test_a_level3_left_blank_is_named_by_its_column():
    from reports.interchange.document import DocumentError

    wb, ws, head = sheet(document_to_xlsx(shaped("two")))
    ws.cell(row=head + 2, column=2).value = None
    with pytest.raises(DocumentError) as info:
        xlsx_to_document(saved(wb))
    assert f"自评表 第 {head + 2} 行 B 列（三级指标）：三级指标不能为空" in info.value.errors


def test_a_row_missing_from_the_sheet_is_not_in_the_document():
    """A template row deleted from the sheet: read without it, its neighbours keep their levels."""
    doc = seed_document()
    wb, ws, head = sheet(document_to_xlsx(doc))
    ws.delete_rows(head + 8)  # 决算真实性, inside the merged 投入管理指标 and 预算和财务管理 cells
    read = rows(xlsx_to_document(saved(wb)))
    assert read == [r for r in rows(doc) if r["level3"] != doc["indicators"][7]["level3"]]


@pytest.mark.django_db
def test_a_template_row_missing_from_the_sheet_is_a_change_in_the_preview(seed, superuser):
    """The import replaces the report's rows with the sheet's: the preview lists the row as removed."""
    wb, ws, head = sheet(report_xlsx(seed))
    row = next(r for r in range(head + 1, ws.max_row + 1) if ws.cell(row=r, column=3).value == "决算真实性")
    ws.delete_rows(row)
    # Its 2 points moved to the next row, so the weights still add up (this branch's validate refuses otherwise).
    ws.cell(row=row, column=8, value=4)
    preview = report_xlsx_preview(data=saved(wb), user=superuser, report=seed)
    names = [r["level3"] for r in preview.document["indicators"]]
    assert len(names) == 23 and "决算真实性" not in names
    assert any("决算真实性" in f"{c.label} {c.old}" for c in preview.changes)
