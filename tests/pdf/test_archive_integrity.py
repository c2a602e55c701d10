"""Every path that serves an archived PDF checks its SHA-256 first; a tampered file is refused."""

import logging
import re

import pytest
from django.urls import reverse

from reports.models import Report, ReportArchive, ReportRender
from reports.pdf import services
from reports.pdf.archive import media_path
from reports.pdf.render import Rendered

pytestmark = pytest.mark.django_db

TAMPERED = b"%PDF-1.7 tampered bytes"


@pytest.fixture
def fake_render(monkeypatch):
    def render(report_id, *, part="both", final=None, public=False):
        return Rendered(pdf=b"%PDF-1.7\n" + f"{report_id} {part} {final} archive".encode())

    monkeypatch.setattr(services, "render_pdf", render)


@pytest.fixture
def archived(personas, fake_render):
    """A published report with one archive copy, made by its archive render."""
    report = Report.objects.select_related("round", "department").get(department__code="206001")
    render = ReportRender.objects.create(report=report, purpose="archive", requested_by=personas["admin"])
    services.render_run(render.pk)
    render.refresh_from_db()
    archive = ReportArchive.objects.get(report=report)
    return report, render, archive


def _href(html: str, fragment: str) -> str:
    found = re.findall(r'href="([^"]*' + re.escape(fragment) + r'[^"]*)"', html)
    assert found, f"no link containing {fragment}"
    return found[0].replace("&amp;", "&")


def archive_paths(client, personas, report, render) -> dict[str, tuple]:
    """(user, url) of each way to reach the archive, the links taken from the pages themselves."""
    client.force_login(personas["admin"])
    admin_list = client.get(reverse("admin:reports_reportarchive_changelist")).content.decode()
    preview = client.get(reverse("pdf:print", args=[report.pk])).content.decode()
    client.logout()
    public = client.get(reverse("public:report", args=[report.pk])).content.decode()
    return {
        "render file": (personas["reviewer"], reverse("pdf:file", args=[report.pk, render.pk])),
        "public page link": (None, _href(public, "/archive/")),
        "admin archive link": (personas["admin"], _href(admin_list, "/archive/")),
        "print preview link": (personas["reviewer"], _href(preview, "/archive/")),
    }


def _get(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def test_every_archive_path_serves_the_untampered_bytes(client, personas, archived):
    report, render, archive = archived
    data = media_path(archive.file.name).read_bytes()
    for name, (user, url) in archive_paths(client, personas, report, render).items():
        response = _get(client, user, url)
        assert response.status_code == 200, name
        assert response["Content-Type"] == "application/pdf", name
        assert response.content == data, name


def test_every_archive_path_refuses_a_tampered_file(client, personas, archived, caplog):
    report, render, archive = archived
    paths = archive_paths(client, personas, report, render)
    path = media_path(archive.file.name)
    path.chmod(0o644)
    path.write_bytes(TAMPERED)
    for name, (user, url) in paths.items():
        caplog.clear()
        with caplog.at_level(logging.ERROR):
            response = _get(client, user, url)
        assert response.status_code == 500, name
        assert b"tampered" not in response.content, name
        assert response["Content-Type"].startswith("text/html"), name
        assert "归档文件校验失败" in response.content.decode(), name
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR and "SHA-256" in r.getMessage()]
        assert errors, f"{name}: not logged as an error"


def test_a_missing_archive_file_is_refused_too(client, personas, archived):
    report, render, archive = archived
    path = media_path(archive.file.name)
    path.chmod(0o644)
    path.unlink()
    client.force_login(personas["reviewer"])
    for url in (reverse("pdf:file", args=[report.pk, render.pk]), reverse("pdf:archive_latest", args=[report.pk])):
        response = client.get(url)
        assert response.status_code == 500
        assert "归档文件校验失败" in response.content.decode()
