"""Fixtures of the review tests: the demo loaded once a module, the five personas, a browser.

`review_data` loads the demo and the personas inside a transaction held while a
module's tests run and rolled back after them; each test still runs in its own
savepoint (request `db`), so what it writes is undone. (Not once for the package: the
transactional browser test, which pytest-django runs after the others, must not find
that transaction open.) Browser tests use the root `demo` fixture instead.
"""

from __future__ import annotations

import os

import pytest
from django.db import transaction
from django.test import override_settings

from departments.models import Department, Role
from reports.models import Report
from tests.browser_thread import in_browser
from tests.conftest import make_user
from tests.test_form_helpers import fill_required

# Playwright's sync API runs an event loop in its thread; Django's ORM would refuse to run beside it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PERSONAS = ("anonymous", "accountant_a", "accountant_b", "reviewer", "admin")


def create_personas() -> dict:
    """anonymous, the accountant of A (the seed, 101001), of B (201001), a reviewer, an admin."""
    dept_a = Department.objects.get(code="101001")
    dept_b = Department.objects.get(code="201001")
    return {
        "anonymous": None,
        "accountant_a": make_user("r_acct_a", Role.Kind.ACCOUNTANT, dept_a),
        "accountant_b": make_user("r_acct_b", Role.Kind.ACCOUNTANT, dept_b),
        "reviewer": make_user("r_reviewer", Role.Kind.REVIEWER),
        "admin": make_user("r_admin", Role.Kind.ADMIN, is_staff=True, is_superuser=True),
    }


@pytest.fixture(scope="module")
def review_data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        from reports.demo.build import load_demo

        load_demo()
        yield create_personas()
        transaction.set_rollback(True)


@pytest.fixture
def people(review_data, db):
    """The five personas over the module's demo; this test's writes are rolled back."""
    return review_data


@pytest.fixture
def seed(people):
    report = Report.objects.select_related("department", "round").get(department__code="101001")
    fill_required(report)  # the published seed names no 填表人, which 送审 needs
    return Report.objects.select_related("department", "round").get(pk=report.pk)


@pytest.fixture
def review_browser():
    """`review_browser(scenario)` runs scenario(browser) in headless chromium and returns its result."""
    return lambda scenario: in_browser(scenario, timeout=150, name="review-browser")
