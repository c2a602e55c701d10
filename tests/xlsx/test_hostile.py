"""Must show 3: malformed and hostile workbooks, each built here, each refused with its message.

Every file goes through both doors a spreadsheet comes in by, the admin's budget import and the
standard-table import page, and nothing is written either way.
"""

import io
import re
import struct
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from departments.models import BudgetLine, Department
from perfeval.spreadsheets import safety
from reports.models import Report, ReportEvent, ReportIndicator
from reports.xlsx.services import report_xlsx
from tests.conftest import make_user
from tests.xlsx.conftest import xlsx

pytestmark = pytest.mark.django_db

BUDGET_HEAD = ("部门编码", "年度", "项目", "年初预算数", "全年预算数", "预算执行数")


def rewrite(data: bytes, member: str, change) -> bytes:
    """The same zip with one member's bytes changed (or added when absent)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = source.namelist()
        for name in names:
            content = source.read(name)
            target.writestr(name, change(content) if name == member else content)
        if member not in names:
            target.writestr(member, change(b""))
    return out.getvalue()


def lie_about_size(data: bytes, member: str, size: int) -> bytes:
    """A zip whose central directory declares `size` uncompressed bytes for `member`."""
    raw = bytearray(data)
    name = member.encode()
    at = raw.find(b"PK\x01\x02")
    while at != -1:
        name_len = struct.unpack("<H", raw[at + 28 : at + 30])[0]
        if bytes(raw[at + 46 : at + 46 + name_len]) == name:
            raw[at + 24 : at + 28] = struct.pack("<I", size)
            return bytes(raw)
        at = raw.find(b"PK\x01\x02", at + 4)
    raise AssertionError(member)


def set_dimension(ref: str):
    return lambda xml: re.sub(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), xml)


def gbk_text(xml: bytes) -> bytes:
    """The sheet's Chinese text re-encoded as GBK while the XML still says (or defaults to) UTF-8.

    openpyxl writes the text as character references when lxml is installed: they are turned
    into the characters first, so that the bytes really are GBK.
    """
    text = re.sub(r"&#(\d+);", lambda m: chr(int(m[1])) if int(m[1]) > 127 else m[0], xml.decode("utf-8"))
    out = text.encode("gbk", errors="replace")
    with pytest.raises(UnicodeDecodeError):
        out.decode("utf-8")  # the case must not quietly turn into valid UTF-8
    return out


DOCTYPE = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>'


def utf16_with_doctype(xml: bytes) -> bytes:
    """The part re-encoded as UTF-16, carrying a DTD: no DOCTYPE bytes for a byte search to find."""
    body = xml.decode("utf-8").split("?>", 1)[-1]
    return (DOCTYPE.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"') + body).encode("utf-16")


def sheet_renamed_dat(data: bytes) -> bytes:
    """The first sheet moved to a `.dat` part (the rels point at it) that carries a DTD."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                name, content = "xl/worksheets/sheet1.dat", DOCTYPE + content.split(b"?>", 1)[-1]
            elif name.endswith(".rels") or name == "[Content_Types].xml":
                content = content.replace(b"sheet1.xml", b"sheet1.dat")
            target.writestr(name, content)
    return out.getvalue()


CASES = {
    # name: (build(valid_bytes) -> (bytes, filename), expected message part)
    "csv_renamed": (lambda d: ("部门编码,年度\n101001,2021\n".encode("gbk"), "预算.xlsx"), "不是有效的 .xlsx"),
    "csv_upload": (lambda d: ("部门编码,年度\n".encode("gbk"), "预算.csv"), "不接受 CSV"),
    "xls_upload": (lambda d: (safety.OLE_MAGIC + b"\0" * 512, "预算.xls"), "不支持旧版 .xls"),
    "ole_renamed": (lambda d: (safety.OLE_MAGIC + b"\0" * 512, "预算.xlsx"), "加了密码"),
    "truncated": (lambda d: (d[: len(d) // 2], "x.xlsx"), "已损坏"),
    "empty": (lambda d: (b"", "x.xlsx"), "空"),
    "zip_bomb": (
        lambda d: (rewrite(d, "xl/media/pad.xml", lambda _b: b"\0" * (6 * 1024 * 1024)), "x.xlsx"),
        "压缩比异常",
    ),
    "zip_bomb_lying_directory": (
        lambda d: (lie_about_size(d, "xl/worksheets/sheet1.xml", 3_000_000_000), "x.xlsx"),
        "疑似压缩炸弹",
    ),
    "huge_declared_sheet": (
        lambda d: (rewrite(d, "xl/worksheets/sheet1.xml", set_dimension("A1:XFD1048576")), "x.xlsx"),
        "过大",
    ),
    "entity_expansion": (
        lambda d: (rewrite(d, "xl/workbook.xml", lambda x: DOCTYPE + x.split(b"?>", 1)[-1]), "x.xlsx"),
        "DTD",
    ),
    "entity_in_utf16_part": (
        lambda d: (rewrite(d, "xl/worksheets/sheet1.xml", utf16_with_doctype), "x.xlsx"),
        "DTD",
    ),
    "entity_in_part_renamed_dat": (lambda d: (sheet_renamed_dat(d), "x.xlsx"), "DTD"),
    "macros": (lambda d: (rewrite(d, "xl/vbaProject.bin", lambda _b: b"\0" * 64), "x.xlsx"), "含有宏"),
    "not_a_spreadsheet": (
        lambda d: (
            rewrite(d, "[Content_Types].xml", lambda x: x.replace(b"spreadsheetml.sheet.main", b"wordprocessingml.x")),
            "x.xlsx",
        ),
        "不是 Excel 工作簿",
    ),
    "wrong_encoding": (lambda d: (rewrite(d, "xl/worksheets/sheet1.xml", gbk_text), "x.xlsx"), "无法读取"),
    "wrong_content_type": (lambda d: (d, "x.xlsx", "text/csv"), "不是 .xlsx 工作簿"),
}


def budget_bytes() -> bytes:
    return xlsx([BUDGET_HEAD, ("101001", 2021, "部门预算总额", 1, 2, 3)])


def counts():
    return (
        BudgetLine.objects.count(),
        Report.objects.count(),
        ReportEvent.objects.count(),
        ReportIndicator.objects.count(),
        Department.objects.count(),
    )


def post_file(client, url, field, built, extra=None):
    data, name, *content_type = built
    upload = SimpleUploadedFile(name, data, content_type=content_type[0] if content_type else safety.XLSX_CONTENT_TYPE)
    return client.post(url, {field: upload, **(extra or {})})


@pytest.mark.parametrize("case", list(CASES))
def test_admin_budget_import_refuses(case, client, seed, superuser):
    client.force_login(superuser)
    build, message = CASES[case]
    before = counts()
    response = post_file(
        client,
        "/admin/departments/budgetline/import/",
        "import_file",
        build(budget_bytes()),
        {"format": "0", "resource": "0"},
    )
    page = response.content.decode()
    assert message in page, case
    assert "confirm_form" not in (response.context or {})
    assert counts() == before


@pytest.mark.parametrize("case", list(CASES))
def test_standard_table_import_refuses(case, client, seed):
    user = make_user("acct_hostile", "accountant", seed.department)
    client.force_login(user)
    build, message = CASES[case]
    data = report_xlsx(seed)
    before = counts()
    response = post_file(client, f"/xlsx/reports/{seed.pk}/import/", "file", build(data))
    assert response.status_code == 400, case
    assert message in response.content.decode(), case
    assert counts() == before


def test_formula_in_an_input_cell_is_refused(client, seed, superuser):
    client.force_login(superuser)
    data = xlsx([BUDGET_HEAD, ("101001", 2021, "部门预算总额", 1, "=1+1", 3)])
    response = post_file(
        client,
        "/admin/departments/budgetline/import/",
        "import_file",
        (data, "x.xlsx"),
        {"format": "0", "resource": "0"},
    )
    assert "E2 单元格是公式（=1+1）" in response.content.decode()
    assert BudgetLine.objects.count() == 5  # the seed's own, untouched


def test_a_sheet_longer_than_its_dimension_says_is_stopped_at_the_cap(monkeypatch, client, seed, superuser):
    """Rows are counted as read: a sheet lying about its size does not get past the cap."""
    monkeypatch.setattr(safety, "MAX_ROWS", 50)
    client.force_login(superuser)
    rows = [BUDGET_HEAD] + [("101001", 2021, "部门预算总额", 1, 2, 3)] * 60
    data = rewrite(xlsx(rows), "xl/worksheets/sheet1.xml", set_dimension("A1:F2"))
    response = post_file(
        client,
        "/admin/departments/budgetline/import/",
        "import_file",
        (data, "x.xlsx"),
        {"format": "0", "resource": "0"},
    )
    assert "超过 50 行" in response.content.decode()


def test_too_large_an_upload_is_refused_before_reading(client, seed, superuser, settings):
    settings.UPLOAD_MAX_BYTES = 2000
    client.force_login(superuser)
    data = xlsx([BUDGET_HEAD] + [("101001", 2021, "部门预算总额", 1, 2, 3)] * 200)
    assert len(data) > 2000
    response = post_file(
        client,
        "/admin/departments/budgetline/import/",
        "import_file",
        (data, "x.xlsx"),
        {"format": "0", "resource": "0"},
    )
    assert "文件太大" in response.content.decode()
    user = make_user("acct_big", "accountant", seed.department)
    client.force_login(user)
    response = post_file(client, f"/xlsx/reports/{seed.pk}/import/", "file", (data, "x.xlsx"))
    assert response.status_code == 400 and "文件太大" in response.content.decode()


def test_wrong_layout_for_the_standard_table(client, seed):
    user = make_user("acct_layout", "accountant", seed.department)
    client.force_login(user)
    data = xlsx([BUDGET_HEAD, ("101001", 2021, "部门预算总额", 1, 2, 3)])
    before = counts()
    response = post_file(client, f"/xlsx/reports/{seed.pk}/import/", "file", (data, "预算.xlsx"))
    assert response.status_code == 400
    assert "不是 perfeval 导出的自评表" in response.content.decode()
    assert counts() == before
