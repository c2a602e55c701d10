"""The admin's refusal of a budget edit behind a published report, as the admin sees it."""

import os

from django.urls import reverse

from departments.models import BudgetLine


def test_refused_budget_edit_shows_the_reason_at_the_field(new_page, demo, tmp_path):
    line = BudgetLine.objects.get(department__code="206001", year=2021, row="total")
    page = new_page("admin")
    page.goto(reverse("admin:departments_budgetline_change", args=[line.pk]))
    page.fill("input[name=executed]", "100")
    page.click("input[name=_save]")
    error = page.locator(".errorlist").first
    error.wait_for()
    assert "该部门2021年度已有报告送审或审核通过，预算情况不能再修改。" in error.inner_text()
    assert page.input_value("input[name=executed]") == "100"  # what was typed stays
    page.screenshot(path=os.environ.get("FROZEN_SHOT") or str(tmp_path / "refused.png"), full_page=True)
    line.refresh_from_db()
    assert line.executed != 100
