"""The event log and the PDF archive are append-only for real on PostgreSQL.

The app runs under a role that is neither superuser nor owner (README, "Database roles"):
it cannot TRUNCATE, UPDATE or DELETE the append-only tables, nor switch the triggers off
with session_replication_role; the owner's TRUNCATE is refused by a statement trigger.
"""

import io
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from reports.models import ReportArchive, ReportEvent, ReportFinding
from reports.services import editing
from tests.test_form import parsed
from tests.test_form_helpers import form_data, login, set_row

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL roles, grants and triggers"),
]

APPEND_ONLY = (ReportEvent._meta.db_table, ReportArchive._meta.db_table)


def role_name() -> str:
    # Roles are cluster-wide: one per test database, so parallel suites on one server don't meet.
    return connection.settings_dict["NAME"] + "_app"


@pytest.fixture
def app_role(db):
    """A NOLOGIN role granted what the app needs, by the command docker-compose runs after migrate."""
    role = role_name()
    with connection.cursor() as cursor:
        cursor.execute(f"DO $$ BEGIN CREATE ROLE {role} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    call_command("db_grant_app_role", role, stdout=io.StringIO())
    return role


@contextmanager
def as_role(role: str):
    """Statements as the role, inside the test's transaction (rolled back with it)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {role}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def refused(sql: str, params=None) -> str:
    """The database's message for a statement it refuses; the test fails if it runs."""
    with connection.cursor() as cursor:
        # The test's own inserts leave deferred FK checks pending, which alone would stop a TRUNCATE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(DatabaseError) as excinfo, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(excinfo.value)


def test_the_app_role_cannot_truncate_the_append_only_tables(app_role, seed_report):
    events = ReportEvent.objects.count()
    assert events > 0
    with as_role(app_role):
        for table in APPEND_ONLY:
            assert "permission denied" in refused(f"TRUNCATE {table}")
        # A cascade from the report table reaches the event log too.
        assert "permission denied" in refused("TRUNCATE reports_report CASCADE")
    assert ReportEvent.objects.count() == events


def test_the_app_role_cannot_switch_the_triggers_off(app_role, seed_report):
    with as_role(app_role):
        assert "permission denied" in refused("SET session_replication_role = replica")
        for table in APPEND_ONLY:
            assert "must be owner" in refused(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
            assert "must be owner" in refused(f"DROP TRIGGER {table}_append_only ON {table}")


def test_the_app_role_cannot_update_or_delete_events_or_archives(app_role, seed_report):
    event = seed_report.events.first()
    with as_role(app_role):
        for table in APPEND_ONLY:
            assert "permission denied" in refused(f"UPDATE {table} SET id = id WHERE id = %s", [event.pk])
            assert "permission denied" in refused(f"DELETE FROM {table} WHERE id = %s", [event.pk])
    assert ReportEvent.objects.filter(pk=event.pk, message=event.message).exists()


def test_the_app_role_runs_the_app_write_paths(app_role, client, personas, seed_report):
    """A save through the service: rows updated, events inserted, findings deleted and rewritten."""
    accountant = personas["accountant_a"]
    login(client, accountant)
    events = ReportEvent.objects.filter(report=seed_report).count()
    old_findings = set(ReportFinding.objects.filter(report=seed_report).values_list("pk", flat=True))
    assert old_findings
    with as_role(app_role):
        data = form_data(client, seed_report)  # the report page, rendered under the role
        set_row(data, "服务社区数量", actual_text="30", reason="两个社区合并，服务范围调整。")
        data["contact"] = "王会计"
        saved = editing.report_save(
            report_id=seed_report.pk, actor=accountant, data=parsed(data), expected_version=seed_report.version
        )
        assert saved.changes
        ReportEvent.objects.create(
            report_id=seed_report.pk, actor=accountant, kind=ReportEvent.Kind.COMMENT, message="ok"
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] == app_role
    assert ReportEvent.objects.filter(report=seed_report).count() >= events + 2
    new_findings = set(ReportFinding.objects.filter(report=seed_report).values_list("pk", flat=True))
    assert not old_findings & new_findings


def test_truncate_is_refused_even_for_the_owner(seed_report):
    """The connection's own user (superuser and owner) without replica mode: the trigger fires."""
    events = ReportEvent.objects.count()
    for table in APPEND_ONLY:
        # CASCADE, or the archive's referencing table stops it before the trigger does.
        assert f"{table} is append-only (TRUNCATE refused)" in refused(f"TRUNCATE {table} CASCADE")
    assert "reports_reportevent is append-only (TRUNCATE refused)" in refused("TRUNCATE reports_report CASCADE")
    assert ReportEvent.objects.count() == events


def test_the_grant_is_what_the_app_needs_and_is_idempotent(app_role):
    call_command("db_grant_app_role", app_role, stdout=io.StringIO())  # a second run changes nothing
    with connection.cursor() as cursor:

        def can(table: str, privilege: str) -> bool:
            cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [app_role, table, privilege])
            return cursor.fetchone()[0]

        for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE"):
            assert can("reports_report", privilege), privilege
        assert not can("reports_report", "TRUNCATE")
        for table in APPEND_ONLY:
            assert can(table, "SELECT") and can(table, "INSERT")
            for privilege in ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES"):
                assert not can(table, privilege), (table, privilege)
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [app_role])
        assert cursor.fetchone()[0] is False


def test_the_grant_refuses_a_role_that_could_bypass_the_triggers(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        superuser = cursor.fetchone()[0]
    with pytest.raises(CommandError, match="superuser"):
        call_command("db_grant_app_role", superuser, stdout=io.StringIO())
    with pytest.raises(CommandError, match="does not exist"):
        call_command("db_grant_app_role", "perfeval_no_such_role", stdout=io.StringIO())
