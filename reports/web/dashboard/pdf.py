"""The dashboard as a PDF: WeasyPrint over a small print template of our own.

Fonts are Noto Sans/Serif CJK SC (Debian's fonts-noto-cjk); WeasyPrint's warnings
(a missing glyph, a font it could not subset, CSS it ignored) are collected and
returned so that tests can fail on any of them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.template.loader import render_to_string


@dataclass
class RenderedPdf:
    pdf: bytes
    warnings: list[str] = field(default_factory=list)


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _weasyprint_warnings() -> Iterator[list[str]]:
    loggers = [logging.getLogger("weasyprint"), logging.getLogger("fontTools")]
    collector = _Collector()
    for logger in loggers:
        logger.addHandler(collector)
    try:
        yield collector.messages
    finally:
        for logger in loggers:
            logger.removeHandler(collector)


@cache
def _font_config():
    # weasyprint takes ~1 s to import; only PDF renders need it
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def dashboard_html(context: dict, *, request=None) -> str:
    return render_to_string("dashboard/print.html", context, request=request)


def dashboard_pdf(context: dict, *, request=None) -> RenderedPdf:
    # weasyprint takes ~1 s to import; only PDF renders need it
    from weasyprint import HTML

    html = dashboard_html(context, request=request)
    with _weasyprint_warnings() as warnings:
        data = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(font_config=_font_config())
    return RenderedPdf(pdf=data, warnings=list(warnings))
