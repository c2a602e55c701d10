"""Fixtures of the dashboard tests: the demo with its 2020 history loaded once per module, people, a browser."""

from __future__ import annotations

import os
import threading

import pytest
from django.db import transaction
from django.test import override_settings

from departments.models import Department, Role
from tests.conftest import make_user

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CHROMIUM = os.environ.get("PERFEVAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def load_demo_with_history():
    from reports.demo.build import load_demo
    from reports.demo.history import load_history

    load_demo()
    load_history()


@pytest.fixture(scope="module")
def dash_data(django_db_setup, django_db_blocker):
    """The demo (2021) and its 2020 round, loaded once for the module and rolled back after it.

    Each test still runs in its own savepoint (request `db`), so what it writes is undone.
    """
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        load_demo_with_history()
        people = {
            "accountant": make_user("d_acct", Role.Kind.ACCOUNTANT, Department.objects.get(code="101001")),
            "reviewer": make_user("d_reviewer", Role.Kind.REVIEWER),
            "assigned": make_user("d_assigned", Role.Kind.REVIEWER, Department.objects.get(code="201001")),
            "admin": make_user("d_admin", Role.Kind.ADMIN, is_staff=True, is_superuser=True),
        }
        yield people
        transaction.set_rollback(True)


@pytest.fixture
def people(dash_data, db):
    return dash_data


@pytest.fixture
def round_2021(people):
    from reports.demo.build import ROUND_NAME
    from reports.models import Round

    return Round.objects.get(name=ROUND_NAME)


def in_browser(scenario):
    """Run `scenario(browser)` in a thread of its own with headless Debian chromium.

    A thread keeps this Playwright instance apart from any other the session runs
    (tests/browser has a session-wide one): two sync instances cannot share a thread.
    """
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

    thread = threading.Thread(target=run, name="dashboard-browser")
    thread.start()
    thread.join(timeout=120)
    if thread.is_alive():
        pytest.fail("the browser scenario did not finish in 120 s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


@pytest.fixture
def dash_browser(monkeypatch):
    """`dash_browser(scenario)` runs scenario(browser) in headless chromium and returns its result.

    Playwright's sync API runs an event loop, beside which Django's ORM refuses to run unless
    DJANGO_ALLOW_ASYNC_UNSAFE is set. Set for the browser tests only: a process-wide setting
    would leak into `manage.py check --deploy` (tests/test_deploy.py), which rightly fails on it.
    """
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    return in_browser
