"""Spreadsheet imports in the admin: dry-run preview, errors by row and cell, all or nothing."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from import_export.tmp_storages import TempFolderStorage

from departments.models import BudgetLine, Department, Role
from indicators.models import Template, TemplateIndicator, TemplateLevel1
from perfeval.spreadsheets.safety import XLSX_CONTENT_TYPE
from reports.models import Report, ReportEvent, RescoreJob, Round
from tests.xlsx.conftest import xlsx

pytestmark = pytest.mark.django_db

BUDGET_HEAD = ("部门编码", "年度", "项目", "年初预算数（万元）", "全年预算数", "预算执行数")
ROWS = ("部门预算总额", "财政性资金", "其他资金", "基本支出", "项目支出")


def upload(data: bytes, name="budget.xlsx", content_type=XLSX_CONTENT_TYPE):
    return SimpleUploadedFile(name, data, content_type=content_type)


def dry_run(client, url, data, name="file.xlsx"):
    return client.post(url, {"import_file": upload(data, name), "format": "0", "resource": "0"})


def confirm(client, url, response):
    """Post the confirm form the preview offered."""
    result = response.context["result"]
    assert "confirm_form" in response.context, (
        {r.number + 1: r.field_specific_errors for r in result.invalid_rows},
        [e.error for e in result.base_errors],
        [(n, [e.traceback for e in errs]) for n, errs in result.row_errors()][:1],
    )
    form = response.context["confirm_form"]
    return client.post(url.replace("/import/", "/process_import/"), {**form.initial, "format": form.initial["format"]})


def budget_file(count: int, bad: dict[int, tuple] | None = None) -> bytes:
    rows = [BUDGET_HEAD]
    for i in range(count):
        code = f"5{i:05d}"
        for key in ROWS:
            blank = key == "其他资金"
            rows.append(
                (
                    code,
                    2022,
                    key,
                    None if blank else 100 + i,
                    None if blank else "1,234.56",
                    None if blank else 98.765432,
                )
            )
    for sheet_row, values in (bad or {}).items():
        rows[sheet_row - 1] = values
    return xlsx(rows)


@pytest.fixture
def five_hundred(db):
    Department.objects.bulk_create(Department(code=f"5{i:05d}", name=f"测试部门{i}") for i in range(500))


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


BUDGET_URL = "/admin/departments/budgetline/import/"


def test_budget_file_for_500_departments_with_bad_rows(admin_client, five_hundred):
    """Must show 2: the dry run lists each bad row and cell; confirming writes all or nothing."""
    bad = {
        3: ("599999", 2022, "财政性资金", 1, 1, 1),  # unknown department
        10: ("500001", 2022, "基本支出", 1, "abc", 1),  # text amount
        20: ("500003", 2022, "基本支出", 1, 2, -5),  # negative
        30: ("500005", 2022, "行政支出", 1, 2, 3),  # no such row
        41: ("500007", "二〇二二", "部门预算总额", 1, 2, 3),  # not a year
        52: ("500010", 2022, "部门预算总额", 1.1234567, 2, 3),  # more places than stored
        60: ("500011", 2022, "财政性资金", 1, 2, 3),  # repeats row 58 (500011's rows are 57–61)
        61: (None, 2022, "项目支出", 1, 2, 3),  # no department
    }
    data = budget_file(500, bad)
    response = dry_run(admin_client, BUDGET_URL, data, "预算.xlsx")
    assert response.status_code == 200
    result = response.context["result"]
    errors = {row.number + 1: row.field_specific_errors for row in result.invalid_rows}
    assert sorted(errors) == sorted(bad), errors
    assert result.totals["invalid"] == 8 and not result.has_errors()
    assert "confirm_form" not in response.context  # nothing to confirm while rows are wrong
    assert errors[3] == {"部门编码（A 列）": ["部门编码“599999”不存在"]}
    assert errors[10] == {"全年预算数（E 列）": ["“abc”不是数字"]}
    assert errors[20] == {"预算执行数（F 列）": ["不能为负数"]}
    assert "“行政支出”不是可选值" in errors[30]["项目（C 列）"][0]
    assert errors[41] == {"年度（B 列）": ["“二〇二二”不是有效的年度"]}
    assert "年初预算数（D 列）" in errors[52]
    assert errors[60] == {"项目（C 列）": ["与第 58 行重复（同一记录在文件中出现两次）"]}
    assert errors[61] == {"部门编码（A 列）": ["必填，不能为空"]}
    page = response.content.decode()
    assert "以下 8 行有错误" in page and "第 41 行" in page and "全年预算数（E 列）" in page
    assert BudgetLine.objects.count() == 0

    # Confirming anyway (the file posted straight to the confirm step): nothing is written.
    storage = TempFolderStorage(read_mode="rb")
    storage.save(data)
    response = admin_client.post(
        "/admin/departments/budgetline/process_import/",
        {"import_file_name": storage.name, "original_file_name": "预算.xlsx", "format": "0", "resource": "0"},
    )
    assert response.status_code == 200
    assert "导入失败，未写入任何数据" in response.content.decode()
    assert BudgetLine.objects.count() == 0

    # The corrected file: previewed, confirmed, written whole.
    good = budget_file(500)
    response = dry_run(admin_client, BUDGET_URL, good, "预算.xlsx")
    assert response.context["result"].totals["new"] == 2500
    response = confirm(admin_client, BUDGET_URL, response)
    assert response.status_code == 302
    assert BudgetLine.objects.count() == 2500
    line = BudgetLine.objects.get(department__code="500007", year=2022, row="basic")
    assert (line.initial, line.annual, line.executed) == (Decimal("107"), Decimal("1234.56"), Decimal("98.765432"))
    other = BudgetLine.objects.get(department__code="500007", year=2022, row="other")
    assert (other.initial, other.annual, other.executed) == (None, None, None)  # blank stays blank


def test_unchanged_rows_are_skipped_and_changes_shown(admin_client, five_hundred):
    response = confirm(admin_client, BUDGET_URL, dry_run(admin_client, BUDGET_URL, budget_file(4)))
    assert response.status_code == 302
    changed = budget_file(4, {3: ("500000", 2022, "财政性资金", 100, "1,234.56", 99)})
    response = dry_run(admin_client, BUDGET_URL, changed)
    result = response.context["result"]
    assert (result.totals["skip"], result.totals["update"]) == (19, 1)
    assert "<del>98.765432</del> <ins>99</ins>" in response.content.decode()


def test_confirm_rolls_back_when_the_data_changed_since_the_preview(admin_client, five_hundred):
    data = budget_file(3)
    response = dry_run(admin_client, BUDGET_URL, data)
    assert "confirm_form" in response.context
    Department.objects.filter(code="500002").delete()  # gone between preview and confirm
    response = confirm(admin_client, BUDGET_URL, response)
    assert response.status_code == 200
    assert "导入失败，未写入任何数据" in response.content.decode()
    assert BudgetLine.objects.count() == 0


def test_budget_of_a_submitted_report_is_refused_and_drafts_are_rescored(
    admin_client, seed, django_capture_on_commit_callbacks
):
    Report.objects.filter(pk=seed.pk).update(state="submitted")
    rows = [BUDGET_HEAD, ("101001", 2021, "基本支出", 1, 2, 3)]
    response = dry_run(admin_client, BUDGET_URL, xlsx(rows))
    errors = response.context["result"].invalid_rows[0].field_specific_errors
    assert "已有报告送审或审核通过，预算情况不能再修改" in errors["部门编码（A 列）"][0]

    Report.objects.filter(pk=seed.pk).update(state="draft")
    rows = [BUDGET_HEAD, ("101001", 2021, "部门预算总额", "477.48", "477.48", "477.48")]
    with django_capture_on_commit_callbacks(execute=True):  # the rescoring job runs once the import commits
        response = confirm(admin_client, BUDGET_URL, dry_run(admin_client, BUDGET_URL, xlsx(rows)))
    assert response.status_code == 302
    seed.refresh_from_db()
    assert seed.execution_score == Decimal("10.00")  # rescored from the new total
    assert ReportEvent.objects.filter(report=seed, action="budget_import").count() == 1
    # The same file again changes nothing, and says nothing happened to the report.
    response = confirm(admin_client, BUDGET_URL, dry_run(admin_client, BUDGET_URL, xlsx(rows)))
    assert response.status_code == 302
    assert ReportEvent.objects.filter(report=seed, action="budget_import").count() == 1


def test_header_problems_are_reported_once(admin_client, five_hundred):
    response = dry_run(admin_client, BUDGET_URL, xlsx([("部门", "年度", "金额"), ("500001", 2022, 1)]))
    result = response.context["result"]
    assert result.has_errors() and not result.invalid_rows
    page = response.content.decode()
    assert "缺少列：部门编码、项目" in page and "无法识别的列：部门、金额" in page
    assert "Traceback" not in page


def test_csv_and_xls_uploads_are_refused_with_a_message(admin_client):
    response = admin_client.post(
        BUDGET_URL,
        {"import_file": upload(b"a,b\n1,2\n", "budget.csv", "text/csv"), "format": "0", "resource": "0"},
    )
    assert "不接受 CSV" in response.content.decode()
    response = admin_client.post(
        BUDGET_URL,
        {
            "import_file": upload(b"\xd0\xcf\x11\xe0" + b"\0" * 100, "budget.xls", "application/vnd.ms-excel"),
            "format": "0",
            "resource": "0",
        },
    )
    assert "不支持旧版 .xls" in response.content.decode()


def test_departments_with_parents_further_down_the_file(admin_client):
    rows = [
        ("预算编码", "部门(单位)名称", "简称", "上级部门编码", "启用"),
        ("301001", "区财政局下属中心", "中心", "301000", "是"),
        ("301000", "区财政局", "财政局", "", ""),
        ("302000", "甲", "", "302001", "是"),
        ("302001", "乙", "", "302000", "否"),
        ("303000", "丙", "", "303000", "是"),
        ("304000", "丁", "", "999", "也许"),
    ]
    response = dry_run(admin_client, "/admin/departments/department/import/", xlsx(rows))
    errors = {r.number + 1: r.field_specific_errors for r in response.context["result"].invalid_rows}
    assert errors.get(4) == errors.get(5) == {"上级部门编码（D 列）": ["上级部门关系形成循环"]}, (
        errors,
        [e.error for e in response.context["result"].base_errors],
    )
    assert errors[6] == {"上级部门编码（D 列）": ["上级部门不能是本部门"]}
    assert errors[7] == {"上级部门编码（D 列）": ["上级部门编码“999”不存在"], "启用（E 列）": ["“也许”应为“是”或“否”"]}
    assert Department.objects.count() == 0

    good = xlsx(rows[:3])
    response = confirm(
        admin_client,
        "/admin/departments/department/import/",
        dry_run(admin_client, "/admin/departments/department/import/", good),
    )
    assert response.status_code == 302
    child = Department.objects.get(code="301001")
    assert child.parent.code == "301000" and child.active
    assert Department.objects.get(code="301000").active  # blank 启用 on a new department: active


def test_people_with_their_roles(admin_client):
    Department.objects.create(code="101001", name="社治委")
    url = "/admin/departments/role/import/"
    rows = [
        ("用户名", "姓名", "电子邮箱", "角色", "部门编码"),
        ("zhangli", "张丽", "zhang@example.cn", "部门填报人", "101001"),
        ("zhangli", "", "", "reviewer", ""),
        ("wangjing", "王静", "not-an-email", "财政局管理员", "101001"),
        ("li ming", "李明", "", "审核人", ""),
        ("zhao", "赵", "", "部门填报人", ""),
    ]
    response = dry_run(admin_client, url, xlsx(rows))
    errors = {r.number + 1: r.field_specific_errors for r in response.context["result"].invalid_rows}
    assert errors[4] == {
        "电子邮箱（C 列）": ["“not-an-email”不是有效的电子邮箱"],
        "部门编码（E 列）": ["财政局管理员不属于某个部门，部门编码应留空"],
    }
    assert "用户名（A 列）" in errors[5]
    assert errors[6] == {"部门编码（E 列）": ["部门填报人必须填写部门编码"]}
    assert not get_user_model().objects.filter(username="zhangli").exists()

    response = confirm(admin_client, url, dry_run(admin_client, url, xlsx(rows[:3])))
    assert response.status_code == 302
    user = get_user_model().objects.get(username="zhangli")
    assert (user.first_name, user.email, user.has_usable_password()) == ("张丽", "zhang@example.cn", False)
    assert set(Role.objects.filter(user=user).values_list("kind", "department__code")) == {
        ("accountant", "101001"),
        ("reviewer", None),
    }


# The template import's columns, in the order the admin's import expects.
TEMPLATE_HEAD = (
    "模板名称",
    "年度",
    "版本",
    "一级指标",
    "二级指标",
    "三级指标",
    "性质",
    "符号",
    "指标值（数）",
    "指标值",
    "度量单位",
    "分值",
)


def test_template_tree_as_rows_and_a_locked_template_refuses(admin_client, seed):
    url = "/admin/indicators/template/import/"
    head = TEMPLATE_HEAD
    rows = [
        head,
        ("新模板", 2023, 1, "产出指标", "数量", "服务社区数量", "定量", "≥", 41, "≥41个", "个", 30),
        ("新模板", 2023, 1, "效益指标", "满意度", "服务对象满意度", "quantitative", ">=", 80, "≥80%", "%", 10),
        ("新模板", 2023, 1, "效益指标", "履职效益", "治理水平", "定性", "", None, "全面提升", "定性指标", 10),
    ]
    response = confirm(admin_client, url, dry_run(admin_client, url, xlsx(rows)))
    assert response.status_code == 302
    template = Template.objects.get(name="新模板", year=2023, version=1)
    assert list(template.indicators.order_by("order").values_list("level3", "kind", "sign")) == [
        ("服务社区数量", "quantitative", ">="),
        ("服务对象满意度", "quantitative", ">="),
        ("治理水平", "qualitative", ""),
    ]
    assert dict(TemplateLevel1.objects.filter(template=template).values_list("name", "weight")) == {
        "产出指标": Decimal("30"),
        "效益指标": Decimal("20"),
    }

    locked = seed.round.template
    Template.objects.filter(pk=locked.pk).update(locked=True)
    before = TemplateIndicator.objects.count()
    rows = [head, (locked.name, locked.year, locked.version, "产出指标", "数量", "新增", "定性", "≥", 1, "", "", 1)]
    response = dry_run(admin_client, url, xlsx(rows))
    errors = response.context["result"].invalid_rows[0].field_specific_errors
    assert list(errors) == ["模板名称（A 列）"] and "已锁定" in errors["模板名称（A 列）"][0]
    assert TemplateIndicator.objects.count() == before


def test_round_coverage(admin_client, seed):
    Department.objects.create(code="301000", name="区财政局")
    url = "/admin/reports/round/import/"
    rows = [
        ("评价任务名称", "年度", "部门编码"),
        (seed.round.name, 2021, "301000"),
        (seed.round.name, 2021, "101001"),  # already covered: unchanged
        ("没有这个任务", 2021, "301000"),
    ]
    response = dry_run(admin_client, url, xlsx(rows))
    errors = {r.number + 1: r.field_specific_errors for r in response.context["result"].invalid_rows}
    assert errors == {4: {"评价任务名称（A 列）": ["2021 年度没有名为“没有这个任务”的评价任务"]}}
    response = confirm(admin_client, url, dry_run(admin_client, url, xlsx(rows[:3])))
    assert response.status_code == 302
    assert set(seed.round.departments.values_list("code", flat=True)) == {"101001", "201001", "301000"}

    Round.objects.filter(pk=seed.round.pk).update(is_open=False)
    Department.objects.create(code="302000", name="乙")
    response = dry_run(admin_client, url, xlsx([rows[0], (seed.round.name, 2021, "302000")]))
    assert "已结束" in str(response.context["result"].invalid_rows[0].field_specific_errors)


def test_admin_export_is_xlsx_with_inert_text(admin_client, five_hundred):
    import io

    import openpyxl

    Department.objects.filter(code="500000").update(name='=HYPERLINK("http://x")')
    fields = {f"departmentresource_{name}": "on" for name in ("code", "name", "short_name", "parent", "active")}
    response = admin_client.post("/admin/departments/department/export/", {"format": "0", "resource": "0", **fields})
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    ws = wb.active
    assert [c.value for c in ws[1]][:2] == ["预算编码", "部门(单位)名称"]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "500000")
    cell = row[1]
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s" and cell.quotePrefix


def test_template_and_coverage_exports_read_back_as_imports(admin_client, seed):
    import io

    import openpyxl

    fields = {
        f"templaterowresource_{name}": "on"
        for name in (
            "template_name",
            "template_year",
            "template_version",
            "level1",
            "level1_weight",
            "level2",
            "level3",
            "kind",
            "sign",
            "target",
            "target_text",
            "unit",
            "weight",
        )
    }
    response = admin_client.post("/admin/indicators/template/export/", {"format": "0", "resource": "0", **fields})
    assert response.status_code == 200, response.content[:500]
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:6] == ("模板名称", "年度", "版本", "一级指标", "一级指标分值", "二级指标")
    assert len(rows) == 1 + TemplateIndicator.objects.count()
    # The exported tree imports back unchanged.
    response = dry_run(admin_client, "/admin/indicators/template/import/", response.content)
    result = response.context["result"]
    assert result.totals["skip"] == len(rows) - 1, result.totals

    fields = {f"roundcoverageresource_{n}": "on" for n in ("round_name", "round_year", "department", "department_name")}
    response = admin_client.post("/admin/reports/round/export/", {"format": "0", "resource": "0", **fields})
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [r[2] for r in ws.iter_rows(min_row=2, values_only=True)] == ["101001", "201001"]


def test_staff_without_permissions_cannot_import(client, five_hundred):
    from tests.conftest import make_user

    clerk = make_user("x_clerk", is_staff=True)
    client.force_login(clerk)
    assert client.get(BUDGET_URL).status_code == 403


def test_template_import_refused_behind_a_report_published_without_a_submit(admin_client, seed):
    """The 2020 history reached published without the workflow's submit: its template was never
    flagged locked, and the import is refused all the same."""
    from reports.demo.history import load_history

    template = load_history().template
    assert not template.locked
    head = TEMPLATE_HEAD
    rows = [
        head,
        (template.name, template.year, template.version, "产出指标", "数量", "新增", "定性", "", None, "", "", 1),
    ]
    before = TemplateIndicator.objects.count()
    response = dry_run(admin_client, "/admin/indicators/template/import/", xlsx(rows))
    errors = response.context["result"].invalid_rows[0].field_specific_errors
    assert "已锁定" in errors["模板名称（A 列）"][0]
    assert TemplateIndicator.objects.count() == before


def test_a_template_import_queues_the_rescoring_of_its_open_reports(
    admin_client, seed, settings, django_capture_on_commit_callbacks
):
    from reports.services.scoring import rescore_job_run

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # queued, not run
    template = seed.round.template
    assert not template.in_use()
    rows = [
        TEMPLATE_HEAD,
        (template.name, template.year, template.version, "新增一级", "数量", "新增", "定性", "", None, "", "", 5),
    ]
    url = "/admin/indicators/template/import/"
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(admin_client, url, dry_run(admin_client, url, xlsx(rows)))
    assert response.status_code == 302
    assert TemplateLevel1.objects.filter(template=template, name="新增一级").exists()
    job = RescoreJob.objects.get()
    assert job.report_ids == [seed.pk] and job.state == RescoreJob.State.QUEUED
    assert Report.objects.get(pk=seed.pk).scored_at == seed.scored_at  # the import scored nothing
    html = admin_client.get(response.url).content.decode()
    assert reverse("admin:reports_rescorejob_change", args=[job.pk]) in html

    rescore_job_run(job.pk)
    assert Report.objects.get(pk=seed.pk).scored_at > seed.scored_at
    event = ReportEvent.objects.get(report=seed, action="rescore")
    assert f"指标模板“{template}”已由表格导入修改" in event.message
