"""Wiring done once at start (called from ReportsConfig.ready): system checks, SQLite triggers.

The archive is append-only in the database. PostgreSQL's trigger lives in migration
0004; SQLite's are laid after every migrate (and dropped before), like the event log's
(reports/signals.py): SQLite rebuilds a table to alter it, and a trigger naming that
table would break the rebuild. Deletes pass only while perfeval_guard allows them,
which only the test suite does, to flush a database.
"""

from django.db.models.signals import post_migrate, pre_migrate

SQLITE_TRIGGERS = [
    "CREATE TABLE IF NOT EXISTS perfeval_guard (allow_event_delete INTEGER NOT NULL DEFAULT 0);",
    "INSERT INTO perfeval_guard (allow_event_delete) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM perfeval_guard);",
    """CREATE TRIGGER IF NOT EXISTS reports_reportarchive_no_update BEFORE UPDATE ON reports_reportarchive
    BEGIN SELECT RAISE(ABORT, 'reports_reportarchive is append-only (UPDATE refused)'); END;""",
    """CREATE TRIGGER IF NOT EXISTS reports_reportarchive_no_delete BEFORE DELETE ON reports_reportarchive
    WHEN (SELECT allow_event_delete FROM perfeval_guard) = 0
    BEGIN SELECT RAISE(ABORT, 'reports_reportarchive is append-only (DELETE refused)'); END;""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS reports_reportarchive_no_update;",
    "DROP TRIGGER IF EXISTS reports_reportarchive_no_delete;",
]


def _sqlite(using):
    from django.db import connections

    connection = connections[using]
    return connection if connection.vendor == "sqlite" else None


def drop_sqlite_triggers(sender, using="default", **kwargs):
    connection = _sqlite(using)
    if connection is None:
        return
    with connection.cursor() as cursor:
        for statement in SQLITE_DROP:
            cursor.execute(statement)


def lay_sqlite_triggers(sender, using="default", **kwargs):
    connection = _sqlite(using)
    if connection is None or "reports_reportarchive" not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        for statement in SQLITE_TRIGGERS:
            cursor.execute(statement)


def ready(app_config) -> None:
    from reports.pdf import checks  # noqa: F401  (registers the PDF system checks)

    pre_migrate.connect(drop_sqlite_triggers, sender=app_config, dispatch_uid="reports.pdf.drop_sqlite_triggers")
    post_migrate.connect(lay_sqlite_triggers, sender=app_config, dispatch_uid="reports.pdf.lay_sqlite_triggers")
