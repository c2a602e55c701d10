"""Showing Decimals in explanations and messages.

Typed figures are shown as typed, without trailing-zero noise (95, 94.5, 1.99);
amounts, rates and score ranges with 2 places. Rounding goes through
round_half_up. Results are cached: the same few values recur on every row.
"""

from __future__ import annotations

from decimal import Decimal

from indicators.engine.numbers import round_half_up

# Beyond this the value is absurd anyway; show it in scientific form rather than
# asking quantize for more digits than the context holds.
_HUGE = Decimal("1e20")
_CACHE_MAX = 20000
_num_cache: dict[Decimal, str] = {}
_two_cache: dict[Decimal, str] = {}


def _plain(d: Decimal) -> str:
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    if s in ("-0", ""):
        s = "0"
    return s


def num(d: Decimal | None) -> str:
    """A figure without trailing zeros: 95, 94.5, 1.99, 0.005; "空白" for None."""
    if d is None:
        return "空白"
    try:
        return _num_cache[d]
    except KeyError:
        pass
    except TypeError:  # unhashable (signalling NaN)
        return str(d)
    s = str(d) if not d.is_finite() or abs(d) >= _HUGE else _plain(d)
    if len(_num_cache) >= _CACHE_MAX:
        _num_cache.clear()
    _num_cache[d] = s
    return s


def two(d: Decimal | None) -> str:
    """2 places, half up: amounts, rates and score ranges (1.60, 477.48)."""
    if d is None:
        return "空白"
    try:
        return _two_cache[d]
    except KeyError:
        pass
    except TypeError:
        return str(d)
    if not d.is_finite() or abs(d) >= _HUGE:
        s = str(d)
    else:
        s = format(round_half_up(d, 2), "f")
        if s == "-0.00":
            s = "0.00"
    if len(_two_cache) >= _CACHE_MAX:
        _two_cache.clear()
    _two_cache[d] = s
    return s


def pct(d: Decimal | None) -> str:
    """A rate in percent with 2 places: 94.47%."""
    return "空白" if d is None else two(d) + "%"


def score(d: Decimal | None) -> str:
    """A rounded score as people say it: 2, 1.99, 1.9 ("未计分" for None)."""
    return "未计分" if d is None else num(d)
