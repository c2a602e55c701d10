"""Import-export widgets that read cells as a person typed them and complain in Chinese."""

from __future__ import annotations

from decimal import Decimal

from import_export import widgets

from perfeval.spreadsheets.safety import to_decimal, to_text


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return to_text(value).strip()

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class DecimalWidget(widgets.Widget):
    """An exact Decimal from a number or numeric text; blank stays blank (None)."""

    def __init__(self, *, non_negative=True):
        super().__init__(coerce_to_string=False)
        self.non_negative = non_negative

    def clean(self, value, row=None, **kwargs):
        result = to_decimal(value)  # ValueError carries the Chinese message
        if result is not None and self.non_negative and result < 0:
            raise ValueError("不能为负数")
        return result

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None
        text = format(Decimal(value), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return Decimal(text)


class YearWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        try:
            number = to_decimal(value)
        except ValueError:
            raise ValueError(f"“{to_text(value)}”不是有效的年度") from None
        if number is None:
            return None
        if number != number.to_integral_value() or not 1990 <= number <= 2100:
            raise ValueError(f"“{to_text(value)}”不是有效的年度")
        return int(number)

    def render(self, value, obj=None, **kwargs):
        return value


class VersionWidget(widgets.Widget):
    """A small positive whole number (a template's version)."""

    def clean(self, value, row=None, **kwargs):
        try:
            number = to_decimal(value)
        except ValueError:
            number = Decimal("-1")
        if number is None:
            return None
        if number != number.to_integral_value() or not 1 <= number <= 32767:
            raise ValueError(f"“{to_text(value)}”不是有效的版本号（正整数）")
        return int(number)

    def render(self, value, obj=None, **kwargs):
        return value


class ChoiceWidget(widgets.Widget):
    """A choice written as its Chinese label or its key (plus aliases)."""

    def __init__(self, choices, aliases=None):
        super().__init__()
        self.labels = {str(key): str(label) for key, label in choices}
        self.read = {**{v: k for k, v in self.labels.items()}, **{k: k for k in self.labels}, **(aliases or {})}

    def clean(self, value, row=None, **kwargs):
        text = to_text(value).strip()
        if text == "":
            return ""
        if text in self.read:
            return self.read[text]
        if text.lower() in self.read:
            return self.read[text.lower()]
        options = "、".join(self.labels.values())
        raise ValueError(f"“{text}”不是可选值（{options}）")

    def render(self, value, obj=None, **kwargs):
        return self.labels.get(value or "", value or "")


class YesNoWidget(widgets.Widget):
    YES = {"是", "启用", "y", "yes", "true", "1", "√"}
    NO = {"否", "停用", "n", "no", "false", "0", "×"}

    def clean(self, value, row=None, **kwargs):
        if value is True or value is False:
            return value
        text = to_text(value).strip().lower()
        if text == "":
            return None
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(f"“{to_text(value)}”应为“是”或“否”")

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class CodeWidget(widgets.Widget):
    """A related object by its code, looked up in a dict the resource loads once per file."""

    def __init__(self, message: str):
        super().__init__()
        self.message = message
        self.cache: dict[str, object] = {}

    def clean(self, value, row=None, **kwargs):
        code = to_text(value).strip()
        if code == "":
            return None
        try:
            return self.cache[code]
        except KeyError:
            raise ValueError(self.message.format(code=code)) from None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.code
