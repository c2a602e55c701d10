"""A throwaway PostgreSQL database for a benchmark, and Django set up on it.

The server is PERFEVAL_BENCH_PG (default postgres://postgres@127.0.0.1:5432, trust auth);
each benchmark names its own database, so that two can run side by side.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SERVER = os.environ.get("PERFEVAL_BENCH_PG", "postgres://postgres@127.0.0.1:5432")


class BenchDatabase:
    def __init__(self, name: str, server: str = SERVER) -> None:
        self.name = name
        self.server = server
        self.url = f"{server}/{name}"

    def _admin(self):
        import psycopg

        return psycopg.connect(f"{self.server}/postgres", autocommit=True)

    def exists(self) -> bool:
        with self._admin() as conn:
            return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.name]).fetchone() is not None

    def create(self) -> None:
        """A new, empty database (an old one of the same name is dropped)."""
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def setup_django(database_url: str, *, production: bool = True) -> None:
    """django.setup() on the database; `production` measures what production runs
    (no query log, no template debug information)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfeval.settings")
    import django
    from django.conf import settings

    django.setup()
    if production:
        settings.DEBUG = False
        for template in settings.TEMPLATES:
            template.setdefault("OPTIONS", {})["debug"] = False
