"""Reading the figures people type into 指标值 / 实际完成值 / amount cells.

Forms, spreadsheets and PDFs give "≥95%", "=94.5%", "41个", "≥41个城市社区",
"≤ 3 天", "１００％", "1,234.5万元" or words such as "完成". Nothing here raises
and nothing passes through float.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple


class Measure(NamedTuple):
    sign: str | None  # ">=", "<=", "=" or None
    value: Decimal | None
    unit: str
    has_operator: bool  # an operator was written (">95" too, read as ">=")


_EMPTY = Measure(None, None, "", False)

# Written operators, longest first; strict ones are read as the non-strict sign
# (for scoring a target the difference never matters).
_OPERATORS = (
    ("大于等于", ">="),
    ("小于等于", "<="),
    ("不低于", ">="),
    ("不少于", ">="),
    ("不小于", ">="),
    ("不高于", "<="),
    ("不超过", "<="),
    ("不大于", "<="),
    ("不多于", "<="),
    (">=", ">="),
    ("<=", "<="),
    ("=>", ">="),
    ("=<", "<="),
    ("==", "="),
    ("≥", ">="),
    ("≧", ">="),
    ("⩾", ">="),
    ("≤", "<="),
    ("≦", "<="),
    ("⩽", "<="),
    ("大于", ">="),
    ("小于", "<="),
    ("低于", "<="),
    ("高于", ">="),
    ("等于", "="),
    (">", ">="),
    ("<", "<="),
    ("=", "="),
)
_SUFFIX_SIGNS = (("以上", ">="), ("以下", "<="), ("以内", "<="))
# Operators by their first character: one dict probe instead of trying them all.
_BY_FIRST: dict[str, tuple[tuple[str, str], ...]] = {}
for _w, _m in _OPERATORS:
    _BY_FIRST[_w[0]] = (*_BY_FIRST.get(_w[0], ()), (_w, _m))
# What an operator may start with once folded; plus its full-width forms and spaces,
# for callers that want to know cheaply whether a text might carry one.
OPERATOR_STARTS = frozenset(_BY_FIRST) | frozenset("＞＜＝ 　\t\r\n")
OPERATOR_SUFFIXES = tuple(w for w, _ in _SUFFIX_SIGNS)

# A number: optional minus, digits with optional thousands commas, optional fraction.
_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+")
# A number that goes on in a notation we do not read ("1e10", "0x10", "12.345.6", "1_000",
# "1,0000"): reading its leading digits would silently misread it, so it is not a number.
_CONTINUES = re.compile(r"[.,_]?\d|[eExXoObB][-+]?\d")
# Full-width ASCII (！..～) to ASCII, the ideographic space, and the minus signs people paste.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: " ", ord("−"): "-", ord("–"): "-", ord("﹣"): "-", ord("。"): "."})
_FOLD_TABLE = str.maketrans(_FOLD)


def _normalise(text: str) -> str:
    # Folding by table is several times cheaper than NFKC and covers what forms carry;
    # NFKC runs only for the rare other compatibility characters (e.g. "²").
    if text.isascii():
        return text.strip()
    s = text.translate(_FOLD_TABLE) if _WIDE.search(text) else text
    if _COMPAT.search(s):
        s = unicodedata.normalize("NFKC", s)
    return s.strip()


_WIDE = re.compile("[\uff01-\uff5e\u3000−–﹣。]")
_COMPAT = re.compile("[\u00a0\u00b2\u00b3\u00b9\u2070-\u209f\u2150-\u218f\u2460-\u24ff\u3371-\u33ff]")


def _to_decimal(digits: str) -> Decimal | None:
    try:
        value = Decimal(digits.replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


@lru_cache(maxsize=8192)
def _parse_measure(text: str) -> Measure:
    s = _normalise(text)
    if not s:
        return _EMPTY
    sign = None
    has_operator = False
    for written, meaning in _BY_FIRST.get(s[0], ()):
        if s.startswith(written):
            sign, has_operator = meaning, True
            s = s[len(written) :].lstrip()
            break
    m = _NUMBER.search(s)
    if m is None:
        return Measure(sign, None, "", has_operator)
    if _CONTINUES.match(s, m.end()):
        return Measure(sign, None, "", has_operator)
    value = _to_decimal(m.group())
    unit = s[m.end() :].strip()
    if sign is None:
        for suffix, meaning in _SUFFIX_SIGNS:
            if unit.endswith(suffix):
                sign, has_operator = meaning, True
                unit = unit[: -len(suffix)].strip()
                break
    return Measure(sign, value, unit, has_operator)


def parse_measure(text: object) -> Measure:
    """Split a typed target or actual into operator, number and unit.

    "≥41个城市社区" -> (">=", 41, "个城市社区", True); "完成" -> (None, None, "", False).
    """
    if not isinstance(text, str):
        if isinstance(text, Decimal) and text.is_finite():
            return Measure(None, text, "", False)
        return _EMPTY
    return _parse_measure(text)


@lru_cache(maxsize=8192)
def _parse_decimal(text: str) -> Decimal | None:
    s = _normalise(text).replace(" ", "")
    if not s or _NUMBER.fullmatch(s) is None:
        return None
    return _to_decimal(s)


def parse_decimal(text: object) -> Decimal | None:
    """A plain typed number ("477.48", "1,234.5", "１２３", " -3 ") or None.

    Anything else (units, words, NaN, "") is None: the caller decides what blank means.
    """
    if isinstance(text, Decimal):
        return text if text.is_finite() else None
    if isinstance(text, int) and not isinstance(text, bool):
        return Decimal(text)
    if not isinstance(text, str):
        return None
    return _parse_decimal(text)


SIGN_SYMBOLS = {">=": "≥", "<=": "≤", "=": "="}


def signed_target(sign: str | None, text: str) -> str:
    """A target as shown: a text that writes no operator of its own gets the row's sign in front.

    A department's own row keeps its sign apart from the text ("≥" and "95"); a template's
    text carries it ("≥95%") and is shown as it is.
    """
    if not text or sign not in SIGN_SYMBOLS or parse_measure(text).has_operator:
        return text
    return SIGN_SYMBOLS[sign] + text
