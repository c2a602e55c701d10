"""PDF tests: any WeasyPrint warning (missing glyph, fontTools fallback, bad CSS) fails the test."""

import logging
import re
import subprocess
from pathlib import Path

import pytest

SEED_CODE = "101001"
_cache: dict[str, bytes] = {}


class _Collector(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture(autouse=True)
def no_weasyprint_warnings():
    logger = logging.getLogger("weasyprint")
    collector = _Collector()
    logger.addHandler(collector)
    previous = logger.level
    if logger.level == logging.NOTSET or logger.level > logging.WARNING:
        logger.setLevel(logging.WARNING)
    yield collector.records
    logger.removeHandler(collector)
    logger.setLevel(previous)
    messages = [r.getMessage() for r in collector.records]
    assert not messages, f"WeasyPrint warned: {messages}"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pdftotext(pdf: Path | bytes, *, layout: bool = False) -> str:
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else [])
    if isinstance(pdf, bytes):
        return subprocess.run([*args, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return subprocess.run([*args, str(pdf), "-"], capture_output=True, check=True).stdout.decode()


def pages(text: str) -> list[str]:
    return text.split("\f")


def table_pages(text: str) -> str:
    """The pages of the standard table (from the one titled 部门整体绩效自评表 on)."""
    all_pages = pages(text)
    for i, page in enumerate(all_pages):
        if "部门整体绩效自评表" in compact(page):
            return "\f".join(all_pages[i:])
    raise AssertionError("no page titled 部门整体绩效自评表")


def table_first_page(text: str) -> int:
    for number, page in enumerate(pages(text), start=1):
        if "部门整体绩效自评表" in compact(page):
            return number
    raise AssertionError("no page titled 部门整体绩效自评表")


def narrative_pages(text: str) -> str:
    all_pages = pages(text)
    for i, page in enumerate(all_pages):
        if "部门整体绩效自评表" in compact(page):
            return "\f".join(all_pages[:i])
    return text


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def seed_pdf(demo, tmp_path) -> Path:
    """The seed report rendered once by `render_report` (the data is the same for every test)."""
    path = tmp_path / "seed.pdf"
    if "both" not in _cache:
        from django.core.management import call_command

        call_command("render_report", "--department", SEED_CODE, "--year", "2021", "-o", str(path))
        _cache["both"] = path.read_bytes()
    else:
        path.write_bytes(_cache["both"])
    return path


def cell_texts(pdf: Path, first_page: int = 1) -> list[str]:
    """Text of each table cell (or paragraph) with its wrapped lines joined again.

    pdftotext interleaves the wrapped lines of side-by-side cells; its -bbox-layout
    output keeps each line's box, so lines stacked in one column (same left edge,
    centre or right edge, one line-height apart) are joined back together. Cells
    stacked row on row in a column join too: look names up with `in`.
    """
    import xml.etree.ElementTree as ET

    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True).stdout
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    cells: list[str] = []
    for number, page in enumerate(ET.fromstring(xml).iter("{http://www.w3.org/1999/xhtml}page"), start=1):
        if number < first_page:
            continue
        lines = []
        for line in page.iter("{http://www.w3.org/1999/xhtml}line"):
            x0, y0, x1, y1 = (float(line.get(k)) for k in ("xMin", "yMin", "xMax", "yMax"))
            text = "".join(w.text or "" for w in line.findall("x:word", ns))
            lines.append([x0, y0, x1, y1, text])
        lines.sort(key=lambda item: item[1])
        chains: list[list] = []
        for x0, y0, x1, y1, text in lines:
            height = y1 - y0
            for chain in chains:
                px0, py0, px1, _py1, _ = chain[-1]
                aligned = abs(px0 - x0) < 0.6 or abs(px1 - x1) < 0.6 or abs((px0 + px1) - (x0 + x1)) < 1.2
                if aligned and 0 < y0 - py0 < 1.9 * height:
                    chain.append([x0, y0, x1, y1, text])
                    break
            else:
                chains.append([[x0, y0, x1, y1, text]])
        cells.extend("".join(item[4] for item in chain) for chain in chains)
    return cells


@pytest.fixture(scope="module")
def _demo_once(request, django_db_setup, django_db_blocker):
    """The demo loaded once per module inside a transaction that is rolled back after it.

    Each test's own transaction (the `db` fixture) nests inside as a savepoint, so tests
    still see the demo as loaded and never see each other's changes.
    """
    from django.db import transaction

    from reports.demo.build import load_demo

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        load_demo()
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def demo(_demo_once, db):
    """The seed report, from the demo loaded once per module (tests/conftest.py loads it per test).

    A module-scoped fixture is set up before any test's own transaction, so the demo is
    in the enclosing one. Transactional tests must not use it (see test_workers.py).
    """
    from reports.models import Report

    return Report.objects.select_related("department", "round").get(department__code=SEED_CODE)
