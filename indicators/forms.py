"""Admin form fields of the scoring rules."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from perfeval.widgets import plain_decimal

# "80 89", "80，89", "80%, 89", "80 → 89": two numbers on a line, whatever stands between.
_NUMBER = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")


class ExecutionCapsField(forms.Field):
    """Total caps by execution rate, one band a line ("80 89": below 80 %, at most 89 points).

    Stored as the model's JSON list of [below, cap] strings; an admin should not have to
    write JSON.
    """

    widget = forms.Textarea(attrs={"rows": 3, "cols": 24, "placeholder": "80 89\n70 79"})
    default_help_text = _(
        "每行一档：执行率下限（%）和总分上限，如“80 89”表示执行率低于 80% 时总分最高 89 分。不限制则留空。"
    )

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", self.default_help_text)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, str):
            return value  # what was typed, shown again with its error
        lines = []
        for pair in value or ():
            try:
                lines.append(" ".join(plain_decimal(Decimal(str(x))) for x in pair))
            except (TypeError, ValueError, InvalidOperation):
                lines.append(" ".join(map(str, pair)) if isinstance(pair, (list, tuple)) else str(pair))
        return "\n".join(lines)

    def to_python(self, value):
        caps, errors = [], []
        for i, line in enumerate((value or "").splitlines(), start=1):
            if not line.strip():
                continue
            numbers = [Decimal(n.translate(_FULL_WIDTH)) for n in _NUMBER.findall(line)]
            if len(numbers) != 2:
                errors.append(
                    _("第 %(line)d 行“%(text)s”：应为两个数，执行率下限和总分上限，如“80 89”。")
                    % {"line": i, "text": line.strip()}
                )
                continue
            below, cap = numbers
            if not (0 < below <= 100 and 0 <= cap <= 100):
                errors.append(
                    _("第 %(line)d 行“%(text)s”：执行率下限应在 0–100 之间，总分上限应在 0–100 之间。")
                    % {"line": i, "text": line.strip()}
                )
                continue
            caps.append([plain_decimal(below), plain_decimal(cap)])
        if errors:
            raise ValidationError(errors)
        return caps


class RuleSetAdminForm(forms.ModelForm):
    total_caps_by_execution = ExecutionCapsField(label=_("按执行率限制总分"))
