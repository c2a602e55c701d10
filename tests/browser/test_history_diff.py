"""The history page shows a narrative edit as the words that changed, not two walls of text."""

import os

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from reports.models import Report
from reports.services import editing
from reports.web.report.forms import ReportForm
from tests.test_form_helpers import form_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("PERFEVAL_SCREENSHOT_DIR")


def test_history_marks_the_changed_words(new_page, demo, client):
    accountant = get_user_model().objects.get(username="accountant")
    client.force_login(accountant)
    data = form_data(client, demo)
    data["narrative_4"] = data["narrative_4"].replace("4774760.72 万元", "477.48 万元")
    form = ReportForm(data)
    assert form.is_valid()
    editing.report_save(report_id=demo.pk, actor=accountant, data=form.data(), expected_version=demo.version)

    page = new_page("accountant")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"/reports/{demo.pk}/history/")
    row = page.locator("table.events-table tr.ev-change", has_text="4774760.72").first
    expect(row.locator("td.old del")).to_have_text("4774760.72")
    expect(row.locator("td.new ins")).to_have_text("477.48")
    assert len(row.locator("td.new").inner_text()) < 80
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "history_diff.png"))
    assert Report.objects.get(pk=demo.pk).version == demo.version + 1

    # the reviewer's timeline shows the same marks
    Report.objects.filter(pk=demo.pk).update(state="submitted")
    reviewer = new_page("reviewer")
    reviewer.set_viewport_size({"width": 1366, "height": 768})
    reviewer.goto(f"/review/{demo.pk}/")
    item = reviewer.locator("#timeline li.tl-change", has_text="4774760.72").first
    expect(item.locator(".old.diff del")).to_have_text("4774760.72")
    expect(item.locator(".new.diff ins")).to_have_text("477.48")
    item.scroll_into_view_if_needed()
    if SHOTS:
        reviewer.screenshot(path=os.path.join(SHOTS, "timeline_diff.png"))
