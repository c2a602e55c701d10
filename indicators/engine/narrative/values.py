"""Small helpers over the half-validated input: Decimals that can be used, typed parts, percentages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from indicators.engine.numbers import round_half_up

_WAN = Decimal(10000)
_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
_HUGE = Decimal("1e15")


def _str(x: object) -> str:
    return x if isinstance(x, str) else ""


def _of(items: object, cls: type | tuple[type, ...]) -> list:
    """The elements of a tuple or list that are of the expected type."""
    return [x for x in items if isinstance(x, cls)] if isinstance(items, (tuple, list)) else []


def _has(items: object, cls: type) -> bool:
    return isinstance(items, (tuple, list)) and any(isinstance(x, cls) for x in items)


def _dec(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except (InvalidOperation, ValueError):
        return None


def _ok(d: object) -> bool:
    return type(d) is Decimal and d.is_finite() and -_HUGE < d < _HUGE


def _r(d: Decimal, places: int = 2) -> Decimal:
    return round_half_up(d, places)


def _two(d: Decimal | None) -> str:
    return str(_r(d)) if _ok(d) else "空白"


def _cents(d: Decimal) -> str:
    """A key for an amount rounded to 2 places (0.00 and -0.00 alike)."""
    return str(d) if d else "0.00"


def _plain(d: Decimal) -> str:
    s = str(d)
    if "E" in s:
        s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s or "0"


def _places(text: str) -> int:
    return len(text.partition(".")[2])


def _pct_matches(printed: Decimal, places: int, value: Decimal | None) -> bool:
    """The printed percentage is the value at the printed precision (double rounding allowed)."""
    if not _ok(value) or places > 6:
        return False
    if _r(value, places) == printed:
        return True
    return any(_r(_r(value, q), places) == printed for q in range(places + 1, 3))


def _pct(num: Decimal | None, den: Decimal | None) -> Decimal | None:
    if not (_ok(num) and _ok(den)) or den == 0:
        return None
    return num / den * _HUNDRED
