"""The department's monitoring inputs: budget executed to date, and per row the actual to date
(as typed, read as a number), a note and, for qualitative rows, whether there is a risk."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from departments.models import MONEY
from indicators.engine import parse_measure
from indicators.engine.fmt import num
from indicators.models import MEASURE, Kind
from reports.services.monitoring import RowInput
from reports.web.report.forms import NumberField, TextField

NOTE_MAX = 1000


class ActualField(forms.CharField):
    """A figure to date as people type it ("48", "48%", "20个"); cleaned to (text, number)."""

    default_error_messages = {
        "invalid": _("请填写数值，例如 48 或 48%。"),
        "operator": _("请填写截至监控日实际完成的数值，不带比较符号。"),
        "digits": _("数值过大。"),
        "places": _("最多保留 %(places)d 位小数。"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return "", None
        measure = parse_measure(text)
        if measure.has_operator:
            raise ValidationError(self.error_messages["operator"], "operator")
        number = measure.value
        if number is None:
            raise ValidationError(self.error_messages["invalid"], "invalid")
        places = MEASURE["decimal_places"]
        if -number.normalize().as_tuple().exponent > places:
            raise ValidationError(self.error_messages["places"], "places", {"places": places})
        if number and number.adjusted() + 1 > MEASURE["max_digits"] - places:
            raise ValidationError(self.error_messages["digits"], "digits")
        return text, number


def actual_name(pk: int) -> str:
    return f"actual-{pk}"


def note_name(pk: int) -> str:
    return f"note-{pk}"


def risk_name(pk: int) -> str:
    return f"risk-{pk}"


class EntryForm(forms.Form):
    budget_executed = NumberField(
        max_digits=MONEY["max_digits"],
        decimal_places=MONEY["decimal_places"],
        negative_message=_("预算执行数不能为负数。"),
    )
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            if indicator.kind == Kind.QUANTITATIVE:
                self.fields[actual_name(indicator.pk)] = ActualField()
            else:
                self.fields[risk_name(indicator.pk)] = forms.BooleanField(required=False)
            self.fields[note_name(indicator.pk)] = TextField(required=False, max_length=NOTE_MAX)

    def clean(self):
        data = super().clean()
        for indicator in self.indicators:
            if data.get(risk_name(indicator.pk)) and not (data.get(note_name(indicator.pk)) or "").strip():
                self.add_error(note_name(indicator.pk), _("标记存在风险时请填写情况说明。"))
        return data

    def rows(self) -> dict[int, RowInput]:
        data = self.cleaned_data
        out = {}
        for indicator in self.indicators:
            text, number = data.get(actual_name(indicator.pk)) or ("", None)
            out[indicator.pk] = RowInput(
                actual_text=text,
                actual=number,
                at_risk=bool(data.get(risk_name(indicator.pk))),
                note=(data.get(note_name(indicator.pk)) or "").strip(),
            )
        return out


def entry_initial(monitoring) -> dict:
    """The form's initial values from what is stored."""
    initial = {"version": monitoring.entry.version if monitoring.entry is not None else 0}
    if monitoring.entry is not None and monitoring.entry.budget_executed is not None:
        initial["budget_executed"] = num(monitoring.entry.budget_executed)
    for item in monitoring.rows:
        if item.row is None:
            continue
        pk = item.indicator.pk
        initial[actual_name(pk)] = item.row.actual_text
        initial[note_name(pk)] = item.row.note
        initial[risk_name(pk)] = item.row.at_risk
    return initial
