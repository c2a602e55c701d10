"""Form widgets shared by the admin and the pages."""

from decimal import Decimal

from django import forms
from django.db import models


def plain_decimal(value: Decimal) -> str:
    """A stored Decimal(20, 6) as a person writes it: 134.48, not 134.480000."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


class DecimalInput(forms.TextInput):
    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "class": "num", "size": 10, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal):
            return plain_decimal(value)
        return super().format_value(value)


# For admin classes: exact decimals shown plainly, long texts in small boxes inside rows.
ADMIN_FORMFIELD_OVERRIDES = {
    "decimal": {"widget": DecimalInput},
    "text": {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})},
}


def admin_overrides() -> dict:
    return {
        models.DecimalField: ADMIN_FORMFIELD_OVERRIDES["decimal"],
        models.TextField: ADMIN_FORMFIELD_OVERRIDES["text"],
    }
