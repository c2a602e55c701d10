"""Reads the standard-table workbook back into a perfeval.report/1 document (see `reports.xlsx.table`)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from indicators.engine import parse_measure
from perfeval.spreadsheets.safety import SpreadsheetRefused, open_workbook, sheet_rows, to_decimal, to_text
from reports.interchange.document import FORMAT, DocumentError, money, num
from reports.xlsx.layout import (
    BUDGET_ROWS,
    DETAIL,
    INDICATOR_CELLS,
    INDICATOR_NUMBERS,
    KEY,
    KIND_READ,
    KNOWN_KEYS,
    LABELS,
    LAYOUT,
    LEVEL_HEADS,
    LEVEL_SPAN,
    META_SHEET,
    NARRATIVE_SHEET,
    NO,
    NO_LEVEL1,
    REPEATING,
    REQUIRED_KEYS,
    SHEET,
    SIGN_READ,
    TASK_CELLS,
    TASK_MONEY,
    TIER_READ,
    YES,
)

# --- reading ----------------------------------------------------------------------------------


@dataclass
class _Reader:
    errors: list[str] = field(default_factory=list)
    task_rows: list[int] = field(default_factory=list)  # sheet row of each document task
    indicator_rows: list[int] = field(default_factory=list)

    def where(self, row: int, column: int, label: str, sheet: str = SHEET) -> str:
        return f"{sheet} 第 {row} 行 {get_column_letter(column)} 列（{label}）"

    def number(self, cells: dict, row: int, column: int, label: str, *, money_value=False) -> str | None:
        try:
            value = to_decimal(cells.get(column))
        except ValueError as exc:
            self.errors.append(f"{self.where(row, column, label)}：{exc}")
            return None
        if value is None:
            return None
        return money(value) if money_value else num(value)

    def choice(self, cells: dict, row: int, column: int, label: str, table: dict, default=None):
        text = to_text(cells.get(column)).strip()
        if text == "":
            return default
        if text in table:
            return table[text]
        lowered = text.lower()
        if lowered in table:
            return table[lowered]
        self.errors.append(f"{self.where(row, column, label)}：“{text}”不是可选值")
        return default


@dataclass(frozen=True)
class ReadResult:
    document: dict
    task_rows: list[int]  # the sheet row of each document task, in order
    indicator_rows: list[int]

    def sheet_errors(self, errors: list[str]) -> list[str]:
        """Messages about document rows ("indicators › 第 3 行") told as the sheet's rows."""
        pattern = re.compile(r"^(tasks|indicators) › 第 (\d+) 行")

        def translate(message: str) -> str:
            match = pattern.match(message)
            if not match:
                return message
            section, index = match.group(1), int(match.group(2))
            numbers = self.task_rows if section == "tasks" else self.indicator_rows
            if 0 < index <= len(numbers):
                name = "年度主要任务" if section == "tasks" else "绩效指标"
                return f"{SHEET} 第 {numbers[index - 1]} 行（{name}第 {index} 行）" + message[match.end() :]
            return message

        return [translate(m) for m in errors]


def read_xlsx(data: bytes) -> ReadResult:
    """A workbook of our layout read back as a perfeval.report/1 document.

    Raises SpreadsheetRefused for a file that is not a safe workbook, and DocumentError naming the
    sheet, row and column of every problem for one whose cells do not make a report.
    """
    wb = open_workbook(data)
    try:
        return _read(wb)
    finally:
        wb.close()


def xlsx_to_document(data: bytes) -> dict:
    return read_xlsx(data).document


def _read(wb) -> ReadResult:
    names = wb.sheetnames
    if META_SHEET not in names or SHEET not in names:
        missing = "、".join(f"“{n}”" for n in (SHEET, META_SHEET) if n not in names)
        raise SpreadsheetRefused(
            f"这不是 perfeval 导出的自评表：缺少工作表 {missing}。请先在 perfeval 导出自评表，在其中填写后再导入。"
        )
    meta = {}
    for cells in sheet_rows(wb[META_SHEET], max_rows=200, max_columns=4):
        row = {c.column: c.value for c in cells}
        if row.get(1):
            meta[to_text(row[1])] = to_text(row.get(2))
    if meta.get("layout") != LAYOUT or meta.get("format") != FORMAT:
        raise SpreadsheetRefused(
            f"工作表“{META_SHEET}”的格式标记不符（应为 {LAYOUT}），不是本系统导出的自评表或版本不兼容。"
        )
    reader = _Reader()
    try:
        year = int(meta.get("year", ""))
    except ValueError:
        raise SpreadsheetRefused(f"工作表“{META_SHEET}”中的年度“{meta.get('year')}”无效。") from None
    if not meta.get("department.code"):
        raise SpreadsheetRefused(f"工作表“{META_SHEET}”缺少部门编码。")

    doc: dict = {
        "format": FORMAT,
        "department": {
            "code": meta["department.code"],
            "name": meta.get("department.name", ""),
            "short_name": meta.get("department.short_name", ""),
        },
        "year": year,
    }
    if meta.get("round"):
        doc["round"] = meta["round"]
    if meta.get("state"):
        doc["state"] = meta["state"]
    for key in ("rules", "level1"):
        if meta.get(key):
            try:
                doc[key] = json.loads(meta[key])
            except json.JSONDecodeError:
                raise SpreadsheetRefused(f"工作表“{META_SHEET}”中的 {key} 已损坏。") from None
    header = {"contact": "", "preamble": "", "goal": "", "goal_completion": ""}
    budget = {"unit": meta.get("budget.unit") or "万元", "rows": [], "self_score": None}
    if meta.get("budget.execution_weight") not in (None, ""):  # 0 is a weight (a tree without 预算执行率)
        budget["execution_weight"] = str(meta["budget.execution_weight"])
    tasks: list[dict] = []
    indicators: list[dict] = []
    budget_rows: dict[str, dict] = {}
    seen: set[str] = set()

    section = None
    level1 = level2 = ""
    columns = dict(INDICATOR_CELLS)  # the level columns as the indicator header names them
    for cells in sheet_rows(wb[SHEET]):
        row_number = cells[0].row if cells else None
        if not cells:
            continue
        values = {c.column: c.value for c in cells}
        key = to_text(values.get(KEY)).strip()
        has_input = any(col != KEY for col in values)
        if not key:
            if not has_input:
                continue
            key = REPEATING.get(section or "")
            if key is None:
                reader.errors.append(
                    f"{SHEET} 第 {row_number} 行：无法识别的行（M 列没有行标记）。"
                    "只能在“年度主要任务”和绩效指标中插入行。"
                )
                continue
        if key not in KNOWN_KEYS:
            reader.errors.append(f"{SHEET} 第 {row_number} 行：M 列的行标记“{key}”无法识别。")
            continue
        section = key
        if key in seen and key not in ("task", "indicator"):
            reader.errors.append(f"{SHEET} 第 {row_number} 行：“{key}”行重复。")
            continue
        seen.add(key)

        if key == "header.name":
            doc["self_total"] = reader.number(values, row_number, DETAIL + 1, "原表自评得分")
            doc["self_grade"] = to_text(values.get(DETAIL + 3))
        elif key == "header.contact":
            header["contact"] = to_text(values.get(3))
        elif key == "header.goal":
            header["goal"] = to_text(values.get(1))
            header["goal_completion"] = to_text(values.get(7))
        elif key == "task":
            if not any(col in TASK_CELLS for col in values):
                continue
            task = _read_task(reader, values, row_number)
            tasks.append(task)
            reader.task_rows.append(row_number)
        elif key.startswith("budget.") and key != "budget.head":
            row_key = key.split(".", 1)[1]
            item = {"row": row_key}
            for column, attr in ((5, "initial"), (6, "annual"), (7, "executed")):
                item[attr] = reader.number(values, row_number, column, LABELS[attr], money_value=True)
            rate_text = to_text(values.get(DETAIL))
            if rate_text:
                item["rate_text"] = rate_text
            budget_rows[row_key] = item
            if row_key == "total":
                budget["self_score"] = reader.number(values, row_number, 11, "预算执行率得分")
        elif key == "indicators.head":
            columns = _indicator_columns(values)
        elif key == "indicator":
            if not any(col in columns for col in values):
                continue
            item = _read_indicator(reader, values, row_number, level1, level2, columns)
            level1, level2 = item["level1"], item["level2"]
            indicators.append(item)
            reader.indicator_rows.append(row_number)

    for key in REQUIRED_KEYS:
        if key not in seen:
            reader.errors.append(f"{SHEET}：缺少“{_required_label(key)}”行（M 列行标记 {key}），表格结构已被改动。")
    budget["rows"] = [budget_rows.get(key) or {"row": key} for key, _label in BUDGET_ROWS]
    for item in budget["rows"]:
        for attr in ("initial", "annual", "executed"):
            item.setdefault(attr, None)

    narrative = {str(i): "" for i in range(1, 9)}
    doc["weight_note"] = ""
    if NARRATIVE_SHEET in wb.sheetnames:
        for cells in sheet_rows(wb[NARRATIVE_SHEET], max_rows=200, max_columns=8):
            values = {c.column: c.value for c in cells}
            key = to_text(values.get(3)).strip()
            if not key or key == "title":
                continue
            text = to_text(values.get(2))
            if key == "preamble":
                header["preamble"] = text
            elif key == "weight_note":
                doc["weight_note"] = text
            elif key.startswith("narrative.") and key.split(".", 1)[1] in narrative:
                narrative[key.split(".", 1)[1]] = text
            else:
                reader.errors.append(f"{NARRATIVE_SHEET} 第 {cells[0].row} 行：C 列的行标记“{key}”无法识别。")

    doc["header"] = header
    doc["budget"] = budget
    doc["tasks"] = tasks
    doc["indicators"] = indicators
    doc["narrative"] = narrative
    if meta.get("table_notes"):
        doc["table_notes"] = meta["table_notes"]
    doc.setdefault("self_total", None)
    doc.setdefault("self_grade", "")
    if reader.errors:
        raise DocumentError(reader.errors)
    return ReadResult(doc, reader.task_rows, reader.indicator_rows)


def _required_label(key: str) -> str:
    return {
        "header.name": "部门(单位)名称",
        "header.contact": "填表人及联系方式",
        "header.goal": "年度总体目标",
        "tasks.head": "年度主要任务表头",
        "budget.head": "预算情况表头",
        "indicators.head": "绩效指标表头",
        **{f"budget.{k}": label for k, label in BUDGET_ROWS},
    }.get(key, key)


def _read_task(reader: _Reader, values: dict, row_number: int) -> dict:
    task: dict = {}
    for column, attr in TASK_CELLS.items():
        if attr in TASK_MONEY:
            task[attr] = reader.number(values, row_number, column, LABELS[attr], money_value=True)
        else:
            task[attr] = to_text(values.get(column))
    if not task["name"].strip():
        reader.errors.append(f"{reader.where(row_number, 1, '任务名称')}：任务名称不能为空")
    if not task["rate_text"]:
        del task["rate_text"]
    return task


def _indicator_columns(head: dict) -> dict[int, str]:
    """INDICATOR_CELLS with columns A–D as the header row names them: a level no header names is
    not in the sheet (a flat list: just 三级指标 or 指标). A header naming none keeps A, B, C."""
    found = {}
    for column in range(1, LEVEL_SPAN + 1):
        attr = LEVEL_HEADS.get(re.sub(r"\s+", "", to_text(head.get(column))))
        if attr and attr not in found.values():
            found[column] = attr
    if "level3" not in found.values():
        return dict(INDICATOR_CELLS)
    return {**found, **{c: a for c, a in INDICATOR_CELLS.items() if a not in ("level1", "level2", "level3")}}


def _read_indicator(
    reader: _Reader, values: dict, row_number: int, level1: str, level2: str, columns: dict[int, str]
) -> dict:
    item: dict = {"level1": "", "level2": ""}
    level3_column = next(c for c, a in columns.items() if a == "level3")
    for column, attr in columns.items():
        label = LABELS[attr]
        if attr in INDICATOR_NUMBERS:
            item[attr] = reader.number(values, row_number, column, label)
        elif attr == "kind":
            item[attr] = reader.choice(values, row_number, column, label, KIND_READ, "qualitative")
        elif attr == "sign":
            item[attr] = reader.choice(values, row_number, column, label, SIGN_READ)
        elif attr == "tier":
            item[attr] = reader.choice(values, row_number, column, label, TIER_READ)
        elif attr in ("applicable", "custom"):
            text = to_text(values.get(column)).strip().lower()
            if text in YES:
                item[attr] = True
            elif text in NO:
                item[attr] = False
            elif text == "":
                item[attr] = attr == "applicable"
            else:
                reader.errors.append(f"{reader.where(row_number, column, label)}：请填“是”或“否”")
                item[attr] = attr == "applicable"
        else:
            item[attr] = to_text(values.get(column))
    # Merged level cells hold their name in the first row only (CONVENTIONS item 2): a blank level 1
    # continues the row above (none above: no level 1), and a blank level 2 continues it only when
    # the level-1 cell was blank too. （无一级指标） is a level-1 cell of its own that names none.
    own1, own2 = item["level1"].strip(), item["level2"].strip()
    if own1:
        level1, level2 = ("" if own1 == NO_LEVEL1 else item["level1"]), ""
    if own2:
        level2 = item["level2"]
    item["level1"], item["level2"] = level1, level2
    if item["kind"] == "quantitative":
        _visible_numbers(reader, item, row_number)
    if not item["level3"].strip():
        reader.errors.append(f"{reader.where(row_number, level3_column, '三级指标')}：三级指标不能为空")
    if item["applicable"]:
        del item["applicable"]
    if not item["custom"]:
        del item["custom"]
    return item


_HIDDEN = {"target": ("target_text", DETAIL + 2), "actual": ("actual_text", DETAIL + 3)}


def _visible_numbers(reader: _Reader, item: dict, row_number: int) -> None:
    """Take target and actual from the visible 指标值 / 实际完成值, as the report form does.

    A person checks the printed columns only: a hidden number that says otherwise is refused,
    never scored.
    """
    for attr, (text_attr, column) in _HIDDEN.items():
        text = item[text_attr].strip()
        measure = parse_measure(text)
        hidden = item[attr]
        if hidden is not None:
            if measure.value is None or measure.value != Decimal(hidden):
                cell = f"{get_column_letter(column)}{row_number}"
                reader.errors.append(
                    _("%(sheet)s 第%(row)s行 %(cell)s 隐藏列数值%(hidden)s与可见的%(label)s“%(text)s”不一致")
                    % {
                        "sheet": SHEET,
                        "row": row_number,
                        "cell": cell,
                        "hidden": hidden,
                        "label": LABELS[text_attr],
                        "text": text,
                    }
                )
            continue
        # An actual written with an operator ("≥95%") is not a measurement; "=100%" is.
        if attr == "actual" and measure.has_operator and measure.sign != "=":
            continue
        item[attr] = num(measure.value) if measure.value is not None else None
