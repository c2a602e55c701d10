"""The dashboard in headless chromium: the charts are drawn, with the demo's bars, and lead to the reports."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reports.demo.build import DEMO_PASSWORD, ROUND_NAME, load_demo
from reports.models import Round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BARS = "els => els.map(e => [e.dataset.label, Number(e.dataset.count), e.querySelector('rect').getBBox().height])"


def test_charts_are_drawn_with_the_demo_bars_and_lead_to_the_reports(live_server, dash_browser):
    load_demo()  # the charts need only this year
    round_ = Round.objects.get(name=ROUND_NAME)
    dashboard = reverse("dashboard:round", args=[round_.pk])

    def scenario(browser):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1440, "height": 900})
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.goto("/login/")
        page.fill("input[name=username]", "reviewer")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("form:has(input[name=password]) button[type=submit]")
        page.wait_for_load_state()
        page.goto(dashboard)
        seen = {
            "grades": page.locator("svg[data-chart=grades] g.bar-group").evaluate_all(BARS),
            "totals": page.locator("svg[data-chart=totals] g.bar-group").evaluate_all(BARS),
            "states": page.locator("svg[data-chart=states] g.segment").evaluate_all(
                "els => els.map(e => [e.dataset.key, Number(e.dataset.count)])"
            ),
            "grade_box": page.locator("svg[data-chart=grades]").bounding_box(),
            "rows": page.locator("table.dash-table tbody tr").count(),
        }
        # A bar is a link to the reports behind it.
        page.locator('svg[data-chart=grades] g[data-key="良"] a').click()
        page.wait_for_url("**/reports/?grade=*")
        seen["good"] = page.locator("table.dash-table tbody tr").evaluate_all(
            "rows => rows.map(r => r.dataset.department)"
        )
        page.go_back()
        page.locator('svg[data-chart=totals] g[data-key="90"] a').click()
        page.wait_for_url("**/reports/?bin=90")
        seen["ninety"] = page.locator("table.dash-table tbody tr").count()
        # Sorting by a column heading.
        page.goto(dashboard)
        page.click("th.col-rule a.sort")
        page.wait_for_url("**sort=-rule")
        seen["best"] = page.locator("table.dash-table tbody tr").first.get_attribute("data-department")
        context.close()
        return seen

    seen = dash_browser(scenario)

    grades = seen["grades"]
    assert [(label, n) for label, n, _h in grades] == [("优", 5), ("良", 2), ("中", 1), ("差", 1)]
    heights = {label: h for label, _n, h in grades}
    assert heights["优"] == pytest.approx(heights["良"] * 5 / 2, rel=0.02)
    assert heights["中"] == pytest.approx(heights["差"]) and heights["中"] > 0

    totals = seen["totals"]
    assert len(totals) == 10
    assert {label: n for label, n, _h in totals if n} == {"50": 1, "70": 1, "80": 2, "90": 5}
    assert all(h == 0 for _label, n, h in totals if n == 0)

    assert seen["states"] == [["draft", 2], ["returned", 1], ["submitted", 2], ["approved", 2], ["published", 2]]
    assert seen["grade_box"]["width"] > 300 and seen["grade_box"]["height"] > 120
    assert seen["rows"] == 9
    assert seen["good"] == ["202001", "205001"]
    assert seen["ninety"] == 5
    assert seen["best"] == "206001"
