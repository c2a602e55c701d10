"""django-import-export, made safe and Chinese: one XLSX format, widgets, a base resource, an admin mixin.

- `SafeXLSX` reads uploads through `perfeval.spreadsheets.safety` (size, zip directory, content types,
  read-only openpyxl, capped rows and columns, no formulas) and writes exports with formula-like
  text made inert; `SafeCSV` exports only (CSV uploads are refused with a message).
- `SheetResource` checks the header row (required and unknown columns, in Chinese), skips blank
  rows, loads the existing rows a file names in one query, reports each error under its column
  heading and cell column, and never runs a query per row to validate.
- `SpreadsheetAdminMixin` adds import (dry-run preview, errors per row and cell) and export to an
  admin; confirming re-runs the import in one transaction and rolls back on any error, so a file
  is written whole or not at all, even if the data changed since the preview.
"""

from perfeval.spreadsheets.admin import SpreadsheetAdminMixin, SpreadsheetImportForm
from perfeval.spreadsheets.formats import SafeCSV, SafeXLSX
from perfeval.spreadsheets.resources import KeyedInstanceLoader, SheetResource
from perfeval.spreadsheets.widgets import (
    ChoiceWidget,
    CodeWidget,
    DecimalWidget,
    TextWidget,
    VersionWidget,
    YearWidget,
    YesNoWidget,
)

__all__ = [
    "ChoiceWidget",
    "CodeWidget",
    "DecimalWidget",
    "KeyedInstanceLoader",
    "SafeCSV",
    "SafeXLSX",
    "SheetResource",
    "SpreadsheetAdminMixin",
    "SpreadsheetImportForm",
    "TextWidget",
    "VersionWidget",
    "YearWidget",
    "YesNoWidget",
]
