"""Writes a perfeval.report/1 document as the standard-table workbook (see `reports.xlsx.table`)."""

from __future__ import annotations

import io
import itertools
import json
import math
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from indicators import engine
from perfeval.spreadsheets.safety import set_cell
from reports.interchange.document import FORMAT, to_engine_input
from reports.xlsx.layout import (
    BUDGET_ROWS,
    DETAIL,
    DETAIL_WIDTHS,
    KEY,
    KIND_WORDS,
    LABELS,
    LAST,
    LAYOUT,
    LEVEL_SPAN,
    META_SHEET,
    MONEY_FORMAT,
    NARRATIVE_ROWS,
    NARRATIVE_SHEET,
    NO_LEVEL1,
    RATE_FORMAT,
    SHEET,
    SIGN_WORDS,
    TIER_WORDS,
    WIDTHS,
)

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FONT = Font(name="宋体", size=10)
BOLD = Font(name="宋体", size=10, bold=True)
TITLE = Font(name="宋体", size=16, bold=True)
NOTE_FONT = Font(name="宋体", size=9, color="555555")
GREY = PatternFill("solid", fgColor="F2F2F2")
HEAD_FILL = PatternFill("solid", fgColor="E8EEF5")
WRAP = Alignment(wrap_text=True, vertical="center")
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
LINE_POINTS = 13.5

# --- writing ----------------------------------------------------------------------------------


def _text_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _lines(text: str, width: float) -> int:
    usable = max(width - 1, 2)
    return sum(max(1, math.ceil(_text_width(part) / usable)) for part in (text or "").split("\n"))


class _Sheet:
    """A worksheet with the table's grid: cells across merged column spans, heights that fit."""

    def __init__(self, ws, widths):
        self.ws = ws
        self.widths = widths
        self.row = 0
        self.heights: dict[int, float] = {}

    def width(self, first: int, last: int) -> float:
        return sum(self.widths[first - 1 : last])

    def put(self, row, first, value, *, last=None, font=FONT, align=WRAP, fmt=None, border=True, fill=None):
        last = last or first
        cell = set_cell(self.ws.cell(row=row, column=first), value)
        cell.font = font
        cell.alignment = align
        if fmt:
            cell.number_format = fmt
        if fill:
            cell.fill = fill
        if border:
            for col in range(first, last + 1):
                self.ws.cell(row=row, column=col).border = BORDER
        if last > first:
            self.ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
        if isinstance(value, str) and value:
            needed = _lines(value, self.width(first, last)) * LINE_POINTS + 4
            self.heights[row] = max(self.heights.get(row, 0), needed)
        return cell

    def key(self, row, key):
        set_cell(self.ws.cell(row=row, column=KEY), key)

    def detail(self, row, offset, value, *, head=False, fmt=None):
        cell = set_cell(self.ws.cell(row=row, column=DETAIL + offset), value)
        cell.fill = GREY
        cell.border = BORDER
        cell.font = Font(name="宋体", size=9, bold=head, color="444444")
        cell.alignment = CENTER if head else WRAP
        if fmt:
            cell.number_format = fmt
        return cell

    def next(self) -> int:
        self.row += 1
        return self.row

    def finish_heights(self, minimum=LINE_POINTS + 6):
        for row in range(1, self.row + 1):
            self.ws.row_dimensions[row].height = min(409, max(minimum, self.heights.get(row, 0)))


def _dec(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


def _rate(executed, base) -> Decimal | None:
    executed, base = _dec(executed), _dec(base)
    if executed is None or not base:
        return None
    return (executed / base).quantize(Decimal("0.00000001"))


def document_workbook(doc: dict, *, computed: engine.ReportResult | None = None) -> Workbook:
    """The standard table of a perfeval.report/1 document as an openpyxl Workbook."""
    if computed is None:
        computed = engine.score_report(to_engine_input(doc))
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    _write_table(_Sheet(ws, WIDTHS), doc, computed)
    _write_narrative(wb.create_sheet(NARRATIVE_SHEET), doc)
    _write_meta(wb.create_sheet(META_SHEET), doc)
    wb.active = 0
    return wb


def document_to_xlsx(doc: dict, *, computed: engine.ReportResult | None = None) -> bytes:
    out = io.BytesIO()
    document_workbook(doc, computed=computed).save(out)
    return out.getvalue()


def _write_table(s: _Sheet, doc: dict, computed: engine.ReportResult) -> None:
    ws = s.ws
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.column_dimensions[get_column_letter(KEY)].hidden = True
    ws.column_dimensions[get_column_letter(KEY)].width = 14
    for i, width in enumerate(DETAIL_WIDTHS):
        ws.column_dimensions[get_column_letter(DETAIL + i)].width = width
    ws.sheet_view.showGridLines = False

    header = doc.get("header") or {}
    budget = doc.get("budget") or {}
    dept = doc.get("department") or {}

    r = s.next()
    s.key(r, "title")
    s.put(r, 1, f"{doc.get('year', '')}年度部门整体绩效自评表", last=LAST, font=TITLE, align=CENTER, border=False)
    s.heights[r] = 30
    note = ws.cell(
        row=r, column=DETAIL, value="灰色各列是导入所需的明细（不打印）；请勿删除隐藏的 M 列和工作表 perfeval。"
    )
    note.font = NOTE_FONT
    note.alignment = Alignment(wrap_text=False, vertical="center")

    r = s.next()
    s.key(r, "header.name")
    s.put(r, 1, "部门(单位)名称", last=2, font=BOLD, align=CENTER, fill=HEAD_FILL)
    s.put(r, 3, dept.get("name", ""), last=7)
    s.put(r, 8, "自评得分", last=9, font=BOLD, align=CENTER, fill=HEAD_FILL)
    s.put(r, 10, computed.self_total, align=CENTER, fmt="0.00")
    s.put(r, 11, "自评结果", font=BOLD, align=CENTER, fill=HEAD_FILL)
    s.put(r, 12, computed.self_grade, align=CENTER)
    s.detail(r, 0, "原表自评得分", head=True)
    s.detail(r, 1, _dec(doc.get("self_total")))
    s.detail(r, 2, "原表自评结果", head=True)
    s.detail(r, 3, doc.get("self_grade") or "")

    r = s.next()
    s.key(r, "header.contact")
    s.put(r, 1, "填表人及联系方式", last=2, font=BOLD, align=CENTER, fill=HEAD_FILL)
    s.put(r, 3, header.get("contact", ""), last=9)
    s.put(r, 10, "单位：万元", last=LAST, align=RIGHT)

    r = s.next()
    s.key(r, "header.goal_head")
    s.put(r, 1, "年度总体目标", last=6, font=BOLD, align=CENTER, fill=HEAD_FILL)
    s.put(r, 7, "年度总体目标完成情况", last=LAST, font=BOLD, align=CENTER, fill=HEAD_FILL)
    r = s.next()
    s.key(r, "header.goal")
    s.put(r, 1, header.get("goal", ""), last=6, align=WRAP_TOP)
    s.put(r, 7, header.get("goal_completion", ""), last=LAST, align=WRAP_TOP)

    r = s.next()
    s.key(r, "tasks.title")
    s.put(r, 1, "年度主要任务", last=LAST, font=BOLD, align=CENTER, fill=HEAD_FILL)
    r = s.next()
    s.key(r, "tasks.head")
    for first, last, label in (
        (1, 2, "任务名称"),
        (3, 4, "主要内容"),
        (5, 5, "预算资金"),
        (6, 6, "其中:财政资金"),
        (7, 9, "任务完成情况"),
        (10, 10, "预算执行数"),
        (11, 11, "其中:财政资金"),
        (12, 12, "预算执行率"),
    ):
        s.put(r, first, label, last=last, font=BOLD, align=CENTER, fill=HEAD_FILL)
    s.detail(r, 0, "原表执行率", head=True)
    for task in doc.get("tasks") or ():
        r = s.next()
        s.key(r, "task")
        s.put(r, 1, task.get("name", ""), last=2)
        s.put(r, 3, task.get("content", ""), last=4)
        s.put(r, 5, _dec(task.get("budget")), fmt=MONEY_FORMAT, align=RIGHT)
        s.put(r, 6, _dec(task.get("budget_fiscal")), fmt=MONEY_FORMAT, align=RIGHT)
        s.put(r, 7, task.get("completion", ""), last=9)
        s.put(r, 10, _dec(task.get("executed")), fmt=MONEY_FORMAT, align=RIGHT)
        s.put(r, 11, _dec(task.get("executed_fiscal")), fmt=MONEY_FORMAT, align=RIGHT)
        s.put(r, 12, _rate(task.get("executed"), task.get("budget")), fmt=RATE_FORMAT, align=RIGHT)
        s.detail(r, 0, task.get("rate_text") or "")

    rows = {row.get("row"): row for row in budget.get("rows") or ()}
    r = s.next()
    first_budget_row = r
    s.key(r, "budget.head")
    s.put(r, 2, "项目", last=4, font=BOLD, align=CENTER, fill=HEAD_FILL)
    for first, last, label in (
        (5, 5, "年初预算数"),
        (6, 6, "全年预算数"),
        (7, 7, "预算执行数"),
        (8, 9, "预算执行率"),
        (10, 10, "分值"),
        (11, 12, "得分"),
    ):
        s.put(r, first, label, last=last, font=BOLD, align=CENTER, fill=HEAD_FILL)
    s.detail(r, 0, "原表执行率", head=True)
    for key, label in BUDGET_ROWS:
        row = rows.get(key) or {}
        r = s.next()
        s.key(r, f"budget.{key}")
        s.put(r, 2, label, last=4)
        s.put(r, 5, _dec(row.get("initial")), fmt=MONEY_FORMAT, align=RIGHT)
        s.put(r, 6, _dec(row.get("annual")), fmt=MONEY_FORMAT, align=RIGHT)
        s.put(r, 7, _dec(row.get("executed")), fmt=MONEY_FORMAT, align=RIGHT)
        s.put(r, 8, _rate(row.get("executed"), row.get("annual")), last=9, fmt=RATE_FORMAT, align=RIGHT)
        if key == "total":
            s.put(r, 10, _dec(budget.get("execution_weight")), align=CENTER)
            s.put(r, 11, _dec(budget.get("self_score")), last=12, align=CENTER)
        else:
            s.put(r, 10, None)
            s.put(r, 11, None, last=12)
        s.detail(r, 0, row.get("rate_text") or "")
    s.put(first_budget_row, 1, "预算情况", font=BOLD, align=CENTER, fill=HEAD_FILL)
    ws.merge_cells(start_row=first_budget_row, start_column=1, end_row=r, end_column=1)
    for row_number in range(first_budget_row, r + 1):
        ws.cell(row=row_number, column=1).border = BORDER

    r = s.next()
    head_row = r
    s.key(r, "indicators.head")
    indicators = doc.get("indicators") or []
    levels = level_columns(indicators)
    for name, column in levels.items():
        last = LEVEL_SPAN if name == "level3" else column
        s.put(r, column, LABELS[name], last=last, font=BOLD, align=CENTER, fill=HEAD_FILL)
    for first, last, label in (
        (5, 5, "指标值"),
        (6, 6, "度量单位"),
        (7, 7, "实际完成值"),
        (8, 8, "分值"),
        (9, 9, "得分"),
        (10, 12, "未完成原因分析"),
    ):
        s.put(r, first, label, last=last, font=BOLD, align=CENTER, fill=HEAD_FILL)
    if doc.get("targets_approved"):
        s.ws.cell(row=r, column=5).comment = Comment("指标值为财政局审核通过的绩效目标（绩效目标申报）", "perfeval")
    for offset, name in enumerate(("kind", "sign", "target", "actual", "tier", "applicable", "custom")):
        s.detail(r, offset, LABELS[name], head=True)
    blocks = _level_blocks(indicators)
    for i, item in enumerate(indicators):
        r = s.next()
        s.key(r, "indicator")
        if "level1" in levels:
            s.put(r, levels["level1"], (item.get("level1") or NO_LEVEL1) if blocks[i] else "", align=CENTER)
        if "level2" in levels:
            s.put(r, levels["level2"], item.get("level2", ""), align=CENTER)
        s.put(r, levels["level3"], item.get("level3", ""), last=LEVEL_SPAN)
        target = s.put(r, 5, item.get("target_text") or item.get("target") or "", align=CENTER)
        declared = item.get("target_declared")
        if declared:
            # A comment, not the cell: the cell is read back as the target on import.
            original = "".join(
                filter(None, (declared.get("target_text"), declared.get("unit") and f"（{declared['unit']}）"))
            )
            target.comment = Comment(f"已调整，原指标值：{original}", "perfeval")
        s.put(r, 6, item.get("unit", ""), align=CENTER)
        s.put(r, 7, item.get("actual_text") or item.get("actual") or "", align=CENTER)
        s.put(r, 8, _dec(item.get("weight")), align=CENTER)
        s.put(r, 9, _dec(item.get("self_score")), align=CENTER)
        s.put(r, 10, item.get("reason", ""), last=LAST)
        s.detail(r, 0, KIND_WORDS.get(item.get("kind") or "qualitative", item.get("kind")))
        s.detail(r, 1, SIGN_WORDS.get(item.get("sign") or "", ""))
        s.detail(r, 2, _dec(item.get("target")))
        s.detail(r, 3, _dec(item.get("actual")))
        s.detail(r, 4, TIER_WORDS.get(item.get("tier") or "", ""))
        s.detail(r, 5, "否" if item.get("applicable", True) is False else "是")
        s.detail(r, 6, "是" if item.get("custom") else "")
    _merge_runs(s, head_row + 1, indicators, levels, blocks)
    last_indicator_row = r
    if indicators:
        _validations(ws, head_row + 1, last_indicator_row)

    r = s.next()
    s.key(r, "notes")
    notes = doc.get("table_notes") or ""
    s.put(r, 1, notes, last=LAST, font=NOTE_FONT, align=WRAP_TOP, border=False)

    s.finish_heights()
    ws.print_title_rows = "1:3"
    ws.print_area = f"A1:{get_column_letter(LAST)}{r}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def level_columns(indicators: list[dict]) -> dict[str, int]:
    """Which of columns A–D holds level1, level2 and level3 for these rows.

    A level column is written only when some row has that level. 一级指标 is written also where a
    row without level 2 follows one with it under no level 1: only a level-1 cell of its own
    (（无一级指标）) keeps that blank from reading as the name above (see `_level_blocks`).
    """
    has1 = any(item.get("level1") for item in indicators)
    has2 = any(item.get("level2") for item in indicators)
    if has2 and not has1:
        has1 = any(not cur.get("level2") and prev.get("level2") for prev, cur in itertools.pairwise(indicators))
    names = [name for name, shown in (("level1", has1), ("level2", has2), ("level3", True)) if shown]
    return {name: column for column, name in enumerate(names, start=1)}


def _level_blocks(indicators: list[dict]) -> list[bool]:
    """Whether each row starts a level-1 cell of its own (a merged block over the rows after it).

    A reader fills a blank level-1 cell from the row above, and a blank level-2 cell too when the
    level-1 cell was blank: so a block starts where the level 1 changes, and also where a row
    without level 2 follows one with it, which would otherwise read as continuing that name.
    """
    starts = []
    for i, item in enumerate(indicators):
        prev = indicators[i - 1] if i else None
        starts.append(
            prev is None
            or (item.get("level1") or "") != (prev.get("level1") or "")
            or (not item.get("level2") and bool(prev.get("level2")))
        )
    return starts


def _merge_runs(s: _Sheet, first_row: int, indicators: list[dict], levels: dict, blocks: list[bool]) -> None:
    """Merge the level-1 cells over their blocks and the level-2 cells over their runs within them.

    A run without level 2 is a blank cell of its own, never part of a named neighbour (CONVENTIONS item 4).
    """

    def runs(same):
        start = 0
        for i in range(1, len(indicators) + 1):
            if i == len(indicators) or not same(start, i):
                if i - start > 1:
                    yield first_row + start, first_row + i - 1
                start = i

    def same2(start, i):
        return not blocks[i] and (indicators[i].get("level2") or "") == (indicators[start].get("level2") or "")

    for name, same in (("level1", lambda start, i: not blocks[i]), ("level2", same2)):
        if name in levels:
            for top, bottom in runs(same):
                s.ws.merge_cells(start_row=top, start_column=levels[name], end_row=bottom, end_column=levels[name])


def _validations(ws, first: int, last: int) -> None:
    """Drop-down lists on the detail cells a person fills (constraints, not cell formulas)."""
    for offset, choices in (
        (0, "定量,定性"),
        (1, "≥,≤,="),
        (4, ",".join(TIER_WORDS.values())),
        (5, "是,否"),
    ):
        dv = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
        dv.error = "请从列表中选择"
        column = get_column_letter(DETAIL + offset)
        dv.add(f"{column}{first}:{column}{last}")
        ws.add_data_validation(dv)


def _write_narrative(ws, doc: dict) -> None:
    s = _Sheet(ws, [24, 110])
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 110
    ws.column_dimensions["C"].hidden = True
    ws.sheet_view.showGridLines = False
    header = doc.get("header") or {}
    narrative = doc.get("narrative") or {}
    r = s.next()
    set_cell(ws.cell(row=r, column=3), "title")
    s.put(r, 1, f"{doc.get('year', '')}年度部门整体绩效自评报告", last=2, font=TITLE, align=CENTER, border=False)
    s.heights[r] = 30
    for key, label in NARRATIVE_ROWS:
        if key == "preamble":
            text = header.get("preamble", "")
        elif key == "weight_note":
            text = doc.get("weight_note", "")
        else:
            text = narrative.get(key.split(".")[1], "")
        r = s.next()
        set_cell(ws.cell(row=r, column=3), key)
        s.put(r, 1, label, font=BOLD, align=Alignment(wrap_text=True, vertical="top"), fill=HEAD_FILL)
        s.put(r, 2, text or "", align=WRAP_TOP)
    s.finish_heights(minimum=24)
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _write_meta(ws, doc: dict) -> None:
    ws.sheet_state = "hidden"
    dept = doc.get("department") or {}
    budget = doc.get("budget") or {}
    pairs = [
        ("layout", LAYOUT),
        ("format", doc.get("format", FORMAT)),
        ("department.code", dept.get("code", "")),
        ("department.name", dept.get("name", "")),
        ("department.short_name", dept.get("short_name", "")),
        ("year", str(doc.get("year", ""))),
        ("round", doc.get("round", "") or ""),
        ("state", doc.get("state", "") or ""),
        ("budget.unit", budget.get("unit", "万元")),
        ("budget.execution_weight", budget.get("execution_weight") or ""),
        ("rules", json.dumps(doc.get("rules"), ensure_ascii=False) if "rules" in doc else ""),
        ("level1", json.dumps(doc.get("level1"), ensure_ascii=False) if "level1" in doc else ""),
        ("table_notes", doc.get("table_notes", "") or ""),
    ]
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 80
    for i, (key, value) in enumerate(pairs, start=1):
        set_cell(ws.cell(row=i, column=1), key)
        set_cell(ws.cell(row=i, column=2), value)
