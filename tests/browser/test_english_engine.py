"""Under the English interface the report page's grade and findings are English."""

import os

import pytest
from django.conf import settings
from django.utils.translation import trans_real
from playwright.sync_api import expect

from tests.test_engine_text import add_english

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("PERFEVAL_SCREENSHOT_DIR")


@pytest.fixture
def english_catalogue():
    add_english()
    yield
    trans_real._translations = {}


def test_english_report_page(new_page, demo, live_server, english_catalogue):
    page = new_page("accountant")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    page.goto(f"/reports/{demo.pk}/")
    expect(page.locator("#bar-grade")).to_have_text("Excellent")
    unit = page.locator("#findings li[data-code='narrative.unit_yuan'] a.goto").first
    expect(unit).to_contain_text("Part 4 says “4774760.72 万元”")
    if SHOTS:
        page.locator("#findings").scroll_into_view_if_needed()
        page.screenshot(path=os.path.join(SHOTS, "english_panel.png"))
    unit.click()
    narrative = page.locator("textarea[name=narrative_4]")
    expect(narrative).to_be_focused()
    expect(narrative).to_be_in_viewport()
    if SHOTS:
        page.wait_for_timeout(800)  # the smooth scroll settles
        page.screenshot(path=os.path.join(SHOTS, "english_findings.png"))
