"""TRUNCATE skips row triggers, so the append-only tables refuse it with a statement trigger.

It fires for every role, the owner included, and for a TRUNCATE ... CASCADE that reaches
the tables; only a superuser's session_replication_role = replica skips it (the test
suite's flush does, README "Database roles"). The app's role has no TRUNCATE privilege at all.
"""

from django.db import migrations

TABLES = ("reports_reportevent", "reports_reportarchive")

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION perfeval_append_only_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only (TRUNCATE refused)', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"""
CREATE TRIGGER {table}_no_truncate
    BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION perfeval_append_only_no_truncate();
"""
    for table in TABLES
)
POSTGRES_DOWN = "".join(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};\n" for table in TABLES) + (
    "DROP FUNCTION IF EXISTS perfeval_append_only_no_truncate();\n"
)
# SQLite has no TRUNCATE: its DELETE triggers (reports.signals) already cover a delete of all rows.


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_reportarchive")]

    operations = [migrations.RunPython(up, down)]
