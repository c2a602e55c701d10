"""S3: counted things (培训 12 场) against the same phrases in the table's texts."""

from __future__ import annotations

from indicators.engine.narrative.checker import _Checker
from indicators.engine.narrative.codes import _ERROR, COUNT_DIFFERS
from indicators.engine.narrative.text import _Count, _Section, _text_counts


def _common_suffix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _same_thing(a: _Count, b: _Count) -> bool:
    """Do two counted phrases (same measure word) speak of the same thing?"""
    left = _common_suffix(a.left, b.left)
    if not left:
        return False
    right = _common_prefix(a.right, b.right)
    # Two characters before the number (培训, 建成) are too common to identify a thing alone.
    if not a.right and not b.right:
        return left >= 3
    if left >= 2 and right >= 2:
        return True
    if left >= 4 and (not a.right or not b.right):
        return True
    return right >= 4


def check_counts(c: _Checker, sec: _Section) -> None:
    if not sec.scan.counts:
        return
    table = c.t.counts
    if not table:
        return
    for count in _text_counts(sec.raw, ""):
        candidates = table.get(count.measure)
        if not candidates or not count.left:
            continue
        last = count.left[-1]
        matches = [c for c in candidates if c.left.endswith(last) and _same_thing(count, c)]
        if not matches or any(c.value == count.value for c in matches):
            continue
        quoted = "”或“".join(dict.fromkeys(c.quote for c in matches))
        c.emit(sec, COUNT_DIFFERS, _ERROR, count.quote, f"{sec.label}写“{count.quote}”，表中为“{quoted}”")
