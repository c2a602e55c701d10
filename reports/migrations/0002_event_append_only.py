"""The event log is append-only in the database too, not only in the model."""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION perfeval_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'reports_reportevent is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reports_reportevent_append_only
    BEFORE UPDATE OR DELETE ON reports_reportevent
    FOR EACH ROW EXECUTE FUNCTION perfeval_event_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS reports_reportevent_append_only ON reports_reportevent;
DROP FUNCTION IF EXISTS perfeval_event_append_only();
"""
# SQLite has no session flag to let a test flush through, so a delete is refused only
# while its report still exists: history cannot be removed from a live report.
SQLITE_UP = [
    """CREATE TRIGGER reports_reportevent_no_update BEFORE UPDATE ON reports_reportevent
    BEGIN SELECT RAISE(ABORT, 'reports_reportevent is append-only (UPDATE refused)'); END;""",
    """CREATE TRIGGER reports_reportevent_no_delete BEFORE DELETE ON reports_reportevent
    WHEN EXISTS (SELECT 1 FROM reports_report WHERE id = OLD.report_id)
    BEGIN SELECT RAISE(ABORT, 'reports_reportevent is append-only (DELETE refused)'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS reports_reportevent_no_update;",
    "DROP TRIGGER IF EXISTS reports_reportevent_no_delete;",
]


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(up, down)]
