"""Evidence carried into the archive: the approved report's PDF lists each file with its SHA-256,
the files go into a zip written once beside it (never public); a file changed since its upload
stops the archive."""

from __future__ import annotations

import hashlib
import io
import subprocess
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from reports.models import Report, ReportArchive, ReportRender
from reports.pdf.archive import archive_verify, media_path
from reports.services.evidence import evidence_upload
from reports.services.workflow import report_transition
from tests.evidence.conftest import MINIMAL_PDF, png_bytes
from tests.pdf.conftest import compact, pdftotext

pytestmark = pytest.mark.django_db


def attach(seed, actor):
    row = seed.indicators.order_by("order", "pk").first()
    pdf = evidence_upload(
        report=seed, actor=actor, uploaded=SimpleUploadedFile("会议纪要.pdf", MINIMAL_PDF), indicator=row
    )
    png = evidence_upload(report=seed, actor=actor, uploaded=SimpleUploadedFile("现场照片.png", png_bytes()))
    return row, pdf, png


def approve(seed, reviewer, capture):
    Report.objects.filter(pk=seed.pk).update(state="submitted")
    with capture(execute=True):
        report_transition(report=seed, action="approve", actor=reviewer, override="已核实。")


def embedded(path) -> list[str]:
    out = subprocess.run(["pdfdetach", "-list", "-enc", "UTF-8", str(path)], capture_output=True, check=True)
    return [line.split(": ", 1)[1] for line in out.stdout.decode().splitlines()[1:]]


def test_the_archive_lists_the_evidence_and_keeps_the_files_in_a_zip_beside_it(
    client, personas, seed_report, django_capture_on_commit_callbacks
):
    row, pdf, png = attach(seed_report, personas["accountant_a"])
    approve(seed_report, personas["reviewer"], django_capture_on_commit_callbacks)
    archive = ReportArchive.objects.get(report=seed_report)
    path = media_path(archive.file.name)
    assert archive_verify(archive)
    assert embedded(path) == []  # the PDF (public once published) carries names and hashes, not the files
    text = compact(pdftotext(path.read_bytes()))
    assert "附件：佐证材料清单" in text
    assert pdf.sha256 in text and png.sha256 == hashlib.sha256(png_bytes()).hexdigest() and png.sha256 in text
    assert compact(row.level3) in text and "整份报告" in text

    bundle = media_path(archive.evidence_file.name)
    data = bundle.read_bytes()
    assert hashlib.sha256(data).hexdigest() == archive.evidence_sha256 and archive.evidence_size == len(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.namelist() == ["01-会议纪要.pdf", "02-现场照片.png", "SHA256SUMS"]
        assert z.read("01-会议纪要.pdf") == MINIMAL_PDF and z.read("02-现场照片.png") == png_bytes()
        assert z.read("SHA256SUMS").decode().splitlines() == [
            f"{pdf.sha256}  01-会议纪要.pdf",
            f"{png.sha256}  02-现场照片.png",
        ]

    url = reverse("pdf:archive_evidence", args=[seed_report.pk, 1])
    client.force_login(personas["reviewer"])
    panel = client.get(reverse("evidence:panel", args=[seed_report.pk])).content.decode()
    assert f'href="{url}"' in panel and "第 1 版归档" in panel
    response = client.get(url)
    assert response.status_code == 200 and response.content == data
    assert response["Content-Disposition"].startswith("attachment;") and response["X-Content-Type-Options"] == "nosniff"
    # Published: the PDF is public, the evidence is not.
    Report.objects.filter(pk=seed_report.pk).update(state="published")
    anonymous = Client()
    assert anonymous.get(reverse("pdf:archive_latest", args=[seed_report.pk])).status_code == 200
    assert anonymous.get(url).status_code == 302  # to the login page
    client.force_login(personas["accountant_b"])
    assert client.get(url).status_code == 404
    # A changed zip is never served.
    bundle.chmod(0o644)
    bundle.write_bytes(data + b"x")
    client.force_login(personas["accountant_a"])
    assert client.get(url).status_code == 500


def test_a_changed_evidence_file_stops_the_archive(personas, seed_report, django_capture_on_commit_callbacks):
    _row, pdf, _png = attach(seed_report, personas["accountant_a"])
    stored = media_path(pdf.file.name)
    stored.write_bytes(MINIMAL_PDF + b"% changed after upload\n")
    approve(seed_report, personas["reviewer"], django_capture_on_commit_callbacks)
    assert not ReportArchive.objects.filter(report=seed_report).exists()
    render = ReportRender.objects.get(report=seed_report, purpose="archive")
    assert render.status == "failed" and "SHA-256" in render.error
