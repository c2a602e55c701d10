"""Form widgets shared by the admin and the pages."""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models

# Money columns are Decimal(20, 6) in 万元 (departments.models.MONEY); measures are (24, 6).
MONEY_SHAPE = (20, 6)


def plain_decimal(value: Decimal) -> str:
    """A stored Decimal(20, 6) as a person writes it: 134.48, not 134.480000."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def money_text(value: Decimal) -> str:
    """An amount in 万元 as money: two places (343.00), more only for exact 元 (0.0001)."""
    text = plain_decimal(value)
    whole, _dot, places = text.partition(".")
    return f"{whole}.{places.ljust(2, '0')}"


def is_money(field) -> bool:
    return isinstance(field, models.DecimalField) and (field.max_digits, field.decimal_places) == MONEY_SHAPE


class DecimalInput(forms.TextInput):
    input_type = "text"
    money = False  # set by AdminDecimalField for 万元 columns

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "class": "num", "size": 10, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal):
            return money_text(value) if self.money else plain_decimal(value)
        return super().format_value(value)


class AdminDecimalField(forms.DecimalField):
    """The admin's decimal field: its widget learns whether the column is money."""

    def __init__(self, *, max_digits=None, decimal_places=None, **kwargs):
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)
        if (max_digits, decimal_places) == MONEY_SHAPE and isinstance(self.widget, DecimalInput):
            self.widget.money = True


def money_column(model, name: str):
    """A change-list column for a money field: money_text, sorted and titled as the field."""
    field = model._meta.get_field(name)

    @admin.display(description=field.verbose_name, ordering=name)
    def column(obj):
        value = getattr(obj, name)
        return money_text(value) if value is not None else None

    column.__name__ = f"{name}_money"
    return column


class MoneyListMixin:
    """ModelAdmin: money fields in list_display shown with two decimals (not Decimal(20, 6)'s six)."""

    def get_list_display(self, request):
        shown = []
        for name in super().get_list_display(request):
            if isinstance(name, str) and not name.startswith("__"):
                try:
                    field = self.model._meta.get_field(name)
                except FieldDoesNotExist:  # a method or property name
                    field = None
                if is_money(field):
                    name = money_column(self.model, name)
            shown.append(name)
        return shown


# For admin classes: exact decimals shown plainly, long texts in small boxes inside rows.
ADMIN_FORMFIELD_OVERRIDES = {
    "decimal": {"widget": DecimalInput, "form_class": AdminDecimalField},
    "text": {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})},
}


def admin_overrides() -> dict:
    return {
        models.DecimalField: ADMIN_FORMFIELD_OVERRIDES["decimal"],
        models.TextField: ADMIN_FORMFIELD_OVERRIDES["text"],
    }
