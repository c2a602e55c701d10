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
# SQLite's triggers are laid by reports.signals after every migrate: SQLite rebuilds a
# table to alter it, and a trigger naming that table would break the rebuild.


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(up, down)]
