"""Spreadsheets that cannot hurt: inert text on the way out, bounded and checked files on the way in.

Out: any text Excel would read as a formula (= + - @, tab, carriage return first) is written as a
string cell with the quotePrefix style in XLSX (the text itself stays exact, so a workbook reads
back unchanged) and with a leading apostrophe in CSV (which has no types).

In: an upload is refused, with a Chinese message and before openpyxl parses anything, when it is
too large, not a zip (.xls, CSV, encrypted workbooks), declares more uncompressed bytes or members
than a workbook of ours ever needs (a zip bomb: Python's zipfile never inflates a member past the
size its directory declares, so checking the directory bounds the work), is not a spreadsheetml
workbook (macros, other OOXML types), or carries a DTD (entity expansion). Sheets are then read
with openpyxl in read-only mode, their declared and actual size capped, and a formula in any cell
we read is refused.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from xml.sax import SAXException
from xml.sax.handler import ContentHandler

import defusedxml.sax
import openpyxl
from defusedxml import DefusedXmlException
from django.conf import settings
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What browsers and mail clients send for an .xlsx file; anything else is refused.
UPLOAD_CONTENT_TYPES = frozenset(
    {XLSX_CONTENT_TYPE, "application/octet-stream", "application/zip", "application/x-zip-compressed", ""}
)
WORKBOOK_MAIN_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_MAIN_TYPE = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"

ZIP_MAGIC = (b"PK\x03\x04",)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and .xlsx files encrypted with a password

MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024
MAX_MEMBERS = 500
MAX_RATIO = 200  # uncompressed / compressed for one member larger than 1 MiB
MAX_ROWS = 20_000
MAX_COLUMNS = 64
MAX_CELL_TEXT = 32_767  # Excel's own limit for one cell


class SpreadsheetRefused(ValueError):
    """A file we will not read; `errors` are Chinese sentences for the person who uploaded it."""

    def __init__(self, errors: list[str] | str):
        if isinstance(errors, str):
            errors = [errors]
        super().__init__("\n".join(errors))
        self.errors = errors


# --- out ------------------------------------------------------------------------------------


def needs_escape(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


_OOXML_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_OOXML_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def clean_text(value: str) -> str:
    """Text as a cell can carry it.

    Characters XML 1.0 cannot carry (NUL, other C0 controls) become U+FFFD instead of failing;
    a carriage return, which XML parsers turn into a line feed, is written the way Excel writes
    it (_x000D_), and a literal _xHHHH_ is escaped as Excel does, so `cell_text` reads back the
    exact text.
    """
    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    value = _OOXML_ESCAPE.sub(r"_x005F_\1", value)
    return value.replace("\r", "_x000D_")


def cell_text(value: str) -> str:
    """The inverse of `clean_text` (openpyxl leaves Excel's _xHHHH_ escapes in the text)."""
    if "_x" not in value:
        return value
    return _OOXML_ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), value)


def set_cell(cell, value):
    """Write a value so that Excel never evaluates it: text stays text, exactly as given."""
    if isinstance(value, str):
        value = clean_text(value)
        if len(value) > MAX_CELL_TEXT:
            raise ValueError(f"{cell.coordinate}：文本超过 Excel 单元格上限 {MAX_CELL_TEXT} 字")
        cell.value = value
        # openpyxl types "=…" as a formula on assignment; force a string cell.
        cell.data_type = "s"
        if needs_escape(value):
            cell.quotePrefix = True
        return cell
    cell.value = value
    return cell


def csv_text(value) -> str:
    """A value for a CSV cell: the apostrophe OWASP recommends in front of anything formula-like."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    text = str(value)
    if needs_escape(text):
        return "'" + text
    return text


# --- in -------------------------------------------------------------------------------------


def max_upload_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_BYTES", 5 * 1024 * 1024))


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{max(1, n // 1024)} KB"


def check_upload(name: str, size: int, content_type: str | None = None) -> None:
    """What can be told before reading a byte: the name, the declared type, the size."""
    lower = (name or "").lower()
    if lower.endswith(".xls"):
        raise SpreadsheetRefused("不支持旧版 .xls 文件，请在 Excel 中“另存为” .xlsx 工作簿后再上传。")
    if lower.endswith((".csv", ".txt", ".tsv")):
        raise SpreadsheetRefused("不接受 CSV/文本文件，请在 Excel 中“另存为” .xlsx 工作簿后再上传。")
    if lower.endswith(".xlsm"):
        raise SpreadsheetRefused("不接受含宏的 .xlsm 工作簿，请另存为 .xlsx 后再上传。")
    if not lower.endswith(".xlsx"):
        raise SpreadsheetRefused("只接受 .xlsx 格式的 Excel 工作簿。")
    if content_type is not None and content_type.split(";")[0].strip().lower() not in UPLOAD_CONTENT_TYPES:
        raise SpreadsheetRefused(f"文件类型“{content_type}”不是 .xlsx 工作簿。")
    limit = max_upload_bytes()
    if size > limit:
        raise SpreadsheetRefused(f"文件太大（{_size(size)}），上限为 {_size(limit)}。")


def check_upload_file(uploaded) -> bytes:
    """An UploadedFile checked and read, never beyond the size limit."""
    check_upload(uploaded.name, uploaded.size, getattr(uploaded, "content_type", None))
    data = b"".join(uploaded.chunks())
    check_workbook_bytes(data)
    return data


def check_workbook_bytes(data: bytes) -> None:
    """The zip container: magic, directory sizes, content types, no DTD. Raises SpreadsheetRefused."""
    limit = max_upload_bytes()
    if len(data) > limit:
        raise SpreadsheetRefused(f"文件太大（{_size(len(data))}），上限为 {_size(limit)}。")
    if not data:
        raise SpreadsheetRefused("文件是空的。")
    if data.startswith(OLE_MAGIC):
        raise SpreadsheetRefused(
            "这是旧版 .xls 文件或加了密码的工作簿，无法读取；请取消密码并“另存为” .xlsx 后再上传。"
        )
    if not data.startswith(ZIP_MAGIC):
        raise SpreadsheetRefused(
            "文件不是有效的 .xlsx 工作簿（可能是改了扩展名的 CSV、文本或其他编码的文件），"
            "请在 Excel 中“另存为” .xlsx 后再上传。"
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise SpreadsheetRefused("文件已损坏，不是完整的 .xlsx 工作簿。") from None
    with archive:
        if len(members) > MAX_MEMBERS:
            raise SpreadsheetRefused(f"工作簿内部文件过多（{len(members)} 个），拒绝读取。")
        total = 0
        for info in members:
            if info.flag_bits & 0x1:
                raise SpreadsheetRefused("工作簿内容已加密，无法读取。")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise SpreadsheetRefused("工作簿使用了不支持的压缩方式。")
            total += info.file_size
            if total > MAX_UNCOMPRESSED_BYTES:
                raise SpreadsheetRefused(
                    f"工作簿解压后超过 {_size(MAX_UNCOMPRESSED_BYTES)}（疑似压缩炸弹），拒绝读取。"
                )
            if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise SpreadsheetRefused("工作簿内部文件的压缩比异常（疑似压缩炸弹），拒绝读取。")
        names = {info.filename for info in members}
        if "[Content_Types].xml" not in names:
            raise SpreadsheetRefused("文件不是 .xlsx 工作簿（缺少 [Content_Types].xml）。")
        try:
            for info in members:
                content = archive.read(info)
                # Every part that is XML by its bytes, whatever its name or encoding, goes through
                # defusedxml: a byte search misses a UTF-16 part, a name filter a part renamed .dat.
                if info.filename == "[Content_Types].xml" or _looks_like_xml(content):
                    _check_xml(content)
                if info.filename == "[Content_Types].xml":
                    types = content
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            if isinstance(exc, SpreadsheetRefused):
                raise
            raise SpreadsheetRefused("文件已损坏，无法解压。") from None
        if any(name.lower().endswith("vbaproject.bin") for name in names) or MACRO_MAIN_TYPE in types:
            raise SpreadsheetRefused("工作簿含有宏，拒绝读取；请另存为不含宏的 .xlsx 后再上传。")
        if WORKBOOK_MAIN_TYPE not in types:
            raise SpreadsheetRefused("文件不是 Excel 工作簿（可能是 Word、PowerPoint 等其他 Office 文件）。")


_XML_STARTS = (b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00<", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")


def _looks_like_xml(content: bytes) -> bool:
    return content.lstrip(b" \t\r\n").startswith(_XML_STARTS)


def _check_xml(content: bytes) -> None:
    """Parse a part with defusedxml (streaming, no tree): DTDs and entities are refused."""
    try:
        defusedxml.sax.parseString(content, ContentHandler(), forbid_dtd=True)
    except DefusedXmlException:
        raise SpreadsheetRefused("工作簿含有 XML 实体声明（DTD），拒绝读取。") from None
    except (SAXException, ValueError, UnicodeError, LookupError):
        raise SpreadsheetRefused("工作簿内容无法读取（XML 损坏或编码错误，不是 Excel 生成的 .xlsx）。") from None


def open_workbook(data: bytes):
    """A read-only openpyxl workbook over checked bytes; openpyxl's own failures become refusals."""
    check_workbook_bytes(data)
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except SpreadsheetRefused:
        raise
    except UnicodeDecodeError:
        raise SpreadsheetRefused("工作簿内容的编码错误（不是 UTF-8 的 XML），无法读取。") from None
    except Exception:
        raise SpreadsheetRefused("工作簿内容无法读取（文件损坏、编码错误或不是 Excel 生成的 .xlsx）。") from None


@dataclass(slots=True)
class Cell:
    row: int
    column: int
    value: object

    @property
    def ref(self) -> str:
        return f"{get_column_letter(self.column)}{self.row}"


_FORMULA_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_REF_RE = re.compile(rb'\sr="([A-Z]{1,3}[0-9]{1,7})"')


def _refuse_formulas(ws) -> None:
    """Any formula in the sheet, found in its XML before a cell is parsed; named by its cell."""
    try:
        xml = ws.parent._archive.read(ws._worksheet_path)
    except (AttributeError, KeyError):  # not a read-only sheet of a zip: nothing to scan
        return
    match = _FORMULA_RE.search(xml)
    if match is None:
        return
    refs = _CELL_REF_RE.findall(xml, max(0, match.start() - 400), match.start())
    ref = refs[-1].decode() if refs else "?"
    end = xml.find(b"<", match.end())
    text = xml[match.end() : end if end != -1 else match.end() + 40].decode("utf-8", "replace").lstrip(">")
    formula = f"={text}"[:40] if text else "共享公式"
    raise SpreadsheetRefused(
        f"工作表“{ws.title}”{ref} 单元格是公式（{formula}），请改为直接填写数值或文字；"
        "文字以 = 开头时请在前面加英文单引号 '。"
    )


def sheet_rows(ws, *, max_rows: int | None = None, max_columns: int | None = None) -> Iterator[list[Cell]]:
    """Rows of a read-only sheet as Cells (blank cells left out), refusing formulas and huge sheets.

    The size the sheet declares is checked first; then rows are read one at a time and counted,
    so a sheet that lies about its size is stopped at the cap all the same.
    """
    max_rows = max_rows or MAX_ROWS
    max_columns = max_columns or MAX_COLUMNS
    declared_rows, declared_columns = ws.max_row, ws.max_column
    if (declared_rows or 0) > max_rows or (declared_columns or 0) > max_columns:
        raise SpreadsheetRefused(
            f"工作表“{ws.title}”过大（{declared_rows or '?'} 行 × {declared_columns or '?'} 列），"
            f"上限为 {max_rows} 行 × {max_columns} 列。"
        )
    _refuse_formulas(ws)
    # Read every cell that is there, whatever the declared dimension says.
    ws.reset_dimensions()
    try:
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            if number > max_rows:
                raise SpreadsheetRefused(f"工作表“{ws.title}”超过 {max_rows} 行，拒绝读取。")
            if len(row) > max_columns and any(v is not None and v != "" for v in row[max_columns:]):
                raise SpreadsheetRefused(f"工作表“{ws.title}”超过 {max_columns} 列，拒绝读取。")
            yield [
                Cell(number, index, value)
                for index, value in enumerate(row, start=1)
                if value is not None and value != ""
            ]
    except SpreadsheetRefused:
        raise
    except Exception:
        raise SpreadsheetRefused(f"工作表“{ws.title}”内容无法读取（文件损坏或编码错误）。") from None


# --- values ---------------------------------------------------------------------------------

_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def to_decimal(value) -> Decimal | None:
    """A cell as an exact Decimal; blank is None. Raises ValueError (Chinese) for anything else.

    Floats come from the file's text through at most 15 significant digits, which is what Excel
    keeps, so 477.48 stays 477.48 even when Excel wrote 477.48000000000002.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"“{value}”不是数字")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("不是有效的数字")
        result = Decimal(format(value, ".15g"))
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "").replace(" ", "")
        if text == "":
            return None
        if not _NUMBER_RE.match(text):
            raise ValueError(f"“{value}”不是数字")
        result = Decimal(text)
    else:
        raise ValueError(f"“{value}”不是数字")
    try:
        if not result.is_finite():
            raise ValueError("不是有效的数字")
        # A plain-notation value: 1E+2 -> 100, -0 -> 0.
        return result.quantize(Decimal(1)) if result == result.to_integral_value() else result.normalize()
    except InvalidOperation:
        raise ValueError(f"“{value}”不是有效的数字") from None


def to_text(value) -> str:
    """A cell as text, exactly as typed (numbers written the way a person reads them)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return format(to_decimal(value), "f")
    if isinstance(value, (int, Decimal)):
        return format(value, "f")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return cell_text(str(value))
