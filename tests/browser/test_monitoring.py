"""Mid-year monitoring in a browser at 1366×768: the department saves a figure to date and its light
turns; the bureau's round-wide view follows."""

import os

import pytest
from django.urls import reverse

from reports.models import MonitoringPoint
from tests.browser.conftest import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("PERFEVAL_SCREENSHOT_DIR", "/tmp/i16g-shots")


def test_a_saved_figure_turns_its_light_and_the_round_view_follows(browser, live_server, demo):
    point = MonitoringPoint.objects.get(round=demo.round)
    os.makedirs(SHOTS, exist_ok=True)
    contexts = []
    try:
        for username in ("accountant", "reviewer"):
            context = browser.new_context(
                base_url=live_server.url, locale="zh-CN", viewport={"width": 1366, "height": 768}
            )
            context.add_cookies([session_cookie(username, live_server.url)])
            contexts.append(context)
        page = contexts[0].new_page()
        assert page.goto(reverse("monitoring:entry", args=[point.pk, demo.pk])).status == 200
        row = page.locator("tr[data-row]", has_text="部门绩效评价完成率")
        assert row.locator(".light").inner_text() == "红灯"
        page.screenshot(path=os.path.join(SHOTS, "browser-entry.png"))
        row.locator("input").fill("45%")
        page.click("form button.primary")
        page.wait_for_selector(".messages li")
        assert "已保存运行监控数据。" in page.locator(".messages").inner_text()
        row = page.locator("tr[data-row]", has_text="部门绩效评价完成率")
        assert row.locator(".light").inner_text() == "绿灯"
        assert row.locator("input").input_value() == "45%"

        bureau = contexts[1].new_page()
        assert bureau.goto(reverse("monitoring:round", args=[point.pk])).status == 200
        rows = bureau.locator("tbody tr[data-department]")
        assert rows.first.get_attribute("data-department") == "208001"
        seed = bureau.locator('tr[data-department="101001"]')
        assert seed.locator("td").nth(1).inner_text().strip() == "黄灯"  # no red row left
        bureau.screenshot(path=os.path.join(SHOTS, "browser-round.png"))
    finally:
        for context in contexts:
            context.close()
