"""Fixtures of the dashboard tests: the demo with its 2020 history loaded once per module, people, a browser."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings

from departments.models import Department, Role
from tests.browser_thread import in_browser
from tests.conftest import make_user

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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


@pytest.fixture
def dash_browser(monkeypatch):
    """`dash_browser(scenario)` runs scenario(browser) in headless chromium and returns its result.

    Playwright's sync API runs an event loop, beside which Django's ORM refuses to run unless
    DJANGO_ALLOW_ASYNC_UNSAFE is set. Set for the browser tests only: a process-wide setting
    would leak into `manage.py check --deploy` (tests/test_deploy.py), which rightly fails on it.
    """
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    return lambda scenario: in_browser(scenario, timeout=120, name="dashboard-browser")
