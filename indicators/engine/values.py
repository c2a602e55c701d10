"""Making whatever a form or file carried safe to compute with.

The engine never raises on input: a figure that is not a usable Decimal becomes
blank (None) and the caller reports it. Bounds keep every later division and
quantize inside the default decimal context (28 digits, no traps hit).
"""

from __future__ import annotations

from decimal import Decimal

from indicators.engine.parse import parse_decimal

LIMIT = Decimal("1e15")  # larger than any budget in 元; beyond it a figure is garbage
TINY_EXP = -15  # non-zero figures below 1e-15 are garbage too (they would overflow ratios)

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
TEN_THOUSAND = Decimal(10000)


def _check(d: Decimal) -> bool:
    # adjusted() is the exponent of the leading digit: 1e-15 <= |d| < 1e15 (LIMIT).
    # is_finite() first: it is False for NaN and sNaN without signalling.
    return d.is_finite() and ((TINY_EXP <= d.adjusted() < 15) or not d)


def clean_num(x: object) -> tuple[Decimal | None, bool]:
    """(value, invalid): None stays blank; garbage becomes (None, True).

    A str holding a plain number ("477.48") is accepted: some callers hand text over.
    Floats are refused: they are how wrong cents creep in.
    """
    if x is None:
        return None, False
    if type(x) is Decimal:
        if _check(x):
            return x, False
        return None, True
    if isinstance(x, Decimal):
        return clean_num(Decimal(x))
    if isinstance(x, bool):
        return None, True
    if isinstance(x, int):
        d = Decimal(x)
        return (d, False) if _check(d) else (None, True)
    if isinstance(x, str):
        if not x.strip():
            return None, False
        d = parse_decimal(x)
        if d is not None and _check(d):
            return d, False
        return None, True
    return None, True


class _Bad:
    """Marks a figure that was given but is unusable (blank is None)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "BAD"


BAD = _Bad()


def num(x: object) -> Decimal | _Bad | None:
    """clean_num in one value: a usable Decimal, None for blank, BAD for garbage."""
    if type(x) is Decimal:  # the usual case, checked inline (as _check): rows read 4 figures each
        return x if x.is_finite() and (TINY_EXP <= x.adjusted() < 15 or not x) else BAD
    v, bad = clean_num(x)
    return BAD if bad else v


def clean_text(x: object) -> str:
    if type(x) is str:
        return x
    if x is None:
        return ""
    try:
        return str(x)
    except Exception:
        return ""


def is_blank_reason(text: str) -> bool:
    """Empty or a placeholder: a reason must say something."""
    return text.strip() in _PLACEHOLDERS


_PLACEHOLDERS = frozenset({"", "/", "／", "-", "—", "－", "无", "暂无", "无。", "不适用"})


def as_items(x: object) -> tuple:
    """A sequence field as a tuple; anything that is not a list or tuple is empty."""
    if type(x) is tuple:
        return x
    if isinstance(x, list | tuple):
        return tuple(x)
    return ()
