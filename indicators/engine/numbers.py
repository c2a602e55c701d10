"""The one rounding helper of the project (scores and money: 2 places, half up)."""

from decimal import ROUND_HALF_UP, Decimal

_QUANTS = {places: Decimal(1).scaleb(-places) for places in range(0, 9)}


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """Round half up; Decimal in, Decimal out. Never used on floats."""
    # rounding passed by position: keyword parsing costs as much as the quantize itself
    return value.quantize(_QUANTS[places], ROUND_HALF_UP)
