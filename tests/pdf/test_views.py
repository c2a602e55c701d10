"""Print preview, background PDF with a polled status, archived PDFs: who may see what."""

import hashlib

import pytest
from django.urls import reverse

from reports.models import Report, ReportArchive, ReportRender
from reports.pdf import services
from reports.pdf.archive import media_path
from reports.pdf.render import Rendered

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_render(monkeypatch):
    def render(report_id, *, part="both", final=None, public=False):
        return Rendered(pdf=b"%PDF-1.7\n" + f"{report_id} {part} {final}".encode())

    monkeypatch.setattr(services, "render_pdf", render)


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


def test_print_preview_is_the_pdf_html_with_a_toolbar(client, personas, seed_report):
    client.force_login(personas["accountant_a"])
    response = client.get(reverse("pdf:print", args=[seed_report.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html
    assert 'class="toolbar"' in html and "草稿" in html
    assert "99.44" in html and 'rowspan="21"' in html  # 投入管理指标 over its 21 rows
    assert "<thead>" in html and "table-layout: fixed" in html
    only_table = client.get(reverse("pdf:print", args=[seed_report.pk]), {"part": "table"}).content.decode()
    assert "部门整体绩效自评表" in only_table and "三、综合评价结论" not in only_table


@pytest.mark.parametrize(
    "who, expected",
    [("anonymous", 302), ("accountant_a", 200), ("accountant_b", 404), ("reviewer", 200), ("admin", 200)],
)
def test_print_preview_is_scoped_to_the_user(client, personas, seed_report, who, expected):
    response = client_for(client, personas[who]).get(reverse("pdf:print", args=[seed_report.pk]))
    assert response.status_code == expected


def test_requesting_a_pdf_queues_it_and_the_status_says_when_it_is_done(
    client, personas, seed_report, fake_render, django_capture_on_commit_callbacks
):
    client.force_login(personas["accountant_a"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pdf:request", args=[seed_report.pk]), {"part": "table"})
    render = ReportRender.objects.get(report=seed_report)
    assert response.status_code == 302
    # Rendered after the request's commit (this test's transaction never commits): the status page,
    # asked to start the download when the file is ready.
    assert response["Location"] == reverse("pdf:status", args=[seed_report.pk, render.pk]) + "?download=1"
    page = client.get(response["Location"])
    assert page.status_code == 200 and "已完成" in page.content.decode() and "data-download" in page.content.decode()
    status = client.get(response["Location"], {"format": "json"}).json()
    assert status["status"] == "done" and status["finished"]
    pdf = client.get(status["url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content if pdf.streaming else [pdf.content]).startswith(b"%PDF")
    # Another department's accountant sees none of it.
    client.force_login(personas["accountant_b"])
    assert client.get(response["Location"], {"format": "json"}).status_code == 404
    assert client.get(status["url"]).status_code == 404
    assert client.post(reverse("pdf:request", args=[seed_report.pk])).status_code == 404


def test_a_queued_request_reports_queued(client, personas, seed_report):
    render = ReportRender.objects.create(report=seed_report, part="both")  # no worker has run
    client.force_login(personas["accountant_a"])
    status = client.get(reverse("pdf:status", args=[seed_report.pk, render.pk]), {"format": "json"}).json()
    assert (status["status"], status["label"], status["finished"], status["url"]) == ("queued", "排队中", False, None)


def _archive(report):
    render = ReportRender.objects.create(report=report, purpose="archive")
    services.render_run(render.pk)
    return ReportArchive.objects.filter(report=report).order_by("-version").first()


def test_latest_archive_of_a_published_report_is_public_and_verified(client, personas, seed_report, fake_render):
    report = Report.objects.get(department__code="206001")  # published
    first, second = _archive(report), _archive(report)
    response = client.get(reverse("pdf:archive_latest", args=[report.pk]))
    assert response.status_code == 200
    assert response.content == media_path(second.file.name).read_bytes()
    assert response["ETag"] == f'"{second.sha256}"'
    assert hashlib.sha256(response.content).hexdigest() == second.sha256
    assert response["Repr-Digest"].startswith("sha-256=:")
    assert client.get(reverse("pdf:archive", args=[report.pk, 2])).status_code == 200
    # An older version is not public; those who may see the report may read it.
    assert client.get(reverse("pdf:archive", args=[report.pk, 1])).status_code == 404
    client.force_login(personas["reviewer"])
    assert client.get(reverse("pdf:archive", args=[report.pk, 1])).content == media_path(first.file.name).read_bytes()


@pytest.mark.parametrize(
    "who, expected", [("anonymous", 404), ("accountant_a", 404), ("accountant_b", 200), ("reviewer", 200)]
)
def test_archive_of_an_unpublished_report_is_scoped(client, personas, seed_report, fake_render, who, expected):
    report = Report.objects.get(department__code="201001")
    Report.objects.filter(pk=report.pk).update(state="approved")
    _archive(report)
    response = client_for(client, personas[who]).get(reverse("pdf:archive_latest", args=[report.pk]))
    assert response.status_code == expected


def test_a_tampered_archive_is_not_served(client, personas, seed_report, fake_render):
    report = Report.objects.get(department__code="206001")
    archive = _archive(report)
    path = media_path(archive.file.name)
    path.chmod(0o644)
    path.write_bytes(b"%PDF-1.7 something else")
    response = client.get(reverse("pdf:archive_latest", args=[report.pk]))
    assert response.status_code == 500
    assert b"something else" not in response.content


def test_no_archive_is_a_404(client, personas, seed_report):
    report = Report.objects.get(department__code="206001")
    assert client.get(reverse("pdf:archive_latest", args=[report.pk])).status_code == 404


def test_pressing_twice_renders_once_and_old_downloads_go(client, personas, seed_report, fake_render, media):
    import datetime

    from django.utils import timezone

    client.force_login(personas["accountant_a"])
    first = client.post(reverse("pdf:request", args=[seed_report.pk]), {"part": "table"})
    second = client.post(reverse("pdf:request", args=[seed_report.pk]), {"part": "table"})
    assert first["Location"] == second["Location"]  # still queued: the same request
    assert ReportRender.objects.filter(report=seed_report).count() == 1
    old = ReportRender.objects.get(report=seed_report)
    services.render_run(old.pk)
    old.refresh_from_db()
    path = media_path(old.file.name)
    assert path.exists()
    ReportRender.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    client.post(reverse("pdf:request", args=[seed_report.pk]), {"part": "table"})
    assert not ReportRender.objects.filter(pk=old.pk).exists() and not path.exists()
