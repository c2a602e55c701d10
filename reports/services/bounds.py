"""What a stored number may be: the bounds of each Decimal column, read from the model fields.

The form, the spreadsheet imports and the JSON interchange all ask here, so a figure the database
would refuse (a 30-digit 实际完成值, 1e20 元, a negative amount) is a field error, never a 500.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.validators import MinValueValidator
from django.utils.translation import gettext as _


def _field(model, name: str):
    return model._meta.get_field(name)


def bound_error(model, name: str, value) -> str | None:
    """A Chinese message when `value` does not fit column `name` of `model`; None when it does or is blank."""
    if value is None or value == "":
        return None
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return _("不是有效的数字")
    if not d.is_finite():
        return _("不是有效的数字")
    field = _field(model, name)
    whole = field.max_digits - field.decimal_places
    if d.adjusted() >= whole:
        return _("数值超出可保存的范围（整数部分最多 %(digits)s 位）") % {"digits": whole}
    non_negative = any(isinstance(v, MinValueValidator) and v.limit_value == 0 for v in field.validators)
    if non_negative and d < 0:
        return _("不能为负数")
    return None
