"""A finding in the panel takes the person to the offending words, selected (form) or marked (review)."""

import os

import pytest
from playwright.sync_api import expect

from reports.models import Report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("PERFEVAL_SCREENSHOT_DIR")
SCREEN = {"width": 1366, "height": 768}
QUOTE = "4774760.72 万元"


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name))


def test_narrative_finding_selects_the_quoted_words(new_page, demo):
    page = new_page("accountant")
    page.set_viewport_size(SCREEN)
    page.goto(f"/reports/{demo.pk}/")
    link = page.locator("#findings li[data-code='narrative.unit_yuan'] a.goto").first
    expect(link).to_contain_text(QUOTE)
    link.click()
    narrative = page.locator("textarea[name=narrative_4]")
    expect(narrative).to_be_focused()
    expect(narrative).to_be_in_viewport()
    value = narrative.input_value()
    start, end = narrative.evaluate("el => [el.selectionStart, el.selectionEnd]")
    assert value[start:end].replace(" ", "") == QUOTE.replace(" ", "")
    assert value.index("4774760.72") == start
    shot(page, "findings_select.png")

    # A row finding focuses its field and flashes the cell.
    page.locator("#findings li[data-code='actual.not_measured'] a.goto").first.click()
    field = page.locator("tr.ind-row td.c-actual.finding-flash [data-field=actual_text]")
    expect(field).to_be_focused()


def test_submit_page_link_selects_the_quoted_words(new_page, demo):
    page = new_page("accountant")
    page.goto(f"/reports/{demo.pk}/submit/")
    page.locator("ol.findings li.sev-error a").filter(has_text=QUOTE).click()
    narrative = page.locator("textarea[name=narrative_4]")
    expect(narrative).to_be_focused()
    start, end = narrative.evaluate("el => [el.selectionStart, el.selectionEnd]")
    assert narrative.input_value()[start:end].replace(" ", "") == QUOTE.replace(" ", "")


def test_review_page_marks_the_quoted_words(new_page, demo):
    Report.objects.filter(pk=demo.pk).update(state="submitted")
    page = new_page("reviewer")
    page.set_viewport_size(SCREEN)
    page.goto(f"/review/{demo.pk}/")
    page.locator("#findings li[data-code='narrative.unit_yuan'] a.goto").first.click()
    mark = page.locator("#narrative-4 mark.finding-mark")
    expect(mark).to_have_count(1)
    assert mark.inner_text().replace(" ", "") == QUOTE.replace(" ", "")
    expect(mark).to_be_in_viewport()
    shot(page, "findings_review_mark.png")
