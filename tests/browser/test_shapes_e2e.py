"""Issue 14 end to end, in a real browser: the bureau admin builds a flat-list template and a 2-level
template in the Django admin, opens a round with each; the accountant fills and submits; the reviewer
approves; the archived PDF and the XLSX table hold the rows and the total."""

import io
import os
import re
import subprocess

import openpyxl
import pytest
from playwright.sync_api import expect

from reports.models import Report
from tests.shapes import FLAT_ROWS, TWO_LEVEL, TWO_LEVEL_WEIGHTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("PERFEVAL_SCREENSHOT_DIR", "/tmp/c-shots")
KIND_LABELS = {"quantitative": "定量", "qualitative": "定性"}
SIGN_LABELS = {">=": "≥", "<=": "≤", "=": "=", "": "---------"}


def shot(page, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def row(page, level3: str):
    return page.locator("tr.ind-row", has=page.locator("td.c-l3", has_text=re.compile(rf"^\s*{level3}")))


def _add_inline(page, group: str) -> int:
    """Click the inline's "add another" and return the new form's index."""
    before = page.locator(f"#{group}-group tr.form-row:not(.empty-form)").count()
    page.locator(f"#{group}-group tr.add-row a").click()
    return before


def _fill_template_rows(page, rows, level1: str | None = None) -> None:
    for spec in rows:
        level3, kind, sign, target, target_text, unit, weight = spec
        i = _add_inline(page, "indicators")
        p = f"#id_indicators-{i}-"
        page.fill(p + "order", str(i + 1))
        if level1:
            page.select_option(p + "level1", label=level1)
        page.fill(p + "level3", level3)
        page.select_option(p + "kind", label=KIND_LABELS[kind])
        if sign:
            page.select_option(p + "sign", label=SIGN_LABELS[sign])
        if target is not None:
            page.fill(p + "target", str(target))
        page.fill(p + "target_text", target_text)
        page.fill(p + "unit", unit)
        page.fill(p + "weight", str(weight))


def _new_template(page, name: str, year: int) -> None:
    page.goto("/admin/indicators/template/add/")
    page.fill("#id_name", name)
    page.fill("#id_year", str(year))


def _save_and_continue(page) -> None:
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success, ul.messagelist li.success").first).to_be_visible()


def admin_flat_template(page) -> None:
    _new_template(page, "平铺清单模板", 2022)
    _fill_template_rows(page, FLAT_ROWS)
    _save_and_continue(page)
    expect(page.locator(".field-checks")).to_contain_text("权重合计正确，未发现问题。")
    shot(page, "admin-flat-template.png")


def admin_two_level_template(page) -> None:
    _new_template(page, "两级指标模板", 2023)
    for name, weight in TWO_LEVEL_WEIGHTS.items():
        i = _add_inline(page, "level1_nodes")
        page.fill(f"#id_level1_nodes-{i}-order", str(i + 1))
        page.fill(f"#id_level1_nodes-{i}-name", name)
        page.fill(f"#id_level1_nodes-{i}-weight", str(weight))
    _save_and_continue(page)
    for level1, rows in TWO_LEVEL.items():
        _fill_template_rows(page, rows, level1=level1)
    _save_and_continue(page)
    expect(page.locator(".field-checks")).to_contain_text("权重合计正确，未发现问题。")
    shot(page, "admin-two-level-template.png")


def admin_round(page, template_label: str, name: str, year: int, department_pk: int) -> None:
    page.goto("/admin/reports/round/add/")
    page.fill("#id_name", name)
    page.fill("#id_year", str(year))
    page.select_option("#id_template", label=template_label)
    page.select_option("#id_rule_set", index=1)
    page.fill("#id_deadline", f"{year + 1}-03-31")
    page.select_option("#id_departments_from", value=str(department_pk))
    page.locator("#id_departments_add").click()
    page.locator("input[name=_save]").click()
    expect(page.locator("ul.messagelist li.success").first).to_be_visible()


def accountant_fills_and_submits(page, round_name: str, filled: dict, checks) -> int:
    page.goto("/")
    item = page.locator("tr.to-start", has_text=TEMPLATE_OF[round_name])
    item.get_by_role("button", name="开始填报").click()
    expect(page.locator("h1.sheet-title").first).to_be_visible()
    pk = int(re.search(r"/reports/(\d+)/", page.url).group(1))
    page.fill("input[name=budget-total_annual]", "100")
    page.fill("input[name=budget-total_executed]", "95")
    page.fill("input[name=execution_self_score]", "9.5")
    # What 送审 needs beyond the figures: the contact, the goals and every narrative section.
    page.fill("input[name=contact]", "王会计 0371-1234")
    page.fill("textarea[name=goal]", "完成年度任务。")
    page.fill("textarea[name=goal_completion]", "已完成。")
    for key in "12345678":
        page.fill(f"textarea[name=narrative_{key}]", f"第{key}部分。")
    for level3, (actual, self_score, reason) in filled.items():
        r = row(page, level3)
        r.locator("[data-field=actual_text]").fill(actual)
        if r.locator("[data-field=tier]").count():
            r.locator("[data-field=tier]").select_option("met")
        r.locator("[data-field=self_score]").fill(self_score)
        if reason:
            r.locator("[data-field=reason]").fill(reason)
    checks(page)
    page.locator("#save-button").click()  # (Ctrl+S is the form's: focus left with the removed row)
    expect(page.locator("#save-status")).to_contain_text("已保存")
    page.reload()
    shot(page, f"form-{round_name}.png")
    page.locator("#submit-button").click()
    expect(page.locator("h1")).to_contain_text("送审")
    page.locator("#confirm-submit").click()
    expect(page.locator("#report-state")).to_have_text("已送审")
    return pk


def reviewer_approves(page, pk: int, round_name: str) -> None:
    page.goto(f"/review/{pk}/")
    shot(page, f"review-{round_name}.png")
    page.locator("#do-approve").click()
    page.locator("#confirm-ok").click()  # the confirmation step
    # The state itself, not any "审核通过" on the page: the next goto must not cut the POST short.
    expect(page.locator("#report-state")).to_have_text("审核通过")


def downloads(page, pk: int) -> tuple[str, list[tuple]]:
    pdf = page.request.get(f"/reports/{pk}/archive/latest.pdf")
    assert pdf.status == 200, pdf.text()[:500]
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-layout", "-", "-"], input=pdf.body(), capture_output=True, check=True
    ).stdout.decode()
    with open(os.path.join(SHOTS, f"report-{pk}.pdf"), "wb") as f:
        f.write(pdf.body())
    xlsx = page.request.get(f"/xlsx/reports/{pk}/table.xlsx")
    assert xlsx.status == 200, xlsx.text()[:500]
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.body()))
    cells = [tuple(r) for ws in wb.worksheets for r in ws.iter_rows(values_only=True)]
    return text, cells


TEMPLATE_OF = {"2022年度平铺清单评价": "2022 平铺清单模板 v1", "2023年度两级指标评价": "2023 两级指标模板 v1"}

FLAT_FILLED = {
    "服务社区数量": ("40", "30", ""),
    "培训人次": ("150", "15", "疫情期间停训两个月"),
    "投诉率": ("4", "10", ""),
    "服务对象满意度": ("92", "20", ""),
    "制度建设": ("健全", "10", ""),
}
TWO_FILLED = {
    "办结事项数": ("100", "30", ""),
    "按时办结率": ("95", "20", ""),
    "群众办事时间缩短": ("明显缩短", "30", ""),
    "办事群众满意度": ("92", "10", ""),
}


def _add_and_remove_own_row(page, group_label: str, after) -> None:
    """The department's own row: added under a group, the level cells laid out again, removed."""
    page.select_option("#add-group", label=group_label)
    page.locator("#add-indicator").click()
    page.locator("tr.ind-row.custom [data-field=level3]").fill("本部门自设指标")
    after(page)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("tr.ind-row.custom [data-act=remove]").click()
    expect(page.locator("tr.ind-row.custom")).to_have_count(0)


def _flat_checks(page) -> None:
    # No level columns, and the live score follows the typing.
    expect(page.locator("#indicator-table thead th", has_text="一级指标")).to_have_count(0)
    expect(page.locator("#indicator-table tbody th.l1")).to_have_count(0)
    r = row(page, "培训人次")
    expect(r.locator("[data-out=row-score]")).to_have_text("15.00")
    r.locator("[data-field=actual_text]").fill("100")
    expect(r.locator("[data-out=row-score]")).to_have_text("10.00")
    r.locator("[data-field=actual_text]").fill("150")
    expect(r.locator("[data-out=row-score]")).to_have_text("15.00")
    expect(page.locator("#bar-total")).to_have_text("94.50")

    def still_flat(page):
        expect(page.locator("tr.ind-row")).to_have_count(len(FLAT_ROWS) + 1)
        expect(page.locator("#indicator-table tbody th.l1, #indicator-table tbody th.l2")).to_have_count(0)

    _add_and_remove_own_row(page, "（无一级指标）", still_flat)


def _two_level_checks(page) -> None:
    expect(page.locator("#indicator-table thead th", has_text="二级指标")).to_have_count(0)
    expect(page.locator("#indicator-table tbody th.l2")).to_have_count(0)
    expect(page.locator("th.l1[data-l1=产出]")).to_have_attribute("rowspan", "2")
    expect(page.locator("th.l1[data-l1=产出] [data-out=l1-score]")).to_have_text("50.00")
    expect(page.locator("#bar-total")).to_have_text("99.50")

    def under_benefit(page):
        expect(page.locator("th.l1[data-l1=效益]")).to_have_attribute("rowspan", "2")
        expect(page.locator("#indicator-table tbody th.l2")).to_have_count(0)

    _add_and_remove_own_row(page, "效益", under_benefit)
    expect(page.locator("th.l1[data-l1=效益]")).to_have_attribute("rowspan", "1")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_flat_and_two_level_templates_from_admin_to_pdf_and_xlsx(new_page, demo, media):
    admin = new_page("admin")
    admin_flat_template(admin)
    admin_two_level_template(admin)
    admin_round(admin, "2022 平铺清单模板 v1", "2022年度平铺清单评价", 2022, demo.department_id)
    admin_round(admin, "2023 两级指标模板 v1", "2023年度两级指标评价", 2023, demo.department_id)

    accountant = new_page("accountant")
    flat_pk = accountant_fills_and_submits(accountant, "2022年度平铺清单评价", FLAT_FILLED, _flat_checks)
    two_pk = accountant_fills_and_submits(accountant, "2023年度两级指标评价", TWO_FILLED, _two_level_checks)

    reviewer = new_page("reviewer")
    reviewer_approves(reviewer, flat_pk, "2022年度平铺清单评价")
    reviewer_approves(reviewer, two_pk, "2023年度两级指标评价")
    assert set(Report.objects.filter(pk__in=[flat_pk, two_pk]).values_list("state", flat=True)) == {"approved"}

    for pk, rows, total in (
        (flat_pk, [spec[0] for spec in FLAT_ROWS], "94.5"),
        (two_pk, [spec[0] for specs in TWO_LEVEL.values() for spec in specs], "99.5"),
    ):
        text, cells = downloads(reviewer, pk)
        flat_text = re.sub(r"\s+", "", text)
        for name in rows:
            assert name in flat_text, (name, text[:3000])
        assert re.search(rf"自评得分\s+{re.escape(total)}\b", text), text[:3000]  # the PDF prints 94.5 for 94.50
        values = {str(v).strip() for r in cells for v in r if v is not None}
        assert set(rows) <= values, sorted(values)[:80]
    # The 2-level table names its level 1 in the XLSX too.
    _text, cells = downloads(reviewer, two_pk)
    assert {"产出", "效益", "满意度"} <= {str(v) for r in cells for v in r if v is not None}


def test_a_mixed_tree_lays_out_unnamed_cells_and_keeps_them_after_a_row_is_added(new_page, demo):
    """3 levels where 产出 has a level 2, 效益 and 满意度 have none, and a group has no level-1 name."""
    from decimal import Decimal as D

    from indicators.models import TemplateIndicator
    from reports.models import ReportIndicator
    from reports.services.editing import report_start
    from tests.shapes import open_round, two_level_template

    template = two_level_template("混合层级模板", 2024)
    TemplateIndicator.objects.filter(template=template, level1__name="产出").update(level2="数量")
    TemplateIndicator.objects.create(template=template, order=0, level3="综合评价", weight=D("0"))
    accountant_user = demo.department.roles.get(kind="accountant").user
    report = report_start(
        round_=open_round(template, demo.department), department=demo.department, actor=accountant_user
    )
    page = new_page("accountant")
    page.goto(f"/reports/{report.pk}/")
    unnamed = page.locator("th.l1.unnamed")
    expect(unnamed).to_have_count(1)
    expect(unnamed.locator(".lv-name")).to_have_text("（无一级指标）")
    expect(page.locator("th.l2.unnamed")).to_have_count(3)  # 综合评价, 效益, 满意度: each its own
    expect(page.locator("th.l2[data-l2='产出|数量']")).to_have_attribute("rowspan", "2")
    page.select_option("#add-group", label="（无一级指标）")
    page.locator("#add-indicator").click()
    own = page.locator("tr.ind-row.custom")
    own.locator("[data-field=level3]").fill("本部门自设指标")
    own.locator("[data-field=weight]").fill("0")
    expect(unnamed).to_have_attribute("rowspan", "2")
    expect(page.locator("th.l2.unnamed").first).to_have_attribute("rowspan", "2")
    shot(page, "form-mixed.png")
    page.locator("#save-button").click()
    expect(page.locator("#save-status")).to_contain_text("已保存")
    row = ReportIndicator.objects.get(report=report, level3="本部门自设指标")
    assert (row.level1, row.level2, row.order) == ("", "", 1)
    reviewer = new_page("reviewer")
    reviewer.goto(f"/review/{report.pk}/")
    expect(reviewer.locator("th.l1.unnamed")).to_have_count(1)
    shot(reviewer, "review-mixed.png")
