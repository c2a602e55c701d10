"""Evidence carried into the archive: the approved report's PDF embeds each file and lists it with
its SHA-256; a file changed since its upload stops the archive."""

from __future__ import annotations

import hashlib
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

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


def test_the_archive_embeds_and_lists_the_evidence(personas, seed_report, tmp_path, django_capture_on_commit_callbacks):
    row, pdf, png = attach(seed_report, personas["accountant_a"])
    approve(seed_report, personas["reviewer"], django_capture_on_commit_callbacks)
    archive = ReportArchive.objects.get(report=seed_report)
    path = media_path(archive.file.name)
    assert archive_verify(archive)
    assert embedded(path) == ["01-会议纪要.pdf", "02-现场照片.png"]
    saved = tmp_path / "out.bin"
    subprocess.run(["pdfdetach", "-save", "2", "-o", str(saved), str(path)], check=True, capture_output=True)
    assert saved.read_bytes() == png_bytes()
    text = compact(pdftotext(path.read_bytes()))
    assert "附件：佐证材料清单" in text
    assert pdf.sha256 in text and png.sha256 == hashlib.sha256(png_bytes()).hexdigest() and png.sha256 in text
    assert compact(row.level3) in text and "整份报告" in text


def test_a_changed_evidence_file_stops_the_archive(personas, seed_report, django_capture_on_commit_callbacks):
    _row, pdf, _png = attach(seed_report, personas["accountant_a"])
    stored = media_path(pdf.file.name)
    stored.write_bytes(MINIMAL_PDF + b"% changed after upload\n")
    approve(seed_report, personas["reviewer"], django_capture_on_commit_callbacks)
    assert not ReportArchive.objects.filter(report=seed_report).exists()
    render = ReportRender.objects.get(report=seed_report, purpose="archive")
    assert render.status == "failed" and "SHA-256" in render.error
