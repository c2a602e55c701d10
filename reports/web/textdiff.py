"""Word-level differences of two texts for the history pages: old with <del>, new with <ins>.

Latin words and numbers are one token each ("477.48" changes whole, not digit by digit);
Chinese has no spaces to split words on, so each CJK character is a token. The result is a
list of (op, text) parts that the template escapes; unchanged stretches are cut to a little
context around each change, and long changes are cut in the middle, so a long narrative
section stays a few lines.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

# A number with its separators, a Latin word, a run of spaces, or any other single character.
TOKEN = re.compile(r"[0-9][0-9,.%]*|[A-Za-z_]+|\s+|.", re.S)
CONTEXT = 20  # characters kept on each side of a change
CHANGE_MAX = 300  # a deleted or inserted stretch longer than this is cut in the middle
MIN_SHARED = 0.5  # share of the shorter text left unchanged, below which texts are shown whole
TOKENS_MAX = 8000  # longer texts are not diffed (difflib is quadratic at worst)
ELLIPSIS = "…"

Parts = list[tuple[str, str]]  # (op, text): op "", "del" or "ins"


@dataclass(frozen=True)
class TextDiff:
    old: Parts
    new: Parts


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def _context(text: str, *, first: bool, last: bool) -> str:
    """An unchanged stretch: its end before a change, its start after one, both between two."""
    if len(text) <= 2 * CONTEXT + 1:
        return text
    if first and last:
        return text
    if first:
        return ELLIPSIS + text[-CONTEXT:]
    if last:
        return text[:CONTEXT] + ELLIPSIS
    return text[:CONTEXT] + ELLIPSIS + text[-CONTEXT:]


def _change(text: str) -> str:
    if len(text) <= CHANGE_MAX:
        return text
    half = CHANGE_MAX // 2
    return text[:half] + ELLIPSIS + text[-half:]


def text_diff(old: str, new: str) -> TextDiff | None:
    """The marked parts of old and new, or None when a plain old → new reads as well."""
    if not old or not new or old == new:
        return None
    a, b = tokens(old), tokens(new)
    if len(a) + len(b) > TOKENS_MAX:
        return None
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    opcodes = matcher.get_opcodes()
    # Measured on the shorter text, so that a paragraph added to a section still diffs.
    shared = sum(len("".join(a[a1:a2])) for op, a1, a2, _b1, _b2 in opcodes if op == "equal")
    if shared < MIN_SHARED * min(len(old), len(new)):
        return None
    old_parts: Parts = []
    new_parts: Parts = []
    for i, (op, a1, a2, b1, b2) in enumerate(opcodes):
        if op == "equal":
            same = "".join(a[a1:a2])
            kept = _context(same, first=i == 0, last=i == len(opcodes) - 1)
            old_parts.append(("", kept))
            new_parts.append(("", kept))
            continue
        if a2 > a1:
            old_parts.append(("del", _change("".join(a[a1:a2]))))
        if b2 > b1:
            new_parts.append(("ins", _change("".join(b[b1:b2]))))
    return TextDiff(old_parts, new_parts)
