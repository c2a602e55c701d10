"""The admin's add forms offer the presets; choosing one and saving creates it (screenshots in /tmp)."""

import os
from decimal import Decimal as D

import pytest

from indicators.models import RuleSet, Template

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SHOTS_DIR", "/tmp/b-shots")


def test_rule_set_and_template_from_presets(new_page, demo):
    os.makedirs(SHOTS, exist_ok=True)
    page = new_page("admin")
    page.set_viewport_size({"width": 1366, "height": 768})

    page.goto("/admin/indicators/ruleset/add/")
    page.select_option("select[name=preset]", "province")
    page.fill("input[name=name]", "省级预设")
    page.screenshot(path=f"{SHOTS}/ruleset-add-preset.png", full_page=True)
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")
    page.screenshot(path=f"{SHOTS}/ruleset-after-preset.png", full_page=True)
    rs = RuleSet.objects.get(name="省级预设")
    assert rs.not_applicable == "rescale" and rs.overachievement_ratio == D("1.3")
    assert page.locator("textarea[name=total_caps_by_execution]").input_value() == "80 89\n70 79\n60 69\n50 59"

    # The links fill the form to be edited before saving.
    page.goto("/admin/indicators/ruleset/add/")
    page.click("a[href='?preset=national']")
    page.wait_for_url("**preset=national")
    assert page.locator("select[name=quantitative_scores]").input_value() == "computed"
    assert page.locator("select[name=preset]").input_value() == ""
    page.screenshot(path=f"{SHOTS}/ruleset-add-prefilled.png", full_page=True)

    page.goto("/admin/indicators/template/add/")
    page.select_option("select[name=preset]", "national")
    page.fill("input[name=name]", "项目支出预设")
    page.fill("input[name=year]", "2022")
    page.screenshot(path=f"{SHOTS}/template-add-preset.png", full_page=True)
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")
    page.screenshot(path=f"{SHOTS}/template-after-preset.png", full_page=True)
    t = Template.objects.get(name="项目支出预设")
    assert [n.name for n in t.level1_nodes.order_by("order")] == ["产出指标", "效益指标", "满意度指标"]
    assert page.locator("#level1_nodes-group tr.has_original").count() == 3
