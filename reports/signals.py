"""SQLite's append-only triggers (event log, PDF archive), laid after every migrate.

SQLite alters a table by rebuilding it; a trigger that names the rebuilt table would
make the rebuild fail, so the triggers are dropped before migrations and laid again
after. PostgreSQL's triggers live in migrations 0002 and 0004.

SQLite has no session setting a trigger could read, so deletes are refused while the
one-row table perfeval_guard says so; only the test suite lifts it, to flush a database.
"""

from django.db import connections

APPEND_ONLY_TABLES = ("reports_reportevent", "reports_reportarchive")

GUARD = [
    "CREATE TABLE IF NOT EXISTS perfeval_guard (allow_event_delete INTEGER NOT NULL DEFAULT 0);",
    "INSERT INTO perfeval_guard (allow_event_delete) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM perfeval_guard);",
    # Also after a test flush (Django sends post_migrate then too).
    "UPDATE perfeval_guard SET allow_event_delete = 0;",
]


def _triggers(table: str) -> list[str]:
    return [
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, '{table} is append-only (UPDATE refused)'); END;""",
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
        WHEN (SELECT allow_event_delete FROM perfeval_guard) = 0
        BEGIN SELECT RAISE(ABORT, '{table} is append-only (DELETE refused)'); END;""",
    ]


def _sqlite(using):
    connection = connections[using]
    return connection if connection.vendor == "sqlite" else None


def drop_sqlite_triggers(sender, using="default", **kwargs):
    connection = _sqlite(using)
    if connection is None:
        return
    with connection.cursor() as cursor:
        for table in APPEND_ONLY_TABLES:
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete;")


def lay_sqlite_triggers(sender, using="default", **kwargs):
    connection = _sqlite(using)
    if connection is None:
        return
    existing = set(connection.introspection.table_names())
    tables = [table for table in APPEND_ONLY_TABLES if table in existing]
    if not tables:
        return
    with connection.cursor() as cursor:
        for statement in GUARD + [sql for table in tables for sql in _triggers(table)]:
            cursor.execute(statement)
