"""Showing Decimals in explanations and messages.

Typed figures are shown as typed, without trailing-zero noise (95, 94.5, 1.99);
amounts, rates and score ranges with 2 places. Rounding goes through
round_half_up. Nothing is cached by value: hashing a non-integral Decimal costs
more than formatting it.
"""

from __future__ import annotations

from decimal import Decimal

from indicators.engine.numbers import round_half_up

# Beyond this the value is absurd anyway; show it in scientific form rather than
# asking quantize for more digits than the context holds.
_HUGE = Decimal("1e20")


def num(d: Decimal | None) -> str:
    """A figure without trailing zeros: 95, 94.5, 1.99, 0.005; "空白" for None."""
    if d is None:
        return "空白"
    # str() is 3 times cheaper than format(d, "f") and the same unless it chose an exponent.
    s = str(d)
    if "E" in s:
        if not d.is_finite() or abs(d) >= _HUGE:
            return s
        s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def two(d: Decimal | None) -> str:
    """2 places, half up: amounts, rates and score ranges (1.60, 477.48)."""
    if d is None:
        return "空白"
    if not d.is_finite() or abs(d) >= _HUGE:
        return str(d)
    s = str(round_half_up(d, 2))  # 2 places below 1e20: never an exponent
    return "0.00" if s == "-0.00" else s


def pct(d: Decimal | None) -> str:
    """A rate in percent with 2 places: 94.47%."""
    return "空白" if d is None else two(d) + "%"


def score(d: Decimal | None) -> str:
    """A rounded score as people say it: 2, 1.99, 1.9 ("未计分" for None)."""
    return "未计分" if d is None else num(d)
