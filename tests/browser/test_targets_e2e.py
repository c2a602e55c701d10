"""Target declaration in a real browser: declared, approved, read-only in the form, adjusted, in the history."""

import datetime
import os
import re

import pytest
from playwright.sync_api import expect

from departments.models import Department
from reports.models import Report, Round
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("PERFEVAL_SCREENSHOT_DIR")
COMMUNITIES = "服务社区数量"


def shot(page, name: str, at: str = "body") -> None:
    """At the bureau's usual screen size (1366×768), `at` scrolled to the top, when PERFEVAL_SCREENSHOT_DIR is set."""
    if SHOTS:
        page.set_viewport_size({"width": 1366, "height": 768})
        page.locator(at).first.evaluate("e => { e.scrollIntoView(); window.scrollBy(0, -140); }")
        page.screenshot(path=os.path.join(SHOTS, name))
        page.screenshot(path=os.path.join(SHOTS, name.replace(".png", "-full.png")), full_page=True)


def target_row(page, level3: str):
    return page.locator("#targets-table tbody tr", has=page.locator("td", has_text=re.compile(rf"^\s*{level3}")))


def form_row(page, level3: str):
    return page.locator("tr.ind-row", has=page.locator("td.c-l3", has_text=re.compile(rf"^\s*{level3}")))


def test_declare_approve_read_only_adjust_and_history(new_page, demo):
    last = Round.objects.get(year=2021)
    round_ = Round.objects.create(
        name="2022年度部门整体绩效自评",
        year=2022,
        template=last.template,
        rule_set=last.rule_set,
        deadline=datetime.date(2023, 3, 31),
    )
    round_.departments.set(Department.objects.filter(code="101001"))

    # The department starts its 2022 report and declares its targets.
    page = new_page()
    log_in(page, "accountant")
    page.get_by_role("button", name="开始填报").click()
    expect(page.locator("h1.sheet-title").first).to_contain_text("2022年度部门整体绩效自评表")
    expect(page.locator("#targets-note")).to_contain_text("绩效目标尚未申报")
    page.get_by_role("link", name="绩效目标申报与调整").click()
    expect(page.locator("#targets-state")).to_have_text("草稿")
    report = Report.objects.get(round=round_)
    target_row(page, COMMUNITIES).locator("input[name$=target_text]").fill("没有数")
    page.locator("#targets-save").click()
    expect(target_row(page, COMMUNITIES).locator(".field-error")).to_contain_text("定量指标的指标值须含数值")
    target_row(page, COMMUNITIES).locator("input[name$=target_text]").fill("≥43个城市社区")
    shot(page, "targets-declare.png")
    page.locator("#targets-submit").click()
    expect(page.locator("#targets-state")).to_have_text("已送审")
    expect(page.locator("#targets-save")).to_have_count(0)

    # The bureau returns nothing without a reason, then approves.
    bureau = new_page("reviewer")
    bureau.goto(f"/reports/{report.pk}/targets/")
    bureau.locator("#targets-return").click()
    expect(bureau.locator(".messages")).to_contain_text("请填写原因")
    bureau.locator("#targets-approve").click()
    expect(bureau.locator("#targets-state")).to_have_text("审核通过")

    # The self-evaluation form shows the approved targets read-only.
    page.goto(f"/reports/{report.pk}/")
    expect(page.locator("#targets-note")).to_contain_text("审核通过")
    served = form_row(page, COMMUNITIES)
    expect(served.locator("td.c-target")).to_contain_text("≥43个城市社区")
    expect(served.locator("td.c-target .target-mark")).to_have_text("已批复")
    expect(served.locator("td.c-target input")).to_have_count(0)
    served.locator("[data-field=actual_text]").fill("42")
    expect(served.locator("[data-out=row-explain]")).to_contain_text("42 ÷ 43")
    shot(page, "targets-form-readonly.png", at="#targets-note")

    # An adjustment request, approved by the bureau, changes that one target.
    page.goto(f"/reports/{report.pk}/targets/")
    page.on("dialog", lambda dialog: dialog.accept())
    target_row(page, COMMUNITIES).get_by_role("link", name="申请调整").click()
    page.locator("#adj-target").fill("≥45个城市社区")
    page.locator("#adjust-submit").click()
    expect(page.locator(".field-error")).to_contain_text("请填写调整原因")
    page.locator("#adj-target").fill("≥45个城市社区")
    page.locator("#adj-reason").fill("年中新增两个城市社区纳入服务范围。")
    page.locator("#adjust-submit").click()
    expect(target_row(page, COMMUNITIES)).to_contain_text("调整待审核")

    bureau.goto(f"/reports/{report.pk}/targets/")
    bureau.locator("#adjustments").get_by_role("button", name="批准", exact=True).click()
    expect(bureau.locator("#adjustments")).to_contain_text("已批准")
    expect(target_row(bureau, COMMUNITIES)).to_contain_text("已调整，原指标值：≥43个城市社区")

    page.goto(f"/reports/{report.pk}/")
    served = form_row(page, COMMUNITIES)
    expect(served.locator("td.c-target")).to_contain_text("≥45个城市社区")
    expect(served.locator("td.c-target .target-mark")).to_have_text("已调整")
    page.goto(f"/reports/{report.pk}/history/")
    change = page.locator("tr.ev-change", has_text=f"{COMMUNITIES} · 指标值").first
    expect(change.locator("td.old")).to_have_text("≥43个城市社区")
    expect(change.locator("td.new")).to_have_text("≥45个城市社区")
    expect(change).to_contain_text("目标调整已批准")
    shot(page, "targets-history.png")

    # The demo's seed department 2021 report comes with its approved targets.
    page.goto(f"/reports/{demo.pk}/targets/")
    expect(page.locator("#targets-state")).to_have_text("审核通过")
    expect(target_row(page, COMMUNITIES)).to_contain_text("≥41个城市社区")
    expect(target_row(page, "管理制度健全性")).to_contain_text("比较健全")
    shot(page, "targets-seed.png")
