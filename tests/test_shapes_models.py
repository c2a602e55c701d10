"""Templates and reports of 1, 2 or 3 levels: stored, copied into a report, imported and exported."""

import io
from decimal import Decimal as D

import openpyxl
import pytest

from departments.models import Department, Role
from indicators.models import Template, TemplateIndicator, TemplateLevel1
from reports.models import ReportIndicator
from tests.conftest import make_user
from tests.shapes import FLAT_ROWS, flat_template, start_report, two_level_template
from tests.xlsx.conftest import xlsx
from tests.xlsx.test_admin_import import TEMPLATE_HEAD, confirm, dry_run

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/indicators/template/import/"


@pytest.fixture
def department():
    return Department.objects.create(code="901001", name="区政务服务中心")


@pytest.fixture
def accountant(department):
    return make_user("shape_acct", Role.Kind.ACCOUNTANT, department)


def test_a_template_row_under_no_level1_is_stored_and_named():
    template = flat_template()
    row = template.indicators.order_by("order").first()
    assert row.level1 is None and row.level1_name == "" and row.level2 == ""
    assert str(row) == "服务社区数量"
    node = TemplateLevel1.objects.create(template=template, name="产出", weight=D("0"))
    row.level1, row.level2 = node, "数量"
    assert str(row) == "产出 / 数量 / 服务社区数量"
    # blank=True: a model form or full_clean accepts the absent levels.
    TemplateIndicator(template=template, level3="新增", weight=D("1")).full_clean()
    ReportIndicator(report_id=1, level3="新增").clean_fields(exclude=["report"])


def test_a_report_started_from_a_flat_template_copies_blank_levels(department, accountant):
    report = start_report(flat_template(), department, accountant)
    rows = list(report.indicators.order_by("order"))
    assert [(r.level1, r.level2, r.level3, r.weight, r.applicable) for r in rows] == [
        ("", "", spec[0], spec[6], True) for spec in FLAT_ROWS
    ]
    assert all(r.template_indicator_id for r in rows)


def test_a_report_started_from_a_two_level_template_keeps_level1(department, accountant):
    report = start_report(two_level_template(), department, accountant)
    assert list(report.indicators.order_by("order").values_list("level1", "level2", "level3")) == [
        ("产出", "", "办结事项数"),
        ("产出", "", "按时办结率"),
        ("效益", "", "群众办事时间缩短"),
        ("满意度", "", "办事群众满意度"),
    ]


HEAD_FLAT = tuple(c for c in TEMPLATE_HEAD if c not in ("一级指标", "二级指标"))


def test_a_flat_template_imports_without_level_columns(admin_client):
    rows = [
        HEAD_FLAT,
        ("平铺导入", 2023, 1, "服务社区数量", "定量", "≥", 40, "≥40个", "个", 50),
        ("平铺导入", 2023, 1, "制度建设", "定性", "", None, "健全", "", 40),
    ]
    response = confirm(admin_client, IMPORT_URL, dry_run(admin_client, IMPORT_URL, xlsx(rows)))
    assert response.status_code == 302
    template = Template.objects.get(name="平铺导入")
    assert list(template.indicators.order_by("order").values_list("level1", "level2", "level3")) == [
        (None, "", "服务社区数量"),
        (None, "", "制度建设"),
    ]
    assert not template.level1_nodes.exists()


def test_blank_level_cells_continue_the_row_above_as_merged_cells(admin_client):
    rows = [
        TEMPLATE_HEAD,
        # a group under no level-1 label first: blank, nothing above
        ("合并", 2023, 1, None, None, "综合治理", "定性", "", None, "", "", 10),
        ("合并", 2023, 1, "产出", "数量", "服务社区数量", "定量", "≥", 40, "", "个", 20),
        ("合并", 2023, 1, None, None, "培训人次", "定量", "≥", 200, "", "人次", 10),  # 产出 / 数量
        ("合并", 2023, 1, None, "质量", "合格率", "定量", "≥", 95, "", "%", 10),  # 产出 / 质量
        ("合并", 2023, 1, "效益", None, "群众满意度", "定量", "≥", 90, "", "%", 30),  # level 2 absent
        ("合并", 2023, 1, None, None, "办事时间", "定性", "", None, "", "", 10),  # 效益, still no level 2
        ("合并", 2023, 1, "（无一级指标）", None, "其他", "定性", "", None, "", "", 0),  # named absence
    ]
    response = confirm(admin_client, IMPORT_URL, dry_run(admin_client, IMPORT_URL, xlsx(rows)))
    assert response.status_code == 302
    template = Template.objects.get(name="合并")
    got = [(r.level1_name, r.level2, r.level3) for r in template.indicators.select_related("level1").order_by("order")]
    assert got == [
        ("", "", "综合治理"),
        ("产出", "数量", "服务社区数量"),
        ("产出", "数量", "培训人次"),
        ("产出", "质量", "合格率"),
        ("效益", "", "群众满意度"),
        ("效益", "", "办事时间"),
        ("", "", "其他"),
    ]
    assert dict(template.level1_nodes.values_list("name", "weight")) == {"产出": D("40"), "效益": D("40")}


def test_a_level1_weight_without_a_level1_is_an_error(admin_client):
    head = (*TEMPLATE_HEAD, "一级指标分值")
    rows = [head, ("错", 2023, 1, None, None, "服务社区数量", "定性", "", None, "", "", 10, 10)]
    response = dry_run(admin_client, IMPORT_URL, xlsx(rows))
    errors = response.context["result"].invalid_rows[0].field_specific_errors
    assert list(errors.values()) == [["未填一级指标，不能填写一级指标分值"]]
    assert not Template.objects.filter(name="错").exists()


def test_export_of_every_shape_reads_back_unchanged(admin_client):
    flat_template("平铺")
    two_level_template("两级")
    mixed = two_level_template("混合")
    TemplateIndicator.objects.create(template=mixed, order=99, level3="无标签组", weight=D("0"))
    fields = {
        f"templaterowresource_{name}": "on"
        for name in (
            *("template_name", "template_year", "template_version", "level1", "level2", "level3"),
            *("kind", "sign", "target", "target_text", "unit", "weight"),
        )
    }
    response = admin_client.post("/admin/indicators/template/export/", {"format": "0", "resource": "0", **fields})
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    level1 = {(r[0], r[5]): r[3] for r in rows[1:]}
    assert level1[("平铺", "服务社区数量")] in (None, "")
    assert level1[("混合", "无标签组")] == "（无一级指标）"  # a blank would continue 满意度
    before = sorted(
        (t.template.name, t.level1_name, t.level2, t.level3) for t in TemplateIndicator.objects.select_related()
    )
    result = dry_run(admin_client, IMPORT_URL, response.content).context["result"]
    assert result.totals["skip"] == len(rows) - 1, result.totals
    confirm(admin_client, IMPORT_URL, dry_run(admin_client, IMPORT_URL, response.content))
    after = sorted(
        (t.template.name, t.level1_name, t.level2, t.level3) for t in TemplateIndicator.objects.select_related()
    )
    assert after == before
