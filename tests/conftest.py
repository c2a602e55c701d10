"""Shared fixtures: the demo data and the personas every permission test walks through."""

import pytest
from django.contrib.auth import get_user_model

from departments.models import Department, Role
from reports.models import Report


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's million rounds cost ~0.75 s a user; tests are not about hashing strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _sqlite_event_guard(request):
    """SQLite refuses to delete events unless perfeval_guard allows it (reports/signals.py).

    Transactional tests end with Django flushing every table; on SQLite that needs the
    guard lifted first. Other tests roll back and never delete.
    """
    from django.db import connection

    transactional = {"transactional_db", "live_server"} & set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        transactional.add("marker")
    if not transactional or connection.vendor != "sqlite":
        yield
        return
    request.getfixturevalue("transactional_db")  # set up first, so torn down (flushed) after us
    yield
    with connection.cursor() as cursor:
        cursor.execute("UPDATE perfeval_guard SET allow_event_delete = 1")


@pytest.fixture(scope="session", autouse=True)
def _postgres_flush_past_truncate_trigger():
    """Transactional tests end with Django's flush, a TRUNCATE of every table, which the
    append-only tables' statement trigger refuses (migration 0005). The flush alone runs in
    replica mode, where ordinary triggers don't fire: SET LOCAL ends with the flush's own
    transaction, and only a superuser (the suite's connection) may set it, not the app's role.
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    flush = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        return flush(self, ["SET LOCAL session_replication_role = replica", *sql_list])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "execute_sql_flush", execute_sql_flush)
        yield


@pytest.fixture
def demo(db):
    from reports.demo.build import load_demo

    load_demo()
    # The published seed names no 填表人; 送审 needs one (reports.services.completeness).
    Report.objects.filter(department__code="101001", round__year=2021, contact="").update(contact="张丽 0371-68921234")
    # The 2020 history (load_demo's command adds it) only where a test asks for it: it doubles the setup.
    return Report.objects.select_related("department", "round").get(department__code="101001", round__year=2021)


@pytest.fixture
def seed_report(demo):
    return demo


def make_user(username: str, kind: str | None = None, department: Department | None = None, **extra):
    user = get_user_model().objects.create_user(username=username, password="pw-" + username, **extra)
    if kind:
        Role.objects.create(user=user, kind=kind, department=department)
    return user


@pytest.fixture
def personas(demo):
    """anonymous, accountant of A (the seed), accountant of B, reviewer, admin."""
    dept_a = Department.objects.get(code="101001")
    dept_b = Department.objects.get(code="201001")
    return {
        "anonymous": None,
        "accountant_a": make_user("p_acct_a", Role.Kind.ACCOUNTANT, dept_a),
        "accountant_b": make_user("p_acct_b", Role.Kind.ACCOUNTANT, dept_b),
        "reviewer": make_user("p_reviewer", Role.Kind.REVIEWER),
        "admin": make_user("p_admin", Role.Kind.ADMIN, is_staff=True, is_superuser=True),
    }
