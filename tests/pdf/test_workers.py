"""render_reports in worker processes: each opens its own connection to the (committed) data."""

import pytest
from django.core.management import call_command
from django.db import connection


@pytest.mark.django_db(transaction=True)
def test_render_reports_in_two_worker_processes(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("worker processes need a database they can connect to (the SQLite test one is in memory)")
    from reports.demo.build import load_demo

    load_demo()
    call_command(
        "render_reports",
        "--year",
        "2021",
        "--out",
        str(tmp_path),
        "--workers",
        "2",
        "--part",
        "narrative",
        "--department",
        "201001",
        "--department",
        "202001",
    )
    files = sorted(f.name for f in tmp_path.glob("*.pdf"))
    assert files == ["2021_201001_区教育局_自评报告.pdf", "2021_202001_区卫健委_自评报告.pdf"]
    assert all((tmp_path / f).read_bytes().startswith(b"%PDF") for f in files)
