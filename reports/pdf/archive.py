"""Archived PDFs of approved reports: written once under MEDIA_ROOT/archive/, kept with their SHA-256."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from reports.models import Report, ReportArchive, SigningCertificate
from reports.pdf.context import FINAL_STATES

ARCHIVE_DIR = "archive"
CHUNK = 1 << 20


class ArchiveError(ValidationError):
    pass


class ArchiveCorrupt(Exception):
    """The stored file is missing or no longer has the hash recorded when it was archived."""


def media_path(name: str) -> Path:
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / name).resolve()
    if root not in path.parents:
        raise ArchiveCorrupt(f"{name} is outside MEDIA_ROOT")
    return path


def write_once(name: str, data: bytes | BinaryIO) -> Path:
    """Create the file from bytes or a binary file; never replace one (mode "xb" raises FileExistsError)."""
    path = media_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as fh:
        if isinstance(data, bytes):
            fh.write(data)
        else:
            shutil.copyfileobj(data, fh, CHUNK)
        fh.flush()
        os.fsync(fh.fileno())
    path.chmod(0o444)
    return path


def _digest_and_size(data: bytes | BinaryIO) -> tuple[str, int]:
    """SHA-256 and size of bytes, or of a binary file read from its start (and left there)."""
    if isinstance(data, bytes):
        return hashlib.sha256(data).hexdigest(), len(data)
    digest, size = hashlib.sha256(), 0
    data.seek(0)
    while chunk := data.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    data.seek(0)
    return digest.hexdigest(), size


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def archive_name(report: Report, version: int, sha256: str) -> str:
    return f"{ARCHIVE_DIR}/{report.round.year}/{report.department.code}/report-{report.pk}-v{version}-{sha256[:16]}.pdf"


def evidence_bundle_name(report: Report, version: int, sha256: str) -> str:
    return (
        f"{ARCHIVE_DIR}/{report.round.year}/{report.department.code}/"
        f"report-{report.pk}-v{version}-evidence-{sha256[:16]}.zip"
    )


@transaction.atomic
def report_archive_create(
    *,
    report: Report,
    pdf: bytes,
    actor=None,
    certificate: SigningCertificate | None = None,
    signed_at=None,
    evidence_zip: bytes | BinaryIO | None = None,
) -> ReportArchive:
    """Store `pdf` as the next archive version of an approved (or published) report.

    `certificate`: the one `pdf` was signed with (reports.pdf.signing); None for an unsigned archive.
    `evidence_zip` (bytes or a binary file, reports.pdf.evidence.evidence_bundle): the report's
    evidence files, written once beside the PDF, its hash kept on the same row.
    """
    locked = Report.objects.select_for_update().select_related("round", "department").get(pk=report.pk)
    if locked.state not in FINAL_STATES:
        raise ArchiveError("只有审核通过或已公开的报告可以归档。")
    version = (ReportArchive.objects.filter(report=locked).aggregate(v=Max("version"))["v"] or 0) + 1
    sha256 = hashlib.sha256(pdf).hexdigest()
    name = archive_name(locked, version, sha256)
    written = [write_once(name, pdf)]
    bundle = {}
    try:
        if evidence_zip is not None:
            bundle_sha256, bundle_size = _digest_and_size(evidence_zip)
            bundle_name = evidence_bundle_name(locked, version, bundle_sha256)
            written.append(write_once(bundle_name, evidence_zip))
            bundle = {"evidence_file": bundle_name, "evidence_sha256": bundle_sha256, "evidence_size": bundle_size}
        return ReportArchive.objects.create(
            report=locked,
            version=version,
            file=name,
            sha256=sha256,
            size=len(pdf),
            report_version=locked.version,
            created_by=actor,
            certificate=certificate,
            signed_at=signed_at,
            **bundle,
        )
    except BaseException:
        # No row points at the files we just created: they must not stay behind as stray copies.
        for path in written:
            path.unlink(missing_ok=True)
        raise


def archive_read(archive: ReportArchive) -> bytes:
    """The archived bytes, after checking them against the recorded SHA-256."""
    try:
        data = media_path(archive.file.name).read_bytes()
    except OSError as exc:
        raise ArchiveCorrupt(f"{archive.file.name}: {exc.strerror or exc}") from exc
    if hashlib.sha256(data).hexdigest() != archive.sha256:
        raise ArchiveCorrupt(f"{archive.file.name}: SHA-256 does not match the archive record")
    return data


def evidence_bundle_read(archive: ReportArchive) -> bytes:
    """The archived evidence zip, after checking it against its recorded SHA-256."""
    name = archive.evidence_file.name
    try:
        data = media_path(name).read_bytes()
    except OSError as exc:
        raise ArchiveCorrupt(f"{name}: {exc.strerror or exc}") from exc
    if hashlib.sha256(data).hexdigest() != archive.evidence_sha256:
        raise ArchiveCorrupt(f"{name}: SHA-256 does not match the archive record")
    return data


def archive_verify(archive: ReportArchive) -> bool:
    try:
        return sha256_of(media_path(archive.file.name)) == archive.sha256
    except (OSError, ArchiveCorrupt):
        return False


def archive_latest(report: Report) -> ReportArchive | None:
    return ReportArchive.objects.filter(report=report).order_by("-version").first()
