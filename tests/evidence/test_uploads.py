"""What a file is, told by its bytes: the evidence types accepted, everything else refused."""

from __future__ import annotations

import io
import zipfile

import pytest

from perfeval import uploads
from tests.evidence.conftest import DOCM, DOCX, MINIMAL_PDF, WINDOWS_EXE, XLSX, ooxml, png_bytes

TYPE_REFUSED = "文件类型不受支持：只接受 PDF、图片、xlsx、docx"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (MINIMAL_PDF, uploads.PDF),
        (png_bytes(), uploads.PNG),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64, uploads.JPEG),
        (DOCX, uploads.DOCX),
        (XLSX, uploads.XLSX),
    ],
    ids=["pdf", "png", "jpeg", "docx", "xlsx"],
)
def test_accepted_types_are_known_by_their_bytes(data, kind):
    assert uploads.sniff(data) is kind


@pytest.mark.parametrize(
    "data",
    [
        WINDOWS_EXE,
        b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64,
        b"<html><script>alert(1)</script></html>",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        DOCM,  # a macro-enabled Word document
        ooxml("application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml", "ppt/p.xml"),
        b"PK\x03\x04 not really a zip",
        b"GIF89a\x01\x00\x01\x00",
    ],
    ids=["exe", "elf", "html", "svg", "docm", "pptx", "broken-zip", "gif"],
)
def test_anything_else_is_refused(data):
    with pytest.raises(uploads.UploadRefused, match=TYPE_REFUSED):
        uploads.sniff(data)


def test_a_zip_with_a_dtd_in_its_content_types_is_refused():
    bomb = ooxml(
        uploads.DOCX_MAIN_TYPE, "word/document.xml", prolog='<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aa">]>'
    )
    assert uploads.sniff(ooxml(uploads.DOCX_MAIN_TYPE, "word/document.xml", prolog="")) is uploads.DOCX
    with pytest.raises(uploads.UploadRefused, match=TYPE_REFUSED):
        uploads.sniff(bomb)


def test_the_size_limit_is_a_setting(settings):
    settings.EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
    uploads.check_size(20 * 1024 * 1024)
    with pytest.raises(uploads.UploadRefused, match="文件超过 20 MB"):
        uploads.check_size(20 * 1024 * 1024 + 1)
    settings.EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(uploads.UploadRefused, match="文件超过 1 KB"):
        uploads.sniff(MINIMAL_PDF + b"%" * 1024)
    with pytest.raises(uploads.UploadRefused, match="文件是空的"):
        uploads.check_size(0)


def test_a_zip_bomb_dressed_as_docx_is_refused_by_its_directory():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", zipfile.ZipFile(io.BytesIO(DOCX)).read("[Content_Types].xml"))
        z.writestr("word/document.xml", b"\0" * (65 * 1024 * 1024))  # beyond what any document of ours holds
    data = out.getvalue()
    assert len(data) < 1024 * 1024  # small on the wire
    with pytest.raises(uploads.UploadRefused, match=TYPE_REFUSED):
        uploads.sniff(data)
