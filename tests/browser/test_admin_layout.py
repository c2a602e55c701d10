"""The admin as a bureau's admin sees it on a 1366 px laptop screen."""

import pytest

from indicators.models import Template

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_template_indicators_fit_beside_the_side_bar(new_page, demo):
    """Ten columns of text boxes at the admin's default sizes made the page 2,200 px wide."""
    template = Template.objects.get(year=2021)
    page = new_page("admin")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"/admin/indicators/template/{template.pk}/change/")
    page.wait_for_selector("#content")
    assert page.locator("#indicators-group tr.has_original").count() == template.indicators.count()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 1366, width
    # The level-3 names stay readable: their boxes are the widest text boxes of the row.
    box = page.locator(".tabular td.field-level3 input").first.bounding_box()
    assert box["width"] >= 140, box
