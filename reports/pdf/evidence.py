"""Evidence carried into the archive: the archived PDF lists each file with its row, size and
SHA-256; the files themselves go into a zip written once beside it (ReportArchive.evidence_file,
its own hash kept), with a SHA256SUMS file. The PDF of a published report is public; the
evidence is not (it may hold invoices, minutes, people's names): the zip is served only to
those who may read the report.

A file whose bytes no longer match the hash recorded at upload stops the archive: an archive
must not vouch for a changed file.
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from perfeval.uploads import KINDS, size_text
from reports.models import Report
from reports.selectors.evidence import evidence_list

LABEL_OF = {kind.content_type: kind.label for kind in KINDS}


class EvidenceChanged(Exception):
    """A stored evidence file is missing or no longer has the hash recorded at upload."""


CHUNK = 1 << 20
# The zip is built in a spooled temporary file: in memory up to this size, on disk beyond, so
# a report with many large files is never held in memory whole.
SPOOL_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class ArchivedEvidence:
    number: int
    row: str  # the row's 三级指标, "" for the report as a whole
    name: str
    type_label: str
    size: str
    sha256: str

    @property
    def attachment_name(self) -> str:
        # Two rows may each have a 照片.jpg: the number keeps their names in the zip apart.
        return f"{self.number:02d}-{self.name}"


@dataclass
class EvidenceBundle:
    items: list[ArchivedEvidence]
    file: BinaryIO  # the zip, at its start; the caller closes it


def evidence_bundle(report: Report) -> EvidenceBundle | None:
    """The report's evidence as a zip (each file under its numbered name, and SHA256SUMS, which
    `sha256sum -c` checks), every file's hash checked as it is copied in; None without evidence."""
    records = evidence_list(report)
    if not records:
        return None
    # Handed to the caller open (it closes it once the archive is written); closed here on failure.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    items = []
    try:
        # Stored, not deflated: scans, photos and Office files are compressed already.
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as bundle:
            for number, record in enumerate(records, start=1):
                item = ArchivedEvidence(
                    number=number,
                    row=record.indicator.level3 if record.indicator is not None else "",
                    name=record.original_name,
                    type_label=LABEL_OF.get(record.content_type, record.content_type),
                    size=size_text(record.size),
                    sha256=record.sha256,
                )
                digest = hashlib.sha256()
                try:
                    with record.file.open("rb") as source, bundle.open(item.attachment_name, "w") as target:
                        while chunk := source.read(CHUNK):
                            digest.update(chunk)
                            target.write(chunk)
                except OSError as exc:
                    raise EvidenceChanged(f"{record.file.name}: {exc.strerror or exc}") from exc
                if digest.hexdigest() != record.sha256:
                    raise EvidenceChanged(f"{record.file.name}: SHA-256 does not match the upload record")
                items.append(item)
            bundle.writestr("SHA256SUMS", "".join(f"{i.sha256}  {i.attachment_name}\n" for i in items))
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return EvidenceBundle(items=items, file=spool)
