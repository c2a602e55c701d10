"""Headless Debian chromium for a browser scenario, in a thread of its own.

Its own thread keeps each Playwright instance apart from any other the session runs
(tests/browser keeps one open for the session): two sync instances cannot share a thread.
"""

from __future__ import annotations

import os
import threading

import pytest

CHROMIUM = os.environ.get("PERFEVAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def in_browser(scenario, timeout: float = 150, name: str = "browser-scenario"):
    """Run `scenario(browser)` and return its result; its exceptions are raised here."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed")
    outcome: dict = {}

    def run():
        try:
            with sync_api.sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                try:
                    outcome["value"] = scenario(browser)
                finally:
                    browser.close()
        except BaseException as exc:  # re-raised in the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, name=name)
    thread.start()
    thread.join(timeout=timeout)
    if thread.is_alive():
        pytest.fail(f"the browser scenario did not finish in {timeout:.0f} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
