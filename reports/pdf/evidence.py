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
import io
import zipfile
from dataclasses import dataclass

from perfeval.uploads import KINDS, size_text
from reports.models import Report
from reports.selectors.evidence import evidence_list

LABEL_OF = {kind.content_type: kind.label for kind in KINDS}


class EvidenceChanged(Exception):
    """A stored evidence file is missing or no longer has the hash recorded at upload."""


@dataclass(frozen=True)
class ArchivedEvidence:
    number: int
    row: str  # the row's 三级指标, "" for the report as a whole
    name: str
    type_label: str
    size: str
    sha256: str
    data: bytes

    @property
    def attachment_name(self) -> str:
        # Two rows may each have a 照片.jpg: the number keeps their names in the zip apart.
        return f"{self.number:02d}-{self.name}"


def archive_evidence(report: Report) -> list[ArchivedEvidence]:
    out = []
    for number, item in enumerate(evidence_list(report), start=1):
        try:
            with item.file.open("rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise EvidenceChanged(f"{item.file.name}: {exc.strerror or exc}") from exc
        if hashlib.sha256(data).hexdigest() != item.sha256:
            raise EvidenceChanged(f"{item.file.name}: SHA-256 does not match the upload record")
        out.append(
            ArchivedEvidence(
                number=number,
                row=item.indicator.level3 if item.indicator is not None else "",
                name=item.original_name,
                type_label=LABEL_OF.get(item.content_type, item.content_type),
                size=size_text(item.size),
                sha256=item.sha256,
                data=data,
            )
        )
    return out


def evidence_zip(items: list[ArchivedEvidence]) -> bytes:
    """The files under their numbered names, and SHA256SUMS (`sha256sum -c SHA256SUMS` checks them)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for item in items:
            bundle.writestr(item.attachment_name, item.data)
        sums = "".join(f"{item.sha256}  {item.attachment_name}\n" for item in items)
        bundle.writestr("SHA256SUMS", sums)
    return out.getvalue()
