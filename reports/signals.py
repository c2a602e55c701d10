"""SQLite's append-only triggers for the event log, laid after every migrate.

SQLite alters a table by rebuilding it; a trigger that names the rebuilt table would
make the rebuild fail, so the triggers are dropped before migrations and laid again
after. PostgreSQL's trigger lives in migration 0002.

SQLite has no session setting a trigger could read, so deletes are refused while the
one-row table perfeval_guard says so; only the test suite lifts it, to flush a database.
"""

SQLITE_TRIGGERS = [
    "CREATE TABLE IF NOT EXISTS perfeval_guard (allow_event_delete INTEGER NOT NULL DEFAULT 0);",
    "INSERT INTO perfeval_guard (allow_event_delete) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM perfeval_guard);",
    # Also after a test flush (Django migrates again in spirit: post_migrate is sent).
    "UPDATE perfeval_guard SET allow_event_delete = 0;",
    """CREATE TRIGGER IF NOT EXISTS reports_reportevent_no_update BEFORE UPDATE ON reports_reportevent
    BEGIN SELECT RAISE(ABORT, 'reports_reportevent is append-only (UPDATE refused)'); END;""",
    """CREATE TRIGGER IF NOT EXISTS reports_reportevent_no_delete BEFORE DELETE ON reports_reportevent
    WHEN (SELECT allow_event_delete FROM perfeval_guard) = 0
    BEGIN SELECT RAISE(ABORT, 'reports_reportevent is append-only (DELETE refused)'); END;""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS reports_reportevent_no_update;",
    "DROP TRIGGER IF EXISTS reports_reportevent_no_delete;",
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
    if connection is None or "reports_reportevent" not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        for statement in SQLITE_TRIGGERS:
            cursor.execute(statement)
