"""The standard table (部门整体绩效自评表) as an Excel workbook, both ways, through perfeval.report/1.

report → document (`report_to_document`) → workbook here; workbook → document here →
`report_import`. No database in this module: a document in, bytes out, and back.

The workbook:

- 自评表: the seed's layout on columns A–L (title, header, 年度总体目标/完成情况, 年度主要任务,
  预算情况, the indicators with level-1/level-2 cells merged, the table notes), printed landscape A4
  fit to width with rows 1–3 repeated. Column M (hidden) holds each row's key, so rows are found by
  what they are, not where they are: a row inserted among the tasks or the indicators is read as
  one. Grey columns N–T, outside the print area, hold what the printed layout does not show but the
  report keeps (原表执行率, 性质, 符号, the numbers behind 指标值/实际完成值, 完成档次, 适用,
  and the totals a published report printed).
- 自评报告: the report's preamble, its eight sections and the weight note, one per row.
- perfeval (hidden): the format, department, year, round and the round's rules, level-1 weights and
  table notes, which are the round's and are carried only so a document reads back whole.

Figures perfeval computes (rates, self total and grade) are shown as values and never read back.
No cell holds a formula; text that looks like one is a quote-prefixed string.
"""

from reports.xlsx.layout import KEY, LAYOUT, META_SHEET, NARRATIVE_SHEET, SHEET
from reports.xlsx.reader import ReadResult, read_xlsx, xlsx_to_document
from reports.xlsx.writer import document_to_xlsx, document_workbook

__all__ = [
    "KEY",
    "LAYOUT",
    "META_SHEET",
    "NARRATIVE_SHEET",
    "SHEET",
    "ReadResult",
    "document_to_xlsx",
    "document_workbook",
    "read_xlsx",
    "xlsx_to_document",
]
