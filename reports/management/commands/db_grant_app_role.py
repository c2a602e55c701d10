"""Grant the app's PostgreSQL role what the app needs, and no more (README, "Database roles").

Run by the tables' owner after every migrate; running it again changes nothing. The role
must be neither superuser nor owner: either could switch the append-only triggers off
(session_replication_role, ALTER TABLE ... DISABLE TRIGGER) or drop them.
"""

import re

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from reports.signals import APPEND_ONLY_TABLES

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class Command(BaseCommand):
    help = "Grant the app's PostgreSQL role its privileges (run as the owner, after migrate)."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role the app connects as, e.g. perfeval_app")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, role: str, database: str, **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError("db_grant_app_role is for PostgreSQL only.")
        if not ROLE_NAME.match(role):
            raise CommandError(f"{role!r} is not a plain lower-case role name.")
        with transaction.atomic(using=database), connection.cursor() as cursor:
            self._refuse_a_role_that_could_bypass(cursor, role)
            quote = connection.ops.quote_name
            cursor.execute("SELECT current_database(), current_schema()")
            db, schema = (quote(name) for name in cursor.fetchone())
            who = quote(role)
            append_only = ", ".join(quote(table) for table in APPEND_ONLY_TABLES)
            for sql in (
                f"GRANT CONNECT ON DATABASE {db} TO {who}",
                f"GRANT USAGE ON SCHEMA {schema} TO {who}",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {who}",
                # Only these four: anything granted before (ALL, say) is taken back.
                f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {schema} FROM {who}",
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {who}",
                # Tables a later migrate creates (as this owner) are the app's too.
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {who}",
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {who}",
                # The event log and the archive: read and append only.
                f"REVOKE UPDATE, DELETE, TRUNCATE ON {append_only} FROM {who}",
            ):
                cursor.execute(sql)
        self.stdout.write(
            f"{role}: SELECT, INSERT, UPDATE, DELETE on the tables; SELECT, INSERT only on {append_only}."
        )

    def _refuse_a_role_that_could_bypass(self, cursor, role: str) -> None:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
        if row is None:
            raise CommandError(f"Role {role} does not exist; create it first (CREATE ROLE {role} LOGIN PASSWORD ...).")
        if row[0]:
            raise CommandError(f"Role {role} is a superuser: it could switch the append-only triggers off.")
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolsuper AND pg_has_role(%s, oid, 'MEMBER'))", [role]
        )
        if cursor.fetchone()[0]:
            raise CommandError(f"Role {role} is a member of a superuser role: it could switch the triggers off.")
        # Owner, or able to act as the owner: ALTER TABLE ... DISABLE TRIGGER, DROP TRIGGER.
        cursor.execute(
            """SELECT c.relname FROM pg_class c
               WHERE c.relname = ANY(%s) AND c.relnamespace = current_schema()::regnamespace
                 AND pg_has_role(%s, c.relowner, 'MEMBER')""",
            [list(APPEND_ONLY_TABLES), role],
        )
        owned = [name for (name,) in cursor.fetchall()]
        if owned:
            raise CommandError(f"Role {role} owns {', '.join(owned)} (or is a member of its owner); use another role.")
        cursor.execute("SELECT current_setting('server_version_num')::int >= 150000")
        if cursor.fetchone()[0]:
            cursor.execute("SELECT has_parameter_privilege(%s, 'session_replication_role', 'SET')", [role])
            if cursor.fetchone()[0]:
                raise CommandError(f"Role {role} may SET session_replication_role: REVOKE SET ON PARAMETER first.")
