"""Production settings pass Django's deployment checks without a warning."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x" * 30 + "-production-secret-from-the-environment-" + "y" * 20,
        "ALLOWED_HOSTS": "perfeval.example.gov.cn",
    }
    env.pop("DATABASE_URL", None)
    # Browser tests allow Django's sync ORM under Playwright's loop; check --deploy rightly objects.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    proc = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "System check identified no issues" in proc.stdout


def test_production_refuses_to_start_without_a_secret():
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": ""}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    proc = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode != 0
    assert "SECRET_KEY must be set" in proc.stderr
