"""Fixtures for the spreadsheet tests: the seed report alone (fast), workbooks built in the test."""

import datetime
import io

import pytest
from openpyxl import Workbook

from departments.models import Department
from reports.demo.build import ROUND_NAME, RULES_NAME, TEMPLATE_NAME, seed_document
from reports.interchange.store import report_import, round_create_from_document
from reports.models import Report
from tests.conftest import make_user


@pytest.fixture
def seed(db):
    """The seed report (101001, 2021) in its round, and a second department the round covers."""
    doc = seed_document()
    dept = Department.objects.create(
        code=doc["department"]["code"], name=doc["department"]["name"], short_name=doc["department"]["short_name"]
    )
    other = Department.objects.create(code="201001", name="上街区教育局", short_name="区教育局")
    round_ = round_create_from_document(
        document=doc,
        name=ROUND_NAME,
        deadline=datetime.date(2022, 3, 31),
        template_name=TEMPLATE_NAME,
        rules_name=RULES_NAME,
    )
    round_.departments.add(dept, other)
    report_import(document=doc, source="seed")
    return Report.objects.select_related("department", "round").get(department=dept, round=round_)


@pytest.fixture
def superuser(db):
    return make_user("x_admin", is_staff=True, is_superuser=True)


def xlsx(rows, title="Sheet1") -> bytes:
    """A workbook built the way a person's spreadsheet would be: first sheet, row 1 the headings."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
