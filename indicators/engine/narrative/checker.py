"""The findings of one call, each (section, code, figure) once."""

from __future__ import annotations

from indicators.engine.narrative.table import _Table
from indicators.engine.narrative.text import _Section
from indicators.engine.types import Finding


class _Checker:
    def __init__(self, table: _Table) -> None:
        self.t = table
        self.out: list[Finding] = []
        self.seen: set[tuple[str, str, str]] = set()

    def emit(self, sec: _Section, code: str, severity: str, key: str, message: str) -> None:
        mark = (sec.where, code, key)
        if mark not in self.seen:
            self.seen.add(mark)
            self.out.append(Finding(code, severity, sec.where, message))
