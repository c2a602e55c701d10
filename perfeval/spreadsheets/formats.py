"""Import-export formats: .xlsx read through the project's checks and written with inert text; CSV out only."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import tablib
from import_export.formats.base_formats import Format
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from perfeval.spreadsheets.safety import (
    XLSX_CONTENT_TYPE,
    SpreadsheetRefused,
    csv_text,
    open_workbook,
    set_cell,
    sheet_rows,
    to_text,
)


def normalise_header(value) -> str:
    text = to_text(value).strip().replace(" ", "").replace("\u3000", "")
    text = text.replace("(", "（").replace(")", "）")
    for suffix in ("（万元）", "（元）"):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
    return text


class SafeXLSX(Format):
    """Excel 2007+ (.xlsx): read through the project's checks, written with inert text."""

    def __init__(self, encoding=None):
        self.encoding = encoding

    def get_title(self):
        return "xlsx"

    def get_extension(self):
        return "xlsx"

    def get_content_type(self):
        return XLSX_CONTENT_TYPE

    def can_import(self):
        return True

    def can_export(self):
        return True

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream):
        """The first sheet as a Dataset; row 1 the headings. Raises SpreadsheetRefused."""
        if isinstance(in_stream, str):
            raise SpreadsheetRefused("文件不是 .xlsx 工作簿。")
        wb = open_workbook(in_stream)
        try:
            visible = [ws for ws in wb.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
            if not visible:
                raise SpreadsheetRefused("工作簿中没有可见的工作表。")
            rows = sheet_rows(visible[0])
            first = next(rows, None)
            if not first or first[0].row != 1:
                raise SpreadsheetRefused("第 1 行应为列标题（如“部门编码”），但第 1 行是空的。")
            positions = {}
            for cell in first:
                name = normalise_header(cell.value)
                if name in positions.values():
                    raise SpreadsheetRefused(f"列标题“{name}”重复（{cell.ref}）。")
                positions[cell.column] = name
            dataset = tablib.Dataset(headers=list(positions.values()))
            dataset.perfeval_letters = {name: get_column_letter(col) for col, name in positions.items()}
            columns = list(positions)
            blank = 0
            for cells in rows:
                if not cells:
                    blank += 1
                    continue
                for cell in cells:
                    if cell.column not in positions:
                        raise SpreadsheetRefused(f"{cell.ref} 单元格有内容，但该列没有列标题。")
                # Blank rows inside the data keep their place, so row numbers match the sheet;
                # blank rows at the end are dropped.
                for _ in range(blank):
                    dataset.append([None] * len(columns))
                blank = 0
                values = {cell.column: cell.value for cell in cells}
                dataset.append([values.get(col) for col in columns])
            return dataset
        finally:
            wb.close()

    def export_data(self, dataset, **kwargs):
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Sheet1")
        bold = Font(bold=True)
        fill = PatternFill("solid", fgColor="E8EEF5")
        for i, _header in enumerate(dataset.headers or (), start=1):
            ws.column_dimensions[get_column_letter(i)].width = 16
        head = []
        for header in dataset.headers or ():
            cell = set_cell(WriteOnlyCell(ws), str(header))
            cell.font, cell.fill = bold, fill
            head.append(cell)
        ws.append(head)
        for row in dataset:
            cells = []
            for value in row:
                if isinstance(value, str) and value == "":
                    value = None
                cell = set_cell(WriteOnlyCell(ws), value)
                if isinstance(value, Decimal):
                    cell.number_format = "#,##0.00####"
                cells.append(cell)
            ws.append(cells)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()


class SafeCSV(Format):
    """CSV for export only, UTF-8 with BOM, formula-like text behind an apostrophe."""

    def __init__(self, encoding=None):
        self.encoding = encoding

    def get_title(self):
        return "csv"

    def get_extension(self):
        return "csv"

    def get_content_type(self):
        return "text/csv"

    def can_import(self):
        return False

    def can_export(self):
        return True

    def is_binary(self):
        return False

    def get_read_mode(self):
        return "r"

    def export_data(self, dataset, **kwargs):
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([csv_text(h) for h in dataset.headers or ()])
        for row in dataset:
            writer.writerow([csv_text(v) for v in row])
        return out.getvalue()
