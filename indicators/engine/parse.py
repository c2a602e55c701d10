"""Reading the figures people type into 指标值 / 实际完成值 / amount cells.

Forms, spreadsheets and PDFs give "≥95%", "=94.5%", "41个", "≥41个城市社区",
"≤ 3 天", "１００％", "1,234.5万元" or words such as "完成". Nothing here raises
and nothing passes through float.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache


@dataclass(frozen=True)
class Measure:
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

# A number: optional minus, digits with optional thousands commas, optional fraction.
_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+")
_MINUSES = str.maketrans({"−": "-", "－": "-", "–": "-", "﹣": "-", "，": ",", "。": "."})


def _normalise(text: str) -> str:
    # NFKC folds full-width digits, ％, ＝, ＞ and ideographic spaces.
    return unicodedata.normalize("NFKC", text).translate(_MINUSES).strip()


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
    for written, meaning in _OPERATORS:
        if s.startswith(written):
            sign, has_operator = meaning, True
            s = s[len(written) :].lstrip()
            break
    m = _NUMBER.search(s)
    if m is None:
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
