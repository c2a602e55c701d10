"""Headless Debian chromium through Playwright; nothing is downloaded."""

import os

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to run beside it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from tests.browser_thread import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server, transactional_db):
    """Pages in fresh contexts (separate sessions), closed after the test.

    `new_page("accountant")` starts signed in, for tests that are not about the login form.
    Asking for transactional_db here sets the database up before the pages and flushes it
    after they are closed, so a page's late request (an autosave on close) cannot race the flush.
    """
    contexts = []

    def make(signed_in_as: str | None = None):
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport={"width": 1600, "height": 1000}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        if signed_in_as:
            context.add_cookies([session_cookie(signed_in_as, live_server.url)])
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def log_in(page, username: str, password: str = "perfeval-demo") -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form:has(input[name=password]) button[type=submit]")
    page.wait_for_selector("table.list")


def session_cookie(username: str, url: str) -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": url,
    }
