"""Documents uploaded as evidence: their type told by their bytes, never by their name.

Accepted: PDF (%PDF-), PNG, JPEG, and the two OOXML files people attach, xlsx and docx, told
apart by the main part their [Content_Types].xml declares. The zip is checked the way
perfeval.spreadsheets.safety checks a workbook before reading it (members, declared sizes,
encryption, a DTD in the content types) and macro-enabled documents are refused. Anything else
is refused: executables (MZ, ELF) renamed .pdf, HTML, SVG (it can carry script), archives.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import defusedxml.ElementTree
from defusedxml import DefusedXmlException
from django.conf import settings
from django.utils.translation import gettext as _

from perfeval.spreadsheets.safety import MAX_MEMBERS, MAX_UNCOMPRESSED_BYTES, WORKBOOK_MAIN_TYPE

DOCX_MAIN_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX_MAIN_TYPE = WORKBOOK_MAIN_TYPE.decode()
# Macro-enabled main parts say so in their type (…macroEnabled.main+xml); vbaProject.bin holds the code.
MACRO_MARK = "macroenabled"


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str
    label: str


PDF = Kind("application/pdf", ".pdf", "PDF")
PNG = Kind("image/png", ".png", "PNG")
JPEG = Kind("image/jpeg", ".jpg", "JPEG")
XLSX = Kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "xlsx")
DOCX = Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "docx")
KINDS = (PDF, PNG, JPEG, XLSX, DOCX)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
ZIP_MAGIC = b"PK\x03\x04"


class UploadRefused(ValueError):
    """A file we will not keep; the message is for the person who uploaded it."""


def max_evidence_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_BYTES", 20 * 1024 * 1024))


def size_text(n: int) -> str:
    """20 MB, 512 KB, 300 B: a limit or a file's size as people read it."""
    mb = 1024 * 1024
    if n >= mb:
        return f"{n // mb} MB" if n % mb == 0 else f"{n / mb:.1f} MB"
    if n >= 1024:
        return f"{n // 1024} KB"
    return f"{n} B"


def unsupported() -> UploadRefused:
    return UploadRefused(_("文件类型不受支持：只接受 PDF、图片、xlsx、docx"))


def check_size(size: int) -> None:
    """Before reading a byte: the size the upload arrived with."""
    limit = max_evidence_bytes()
    if size > limit:
        raise UploadRefused(_("文件超过 %(limit)s") % {"limit": size_text(limit)})
    if size == 0:
        raise UploadRefused(_("文件是空的。"))


def sniff(data: bytes) -> Kind:
    """What the bytes are, or UploadRefused."""
    check_size(len(data))
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(PNG_MAGIC):
        return PNG
    if data.startswith(JPEG_MAGIC):
        return JPEG
    if data.startswith(ZIP_MAGIC):
        return _ooxml(data)
    raise unsupported()


def _ooxml(data: bytes) -> Kind:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise unsupported() from None
    with archive:
        if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNCOMPRESSED_BYTES:
            raise unsupported()
        if any(m.flag_bits & 0x1 for m in members):  # encrypted members: nothing we can vouch for
            raise unsupported()
        names = {m.filename.lower() for m in members}
        if "[content_types].xml" not in names or any(n.endswith("vbaproject.bin") for n in names):
            raise unsupported()
        try:
            root = defusedxml.ElementTree.fromstring(archive.read("[Content_Types].xml"), forbid_dtd=True)
        except (DefusedXmlException, KeyError, zipfile.BadZipFile, OSError, EOFError, ValueError, SyntaxError):
            raise unsupported() from None
    types = {(element.get("ContentType") or "").strip() for element in root.iter() if element.get("ContentType")}
    if any(MACRO_MARK in t.lower() for t in types):
        raise unsupported()
    if XLSX_MAIN_TYPE in types:
        return XLSX
    if DOCX_MAIN_TYPE in types:
        return DOCX
    raise unsupported()
