"""Under the English interface the report page's grade, findings and explanations are English."""

import os
import re

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
    # How each score was reached, in English with its figures, and again after a keystroke's rescore.
    cjk = re.compile(r"[\u4e00-\u9fff（），：；]")
    total = page.locator("[data-out=total_explanation]")
    expect(total).to_contain_text("Total = Budget execution rate 9.45 + ")
    expect(page.locator("[data-out=exec-explain]")).to_contain_text("Budget execution rate = 451.06 ÷ 477.48")
    explained = page.locator("tr.ind-row [data-out=row-explain]")
    texts = [t for t in explained.all_inner_texts() if t]
    # A row's unit (个, 人次) is the department's data, kept as written.
    units = {u.strip() for u in demo.indicators.values_list("unit", flat=True) if u.strip()}
    assert len(texts) > 10 and units
    for unit in units:
        texts = [t.replace(unit, "") for t in texts]
    assert [t for t in texts if cjk.search(t)] == []
    met = page.locator("tr.ind-row").filter(has=page.locator("[data-out=row-explain]", has_text="meets")).first
    first = page.locator(f"tr[data-row='{met.get_attribute('data-row')}']")  # pinned: the filter stops matching
    actual = first.locator("input[data-field=actual_text]")
    actual.fill("1")
    expect(first.locator("[data-out=row-explain]")).to_contain_text("is short of")
    expect(total).to_contain_text("Total = Budget execution rate 9.45 + ")  # the level-1 names are the template's
    if SHOTS:
        first.scroll_into_view_if_needed()
        page.screenshot(path=os.path.join(SHOTS, "english_explanations.png"))
    # Saved now: a dirty page would save as it closes, racing the database flush after the test.
    with page.expect_response(lambda r: r.url.endswith("/save/")):
        page.locator("#save-button").click()
    expect(page.locator("#save-status")).to_contain_text("Saved")
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
