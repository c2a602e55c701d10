"""The round summary: one row per department, from one generator, as XLSX or CSV.

`summary_rows(round)` yields the header and then one tuple per department the round covers
(departments without a report yet show as 未填报). Both writers consume it as it comes: the XLSX
one through openpyxl's write-only mode, the CSV one line by line for a streaming response.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from perfeval.spreadsheets.safety import csv_text, set_cell
from reports.models import Report, Round
from reports.xlsx.layout import NO_LEVEL1

NOT_STARTED = "未填报"


def _dec(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


def _level1_names(round_: Round, reports: list[Report]) -> list[tuple[str, Decimal | None]]:
    names: dict[str, Decimal | None] = {}
    for node in round_.template.level1_nodes.order_by("order", "pk"):
        if node.applicable:
            names[node.name] = node.weight
    for report in reports:
        for item in report.level1_scores or ():
            names.setdefault(item.get("name", ""), _dec(item.get("weight")))
    if list(names) == [""]:  # a flat list: its one group is the total less 预算执行率, as the dashboard has it
        return []
    return list(names.items())


def _weight(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return f"（{text}分）"


def final_ranks(reports: list[Report]) -> dict[int, int]:
    """Report pk -> rank by final score (审核得分), highest first; equal scores share a rank
    (1, 2, 2, 4). Reports without a final score (not approved) have none."""
    scored = sorted((r for r in reports if r.final_score is not None), key=lambda r: r.final_score, reverse=True)
    ranks: dict[int, int] = {}
    for place, report in enumerate(scored, start=1):
        previous = scored[place - 2] if place > 1 else None
        same = previous is not None and previous.final_score == report.final_score
        ranks[report.pk] = ranks[previous.pk] if same else place
    return ranks


def summary_rows(round_: Round) -> Iterator[tuple]:
    """The header, then one row per department of the round, in budget-code order."""
    reports = list(Report.objects.filter(round=round_).select_related("department").order_by("department__code"))
    by_department = {r.department_id: r for r in reports}
    level1 = _level1_names(round_, reports)
    ranks = final_ranks(reports)
    execution_weight = round_.template.execution_weight
    header = ["预算编码", "部门(单位)名称", "状态", f"预算执行率{_weight(execution_weight)}", "预算执行率 自评"]
    for name, weight in level1:
        label = name or NO_LEVEL1  # the rows under no level-1 label, scored as one group
        header += [f"{label}{_weight(weight)}", f"{label} 自评"]
    header += ["规则得分", "自评得分", "审核得分", "排名", "评价等级", "自评结果", "审核等级", "错误", "提示"]
    yield tuple(header)

    departments = list(round_.departments.order_by("code"))
    covered = {d.pk for d in departments}
    departments += [r.department for r in reports if r.department_id not in covered]
    for department in departments:
        report = by_department.get(department.pk)
        if report is None:
            yield (department.code, department.name, NOT_STARTED) + (None,) * (len(header) - 3)
            continue
        scores = {item.get("name"): item for item in report.level1_scores or ()}
        row = [
            department.code,
            department.name,
            report.get_state_display(),
            report.execution_score,
            report.execution_self_score,
        ]
        for name, _weight_value in level1:
            item = scores.get(name) or {}
            row += [_dec(item.get("score")), _dec(item.get("self_score"))]
        row += [
            report.rule_total,
            report.self_total,
            report.final_score,
            ranks.get(report.pk),
            report.grade,
            report.self_grade,
            report.final_grade,
            # Not scored yet (started, never saved): no counts rather than a misleading 0.
            report.error_count if report.scored_at else None,
            report.warning_count if report.scored_at else None,
        ]
        yield tuple(row)


def _sheet_title(name: str) -> str:
    return (re.sub(r"[\[\]:*?/\\]", " ", name).strip() or "汇总")[:31]


def round_summary_workbook(round_: Round) -> bytes:
    """The round summary as an .xlsx file (rows streamed into a write-only workbook)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_sheet_title(f"{round_.year} {round_.name}"))
    rows = summary_rows(round_)
    header = next(rows)
    for i, _label in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = 30 if i == 2 else 12
    ws.freeze_panes = "C2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    bold = Font(name="宋体", size=10, bold=True)
    plain = Font(name="宋体", size=10)
    fill = PatternFill("solid", fgColor="E8EEF5")
    wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")

    head_cells = []
    for label in header:
        cell = set_cell(WriteOnlyCell(ws), label)
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
        head_cells.append(cell)
    ws.append(head_cells)
    count = 0
    for row in rows:
        cells = []
        for value in row:
            cell = set_cell(WriteOnlyCell(ws), value)
            cell.font = plain
            if isinstance(value, Decimal):
                cell.number_format = "0.00"
            cells.append(cell)
        ws.append(cells)
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


class _Line:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text = text


def round_summary_csv(round_: Round) -> Iterator[str]:
    """The same rows as CSV lines (UTF-8 with BOM so Excel reads the Chinese), formulas made inert."""
    line = _Line()
    writer = csv.writer(line, lineterminator="\r\n")
    yield "\ufeff"
    for row in summary_rows(round_):
        writer.writerow([csv_text(value) for value in row])
        yield line.text


def summary_filename(round_: Round, extension: str) -> str:
    return f"{round_.year}-{_sheet_title(round_.name)}-汇总.{extension}"
