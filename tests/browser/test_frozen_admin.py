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


def test_a_budget_edit_links_to_its_rescoring_jobs_progress(new_page, demo, tmp_path):
    from reports.models import Report, RescoreJob

    seed = Report.objects.get(department__code="101001", round__year=2021)
    assert seed.state in Report.EDITABLE_STATES
    line = BudgetLine.objects.get(department=seed.department, year=2021, row="total")
    page = new_page("admin")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(reverse("admin:departments_budgetline_change", args=[line.pk]))
    page.fill("input[name=executed]", str(line.annual / 2))
    page.click("input[name=_save]")
    link = page.get_by_role("link", name="查看进度")
    link.wait_for()
    assert "正在后台按修改后的设置重新计分" in page.locator(".messagelist").inner_text()
    link.click()
    job = RescoreJob.objects.get()
    assert (job.state, job.done, job.total) == ("done", job.total, job.total)  # the immediate backend ran it
    progress = page.locator("progress.rescore-progress")
    assert progress.get_attribute("value") == str(job.total) == progress.get_attribute("max")
    assert "已完成" in page.content()
    page.set_viewport_size({"width": 1366, "height": 768})
    page.screenshot(path=os.environ.get("RESCORE_SHOT") or str(tmp_path / "rescore.png"), full_page=True)
    assert not errors, errors  # no CSP violation, nothing broken
