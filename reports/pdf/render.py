"""HTML and PDF of a report: one template serves the PDF and the in-browser print preview."""

from __future__ import annotations

import gc
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from reports.interchange.store import report_queryset
from reports.models import Report
from reports.pdf.context import PARTS, PrintReport, build, continue_groups, group_spans, restore_groups

WEASYPRINT_LOGGER = "weasyprint"
UA_STYLESHEET = Path(__file__).with_name("ua.css")


@dataclass
class Rendered:
    pdf: bytes
    warnings: list[str] = field(default_factory=list)


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def weasyprint_warnings() -> Iterator[list[str]]:
    """Collect what WeasyPrint warns about (missing glyphs, fontTools fallback, bad CSS)."""
    logger = logging.getLogger(WEASYPRINT_LOGGER)
    collector = _Collector()
    logger.addHandler(collector)
    try:
        yield collector.messages
    finally:
        logger.removeHandler(collector)


def print_report(
    report: Report | int, *, part: str = "both", final: bool | None = None, public: bool = False
) -> PrintReport:
    pk = report if isinstance(report, int) else report.pk
    return build(report_queryset().get(pk=pk), part=part, final=final, public=public)


def render_html(p: PrintReport, *, preview: bool = False, request=None, extra: dict | None = None) -> str:
    context = {"p": p, "preview": preview, **(extra or {})}
    return render_to_string("pdf/report.html", context, request=request)


@cache
def _font_config():
    # One per process: fontconfig lookups are then cached across renders.
    # weasyprint takes ~1 s to import; only PDF renders need it
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@cache
def _html_class():
    """WeasyPrint's HTML with our lean user-agent stylesheet (ua.css) instead of the full HTML5 one."""
    # weasyprint takes ~1 s to import; only PDF renders need it
    from weasyprint import CSS, HTML

    ua = CSS(string=UA_STYLESHEET.read_text(encoding="utf-8"))

    class PrintHTML(HTML):
        def _ua_stylesheets(self, forms=False):
            return [ua]

    return PrintHTML


@contextmanager
def fewer_gc_passes(threshold: int = 50_000) -> Iterator[None]:
    """A render allocates a great many short-lived objects; with the default gen-0 threshold
    (700) the cyclic collector runs some fifty times a render, a few of them over the whole
    heap (about 0.1 s of the seed's 1.2 s). A higher threshold for the render saves that."""
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], threshold), old[1], old[2])
    try:
        yield
    finally:
        gc.set_threshold(*old)


_ROW_ANCHOR = re.compile(r"^ind-(\d+)$")
RELAYOUTS_MAX = 3


def _layout(html: str):
    return _html_class()(string=html, base_url=str(settings.BASE_DIR)).render(font_config=_font_config())


def page_starts(document) -> set[int]:
    """The first indicator row (anchor ind-N) of each page of a laid-out document."""
    starts = set()
    for page in document.pages:
        rows = [int(m.group(1)) for name in page.anchors if (m := _ROW_ANCHOR.match(name))]
        if rows:
            starts.add(min(rows))
    return starts


def html_to_pdf(html: str, relayout: Callable | None = None) -> Rendered:
    """The PDF of html; `relayout(document)` may return the document laid out again."""
    with weasyprint_warnings() as warnings, fewer_gc_passes():
        document = _layout(html)
        if relayout is not None:
            document = relayout(document)
        pdf = document.write_pdf()
    return Rendered(pdf=pdf, warnings=list(warnings))


def continued_layout(p: PrintReport, first, layout: Callable):
    """The document with the level cells cut by page breaks split there (label repeated, 续).

    Splitting changes the cells' heights only a little, so the pages mostly break at the same
    rows again; where they moved, the cells are split where the pages now start and laid out
    again. When that does not settle, the first layout stands (labels not repeated).
    """
    original = group_spans(p.indicators)
    starts = page_starts(first)
    for _ in range(RELAYOUTS_MAX):
        split = continue_groups(p.indicators, starts, (p.show_level1, p.show_level2))
        if not split:
            break
        document = layout()
        held = page_starts(document)
        if split <= held:
            return document
        restore_groups(p.indicators, original)
        starts = held
    restore_groups(p.indicators, original)
    return first


def render_pdf(
    report: Report | int,
    *,
    part: str = "both",
    final: bool | None = None,
    evidence: list | None = None,
    public: bool = False,
) -> Rendered:
    """The report as a PDF: narrative (portrait) then table (landscape), or either alone.

    `evidence` (reports.pdf.evidence.archive_evidence): listed after the table (names and hashes only).
    `public`: for everyone's eyes (the archive copy): the filer's phone number left out.
    """
    if part not in PARTS:
        raise ValueError(f"part must be one of {PARTS}")
    p = print_report(report, part=part, final=final, public=public)
    extra = {"evidence": evidence or []}

    def relayout(first):
        return continued_layout(p, first, lambda: _layout(render_html(p, extra=extra)))

    return html_to_pdf(render_html(p, extra=extra), relayout)
