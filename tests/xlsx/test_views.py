"""The workbook pages: export, import with a preview, the round summary; and the two commands."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from departments.models import Department
from perfeval.spreadsheets.safety import XLSX_CONTENT_TYPE
from reports.interchange.store import report_queryset, report_to_document
from reports.models import Report, ReportEvent
from reports.xlsx.services import report_xlsx
from reports.xlsx.summary import round_summary_csv, round_summary_workbook, summary_rows
from reports.xlsx.table import KEY, SHEET, xlsx_to_document
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def edited(seed, change) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(report_xlsx(seed)))
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row_of(ws, key):
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=KEY).value == key)


def set_executed(value):
    def change(wb):
        ws = wb[SHEET]
        ws.cell(row=row_of(ws, "budget.total"), column=7, value=value)

    return change


def upload(data, name="自评表.xlsx"):
    return SimpleUploadedFile(name, data, content_type=XLSX_CONTENT_TYPE)


@pytest.fixture
def accountant(seed):
    return make_user("v_acct", "accountant", seed.department)


def test_export_for_who_may_see_the_report(client, seed, accountant):
    client.force_login(accountant)
    response = client.get(f"/xlsx/reports/{seed.pk}/table.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"] and "101001" in response["Content-Disposition"]
    assert xlsx_to_document(response.content)["department"]["code"] == "101001"

    other = make_user("v_other", "accountant", Department.objects.get(code="201001"))
    client.force_login(other)
    assert client.get(f"/xlsx/reports/{seed.pk}/table.xlsx").status_code == 404
    client.logout()
    assert client.get(f"/xlsx/reports/{seed.pk}/table.xlsx").status_code == 302


def test_import_previews_then_applies(client, seed, accountant):
    client.force_login(accountant)
    version = seed.version
    response = client.post(f"/xlsx/reports/{seed.pk}/import/", {"file": upload(edited(seed, set_executed(460)))})
    assert response.status_code == 200
    page = response.content.decode()
    assert "导入预览" in page and "确认导入" in page
    labels = [(c.label, c.old, c.new) for c in response.context["preview"].changes]
    assert ("部门预算总额 · 预算执行数", "451.06", "460.00") in labels
    seed.refresh_from_db()
    assert seed.version == version  # nothing written by the preview

    token = response.context["token"]
    response = client.post("/xlsx/import/confirm/", {"token": token})
    assert response.status_code == 302
    seed.refresh_from_db()
    assert seed.version == version + 1
    total = next(
        r for r in report_to_document(report_queryset().get(pk=seed.pk))["budget"]["rows"] if r["row"] == "total"
    )
    assert total["executed"] == "460.00"
    assert ReportEvent.objects.filter(report=seed, kind="import", actor=accountant).exists()
    # The preview is spent.
    assert client.post("/xlsx/import/confirm/", {"token": token}).status_code == 302
    seed.refresh_from_db()
    assert seed.version == version + 1


def test_a_report_changed_after_the_preview_is_not_overwritten(client, seed, accountant):
    client.force_login(accountant)
    response = client.post(f"/xlsx/reports/{seed.pk}/import/", {"file": upload(edited(seed, set_executed(460)))})
    Report.objects.filter(pk=seed.pk).update(version=seed.version + 5, goal="同事刚刚改过")
    response = client.post("/xlsx/import/confirm/", {"token": response.context["token"]})
    assert response.status_code == 409
    assert "预览之后报告已被修改" in response.content.decode()
    seed.refresh_from_db()
    assert seed.goal == "同事刚刚改过"


def test_who_may_import(client, seed, accountant):
    reviewer = make_user("v_reviewer", "reviewer")
    client.force_login(reviewer)
    assert client.get(f"/xlsx/reports/{seed.pk}/import/").status_code == 403
    assert client.get("/xlsx/import/").status_code == 403

    other = make_user("v_other2", "accountant", Department.objects.get(code="201001"))
    client.force_login(other)
    response = client.post("/xlsx/import/", {"file": upload(report_xlsx(seed))})
    assert response.status_code == 403  # a workbook of another department

    Report.objects.filter(pk=seed.pk).update(state="submitted")
    client.force_login(accountant)
    response = client.post(f"/xlsx/reports/{seed.pk}/import/", {"file": upload(report_xlsx(seed))})
    assert response.status_code == 400
    assert "只有草稿或退回的报告可以导入替换" in response.content.decode()


def test_admin_imports_a_new_department_report(client, seed, superuser):
    def to_education(wb):
        meta = wb["perfeval"]
        for row in meta.iter_rows():
            if row[0].value == "department.code":
                row[1].value = "201001"

    client.force_login(superuser)
    response = client.post("/xlsx/import/", {"file": upload(edited(seed, to_education))})
    assert response.status_code == 200
    assert response.context["preview"].report is None
    assert "新建草稿报告" in response.content.decode()
    client.post("/xlsx/import/confirm/", {"token": response.context["token"]})
    report = Report.objects.get(department__code="201001")
    assert report.state == "draft" and report.rule_total == seed.rule_total


def test_round_summary_rows_xlsx_and_csv(client, seed):
    Department.objects.filter(code="201001").update(name='=HYPERLINK("http://x","教育局")')
    round_ = seed.round
    rows = list(summary_rows(round_))
    header = rows[0]
    assert header[:5] == ("预算编码", "部门(单位)名称", "状态", "预算执行率（10分）", "预算执行率 自评")
    assert "投入管理指标（40分）" in header and "投入管理指标 自评" in header
    assert header[-9:] == (
        "规则得分",
        "自评得分",
        "审核得分",
        "排名",
        "评价等级",
        "自评结果",
        "审核等级",
        "错误",
        "提示",
    )
    seed_row = dict(zip(header, rows[1], strict=True))
    assert seed_row["预算编码"] == "101001" and seed_row["状态"] == "草稿"
    assert seed_row["预算执行率（10分）"] == Decimal("9.45")
    assert seed_row["投入管理指标（40分）"] == Decimal("39.99") and seed_row["投入管理指标 自评"] == Decimal("39.89")
    assert (seed_row["规则得分"], seed_row["自评得分"], seed_row["评价等级"]) == (
        Decimal("99.44"),
        Decimal("99.34"),
        "优",
    )
    assert seed_row["错误"] == seed.error_count and seed_row["提示"] == seed.warning_count
    assert rows[2][0] == "201001" and rows[2][2] == "未填报"

    wb = openpyxl.load_workbook(io.BytesIO(round_summary_workbook(round_)))
    ws = wb.active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0] == list(header)
    assert values[1][header.index("规则得分")] == pytest.approx(99.44)
    name = ws.cell(row=3, column=2)
    assert name.data_type == "s" and name.quotePrefix and name.value.startswith("=HYPERLINK")
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)

    text = "".join(round_summary_csv(round_))
    assert text.startswith("\ufeff")
    parsed = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert parsed[0] == list(header)
    assert parsed[1][header.index("规则得分")] == "99.44"
    assert parsed[2][1] == '\'=HYPERLINK("http://x","教育局")'
    assert len(parsed) == len(rows)


def test_round_summary_urls_for_the_bureau(client, seed, accountant):
    reviewer = make_user("v_rev", "reviewer")
    client.force_login(reviewer)
    response = client.get(f"/xlsx/rounds/{seed.round.pk}/summary.xlsx")
    assert response.status_code == 200 and response["Content-Type"] == XLSX_CONTENT_TYPE
    response = client.get(f"/xlsx/rounds/{seed.round.pk}/summary.csv")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode("utf-8").startswith("\ufeff预算编码")
    client.force_login(accountant)
    assert client.get(f"/xlsx/rounds/{seed.round.pk}/summary.xlsx").status_code == 403


def test_commands_export_and_import_xlsx(seed, tmp_path):
    path = tmp_path / "seed.xlsx"
    call_command("export_report", "--department", "101001", "--year", "2021", "--format", "xlsx", "-o", str(path))
    original = report_to_document(report_queryset().get(pk=seed.pk))
    Report.objects.filter(pk=seed.pk).update(goal="改过")
    out = io.StringIO()
    call_command("import_report", str(path), stdout=out)
    assert "已导入 101001" in out.getvalue()
    assert report_to_document(report_queryset().get(pk=seed.pk)) == original

    with pytest.raises(CommandError, match="需要用 -o"):
        call_command("export_report", "--department", "101001", "--year", "2021", "--format", "xlsx")
    bad = tmp_path / "budget.csv"
    bad.write_text("a,b\n", encoding="gbk")
    with pytest.raises(CommandError, match="不接受 CSV"):
        call_command("import_report", str(bad))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_report", str(broken))


def test_the_import_page_in_english(client, seed, accountant, settings):
    client.force_login(accountant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/xlsx/reports/{seed.pk}/import/").content.decode()
    assert "Upload a workbook" in page and "Self-evaluation workbook (.xlsx)" in page
    assert f": {seed.department.display_name}, 2021" in page
    response = client.post(f"/xlsx/reports/{seed.pk}/import/", {"file": upload(edited(seed, set_executed(460)))})
    preview = response.content.decode()
    assert "Import preview: 自评表.xlsx" in preview and "Confirm import" in preview
    assert "上传工作簿" not in preview and "确认导入" not in preview
    response = client.post("/xlsx/import/confirm/", {"token": response.context["token"]}, follow=True)
    assert f"Imported the 2021 self-evaluation table of {seed.department.display_name} (draft)." in (
        response.content.decode()
    )
