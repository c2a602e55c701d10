"""The lockout in a real browser: after five wrong passwords the login form says why it refuses."""

import os

import pytest
from playwright.sync_api import expect

from reports.demo.build import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("PERFEVAL_SCREENSHOT_DIR")


def submit(page, username: str, password: str):
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.click("form:has(input[name=password]) button[type=submit]")
    return posted.value


def test_the_locked_login_page_says_why_and_for_how_long(new_page, demo):
    page = new_page()
    page.goto("/login/")
    for i in range(5):
        submit(page, "accountant", f"wrong-{i}")
    response = submit(page, "accountant", DEMO_PASSWORD)
    assert response.status == 429
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("已被锁定 15 分钟")
    expect(alert).to_contain_text("联系财政局系统管理员解锁")
    expect(page.locator("input[name=username]")).to_have_value("accountant")
    expect(page.locator("input[name=password]")).to_have_value("")
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "login_locked.png"), full_page=True)
