"""In a real browser: the reviewer's score moves the reviewer total on the review page; once approved
and published it is the final score (审核得分) on the dashboard and the public page, and in the PDF;
a department-added row keeps its ≥ sign on each."""

import os
import re
import subprocess
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from reports.models import Report
from reports.pdf.render import render_pdf
from reports.services.scoring import report_score
from reports.services.workflow import report_transition
from tests.review.test_added_row_sign import add_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("PERFEVAL_SCREENSHOT_DIR")


def shot(page, name: str, at: str = "body") -> None:
    """At the bureau's usual screen size (1366×768), `at` scrolled to the top, when PERFEVAL_SCREENSHOT_DIR is set."""
    if SHOTS:
        page.set_viewport_size({"width": 1366, "height": 768})
        page.locator(at).first.evaluate("e => { e.scrollIntoView(); window.scrollBy(0, -140); }")
        page.screenshot(path=os.path.join(SHOTS, name))


def test_reviewer_total_final_score_and_added_row_sign(new_page, demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    users = get_user_model().objects
    added = add_row(demo)
    Report.objects.filter(pk=demo.pk).update(error_count=0)
    report = report_transition(report=demo, action="submit", actor=users.get(username="accountant"))
    rule_total = Report.objects.get(pk=report.pk).rule_total
    result = report_score(Report.objects.get(pk=report.pk))
    pairs = zip(report.indicators.order_by("order"), result.rows, strict=True)
    row, rule = next((r, res.score) for r, res in pairs if r.kind == "quantitative" and res.score and res.score > 2)
    lowered = rule - Decimal("1.5")

    reviewer = new_page("reviewer")
    reviewer.goto(f"/review/{report.pk}/")
    expect(reviewer.locator("#bar-reviewer-total")).to_have_text(f"{rule_total:.2f}")
    expect(reviewer.locator(f"#row-{added.pk} td.c-target")).to_have_text("≥95")
    reviewer.fill(f"input[name=score-{row.pk}]", str(lowered))
    reviewer.click("#save-review")
    expect(reviewer.locator("ul.messages").first).to_contain_text("审核意见已保存")
    expected = f"{rule_total - Decimal('1.5'):.2f}"
    expect(reviewer.locator("#bar-reviewer-total")).to_have_text(expected)
    expect(reviewer.locator("#sheet-reviewer-total")).to_contain_text("1 项采用审核得分")
    shot(reviewer, "review_page.png", "#sheet-top")
    reviewer.locator(f"#row-{added.pk}").scroll_into_view_if_needed()
    if SHOTS:
        reviewer.screenshot(path=os.path.join(SHOTS, "review_added_row.png"))

    saved = Report.objects.get(pk=report.pk)
    approved = report_transition(
        report=saved, action="approve", actor=users.get(username="reviewer"), expected_version=saved.version
    )
    report_transition(report=approved, action="publish", actor=users.get(username="admin"))
    assert Report.objects.get(pk=report.pk).final_score == rule_total - Decimal("1.5")

    reviewer.goto(f"/rounds/{report.round_id}/?sort=-final")
    seed_row = reviewer.locator("tr[data-department='101001']")
    expect(seed_row.locator("td.final")).to_contain_text(expected)
    expect(reviewer.locator("th.col-final")).to_contain_text("审核得分")
    shot(reviewer, "dashboard.png", "table.dash-table")

    visitor = new_page()
    visitor.goto(f"/public/{report.pk}/")
    expect(visitor.locator("#pub-final")).to_have_text(re.compile(rf"审核得分\s+{re.escape(expected)}"))
    expect(visitor.locator(f"#row-{added.pk} td.c-target")).to_have_text("≥95")
    shot(visitor, "public_page.png")
    shot(visitor, "public_added_row.png", f"#row-{added.pk}")

    if SHOTS:
        pdf = tmp_path / "report.pdf"
        pdf.write_bytes(render_pdf(report.pk).pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), os.path.join(SHOTS, "pdf")], check=True)
