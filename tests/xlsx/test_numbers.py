"""The numbers an import takes are those a person sees in the sheet, never a hidden column's."""

from decimal import Decimal

import pytest

from reports.models import Report
from reports.xlsx.table import SHEET
from tests.conftest import make_user
from tests.xlsx.test_views import edited, upload

pytestmark = pytest.mark.django_db

ROW = 39  # the seed's 服务社区数量: 指标值 E39 "≥41个城市社区", 实际完成值 G39 "41个", hidden actual Q39 41


@pytest.fixture
def accountant(seed):
    return make_user("n_acct", "accountant", seed.department)


def visible_actual(text, hidden="keep"):
    def change(wb):
        ws = wb[SHEET]
        assert ws.cell(row=ROW, column=3).value == "服务社区数量"
        ws.cell(row=ROW, column=7, value=text)
        if hidden != "keep":
            ws.cell(row=ROW, column=17).value = hidden  # cell(value=None) would not clear it

    return change


def test_hidden_actual_disagreeing_with_the_visible_text_refuses_the_file(client, seed, accountant):
    client.force_login(accountant)
    version = seed.version
    response = client.post(f"/xlsx/reports/{seed.pk}/import/", {"file": upload(edited(seed, visible_actual("30个")))})
    assert response.status_code == 400
    assert "第39行 Q39 隐藏列数值41与可见的实际完成值“30个”不一致" in response.content.decode()
    seed.refresh_from_db()
    assert seed.version == version


def test_the_visible_actual_is_what_is_scored(client, seed, accountant):
    client.force_login(accountant)
    data = edited(seed, visible_actual("30个", hidden=None))
    response = client.post(f"/xlsx/reports/{seed.pk}/import/", {"file": upload(data)})
    assert response.status_code == 200 and response.context["token"]
    assert client.post("/xlsx/import/confirm/", {"token": response.context["token"]}).status_code == 302
    report = Report.objects.get(pk=seed.pk)
    row = report.indicators.get(level3="服务社区数量")
    assert (row.actual_text, row.actual) == ("30个", Decimal("30"))
    assert report.rule_total == Decimal("99.44") - Decimal("30") + Decimal("21.95")


@pytest.mark.parametrize("amount", [1e20, -5, "9" * 30])
def test_an_amount_the_column_cannot_hold_is_a_cell_error_in_the_preview(client, seed, accountant, amount):
    from tests.xlsx.test_views import set_executed

    client.force_login(accountant)
    version = seed.version
    response = client.post(f"/xlsx/reports/{seed.pk}/import/", {"file": upload(edited(seed, set_executed(amount)))})
    assert response.status_code == 400
    page = response.content.decode()
    assert "超出可保存的范围" in page or "不能为负数" in page or "不是有效的数字" in page
    seed.refresh_from_db()
    assert seed.version == version


def test_a_30_digit_actual_in_the_sheet_is_a_cell_error(client, seed, accountant):
    client.force_login(accountant)
    response = client.post(
        f"/xlsx/reports/{seed.pk}/import/", {"file": upload(edited(seed, visible_actual("9" * 30 + "个", None)))}
    )
    assert response.status_code == 400
    assert "超出可保存的范围" in response.content.decode()
