"""The report form: parses what the accountant typed into plain data for `reports.services`.

Numbers are read the way people type them ("1,234.5", full-width digits) by the
engine's parser; anything that is not a number, is negative or has too many places is
an error at its field, in Chinese. Nothing here scores: the engine does.

Input names follow Django's formset convention ("ind-3-actual_text", "ind-TOTAL_FORMS"),
but rows are parsed with one shared set of fields rather than a Form per row: a
60-row report would otherwise copy ~900 field objects on every keystroke's live score.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from departments.models import MONEY, BudgetLine
from indicators.engine import parse_decimal, parse_measure
from indicators.models import MEASURE, WEIGHT, Kind, Sign
from reports.interchange.document import money, num
from reports.models import NARRATIVE_FIELDS, SCORE, ReportIndicator
from reports.services.editing import actual_display

BUDGET_FIELDS = ("initial", "annual", "executed")
TASK_AMOUNTS = ("budget", "budget_fiscal", "executed", "executed_fiscal")
MAX_TASKS = 100
MAX_INDICATORS = 400


class NumberField(forms.CharField):
    """A typed figure: blank is None, otherwise a Decimal that fits its database column."""

    default_error_messages = {
        "invalid": _("“%(value)s”不是数字。"),
        "negative": _("不能为负数。"),
        "places": _("最多保留 %(places)d 位小数。"),
        "digits": _("数值过大。"),
    }

    def __init__(self, *, max_digits: int, decimal_places: int, negative_message=None, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)
        self.max_digits = max_digits
        self.decimal_places = decimal_places
        if negative_message:
            self.error_messages["negative"] = negative_message

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        number = parse_decimal(text)
        if number is None:
            raise ValidationError(self.error_messages["invalid"], "invalid", {"value": text})
        if number < 0:
            raise ValidationError(self.error_messages["negative"], "negative")
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > self.decimal_places:
            number = number.normalize()
            exponent = number.as_tuple().exponent
            if -exponent > self.decimal_places:
                raise ValidationError(self.error_messages["places"], "places", {"places": self.decimal_places})
        if number and number.adjusted() + 1 > self.max_digits - self.decimal_places:
            raise ValidationError(self.error_messages["digits"], "digits")
        return number


class TextField(forms.CharField):
    """Free text as typed; browsers send a textarea's line breaks as CRLF, stored as LF."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")


class MeasureTextField(TextField):
    """A typed target or actual ("41个", "≥95%"): text, whose number must fit the MEASURE column."""

    default_error_messages = {"digits": _("数值过大。")}

    def clean(self, value):
        text = super().clean(value)
        number = parse_measure(text).value if text else None
        if number and number.adjusted() + 1 > MEASURE["max_digits"] - MEASURE["decimal_places"]:
            raise ValidationError(self.error_messages["digits"], "digits")
        return text


def money_field():
    return NumberField(negative_message=_("金额不能为负数。"), **MONEY)


def score_field():
    return NumberField(negative_message=_("得分不能为负数。"), **SCORE)


def weight_field():
    return NumberField(negative_message=_("分值不能为负数。"), **WEIGHT)


def text_field(max_length=None):
    return TextField(required=False, max_length=max_length, strip=False)


def choice_field(choices):
    return forms.ChoiceField(required=False, choices=choices)


HEADER = {
    "contact": text_field(200),
    "preamble": text_field(),
    "goal": text_field(),
    "goal_completion": text_field(),
    "weight_note": text_field(),
    "execution_self_score": score_field(),
    **{name: text_field() for name in NARRATIVE_FIELDS},
}
BUDGET = {f"{row}_{name}": money_field() for row in BudgetLine.ROW_ORDER for name in BUDGET_FIELDS}
TASK = {
    "id": forms.IntegerField(required=False, min_value=1),
    "name": text_field(200),
    "content": text_field(),
    "budget": money_field(),
    "budget_fiscal": money_field(),
    "completion": text_field(),
    "executed": money_field(),
    "executed_fiscal": money_field(),
}
INDICATOR = {
    "id": forms.IntegerField(required=False, min_value=1),
    "custom": forms.BooleanField(required=False),
    "level1": text_field(100),
    "level2": text_field(100),
    "level3": text_field(200),
    "kind": choice_field(Kind.choices),
    "sign": choice_field([("", "—"), *Sign.choices]),
    "target_text": MeasureTextField(required=False, max_length=200, strip=False),
    "unit": text_field(50),
    "weight": weight_field(),
    "actual_text": MeasureTextField(required=False, max_length=200, strip=False),
    "tier": choice_field([("", "—"), *ReportIndicator.Tier.choices]),
    "self_score": score_field(),
    "reason": text_field(),
}
# What makes a new row more than an empty line the accountant added and left.
TASK_CONTENT = ("name", "content", "budget", "budget_fiscal", "completion", "executed", "executed_fiscal")
INDICATOR_CONTENT = ("level3", "target_text", "unit", "weight", "actual_text", "self_score", "reason")
TIERS = ReportIndicator.Tier.choices
KINDS = Kind.choices
SIGNS = [("", "—"), *Sign.choices]


def _clean(fields: dict, raw: dict, name_of, errors: dict) -> dict:
    values = {}
    for name, field in fields.items():
        key = name_of(name)
        try:
            values[name] = field.clean(raw.get(key, ""))
        except ValidationError as exc:
            errors.setdefault(key, []).extend(exc.messages)
            values[name] = None if isinstance(field, NumberField | forms.IntegerField) else ""
    return values


class ReportForm:
    """The whole page's inputs: header, budget, tasks and indicators, and the version it started from.

    Bound to POST data (`ReportForm(request.POST)`) it parses; built from a stored
    report (`ReportForm(initial=form_initial(...))`) it only holds the values to show.
    `raw` holds every input's text by name, as typed or as shown.
    """

    def __init__(self, data=None, *, initial: dict | None = None):
        self.bound = data is not None
        if self.bound:
            self.raw = data
            self.task_count = self._count(data, "task", MAX_TASKS)
            self.indicator_count = self._count(data, "ind", MAX_INDICATORS)
        else:
            self.raw = _flatten_initial(initial or {})
            self.task_count = len((initial or {}).get("tasks", ()))
            self.indicator_count = len((initial or {}).get("indicators", ()))
        self._parsed = None

    @staticmethod
    def _count(data, prefix: str, limit: int) -> int:
        try:
            count = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
        except (TypeError, ValueError):
            count = 0
        return max(0, min(count, limit))

    @property
    def expected_version(self) -> int | None:
        try:
            return int(self.raw.get("version", ""))
        except (TypeError, ValueError):
            return None

    def value(self, name: str) -> str:
        value = self.raw.get(name, "")
        return "" if value is None else str(value)

    def _parse(self):
        if self._parsed is not None:
            return self._parsed
        errors: dict[str, list[str]] = {}
        raw = self.raw
        header = _clean(HEADER, raw, lambda n: n, errors)
        budget_values = _clean(BUDGET, raw, lambda n: f"budget-{n}", errors)
        tasks = []
        for i in range(self.task_count):
            prefix = f"task-{i}-"
            item = _clean(TASK, raw, lambda n, p=prefix: p + n, errors)
            item["blank"] = not item["id"] and all(not str(raw.get(prefix + n, "")).strip() for n in TASK_CONTENT)
            if not item["blank"] and not item["name"].strip() and prefix + "name" not in errors:
                errors[prefix + "name"] = [str(_("请填写任务名称。"))]
            tasks.append(item)
        indicators = []
        for i in range(self.indicator_count):
            prefix = f"ind-{i}-"
            item = _clean(INDICATOR, raw, lambda n, p=prefix: p + n, errors)
            item["blank"] = not item["id"] and all(not str(raw.get(prefix + n, "")).strip() for n in INDICATOR_CONTENT)
            if item["custom"] and not item["blank"]:
                if not item["level3"].strip() and prefix + "level3" not in errors:
                    errors[prefix + "level3"] = [str(_("请填写三级指标名称。"))]
                if item["weight"] is None and prefix + "weight" not in errors:
                    errors[prefix + "weight"] = [str(_("请填写分值。"))]
            indicators.append(item)
        if self.bound and self.expected_version is None:
            errors.setdefault("__all__", []).append(str(_("页面缺少版本号，请刷新后重试。")))
        data = {
            **{name: header[name] for name in ("contact", "preamble", "goal", "goal_completion", "weight_note")},
            "execution_self_score": header["execution_self_score"],
            "narrative": {name.split("_")[1]: header[name] for name in NARRATIVE_FIELDS},
            "budget": {
                row: {name: budget_values[f"{row}_{name}"] for name in BUDGET_FIELDS} for row in BudgetLine.ROW_ORDER
            },
            "tasks": tasks,
            "indicators": indicators,
        }
        self._parsed = (data, errors)
        return self._parsed

    def is_valid(self) -> bool:
        return not self._parse()[1]

    def errors_by_name(self) -> dict[str, list[str]]:
        """{input name: [messages]} for every field in error, "__all__" for the rest."""
        return {name: list(messages) for name, messages in self._parse()[1].items()}

    def data(self) -> dict:
        """What was typed, as plain data; a field in error is blank (None) so the rest still scores."""
        return self._parse()[0]


def _flatten_initial(initial: dict) -> dict:
    raw = {"version": str(initial.get("version", ""))}
    raw.update({k: "" if v is None else str(v) for k, v in (initial.get("header") or {}).items()})
    raw.update({f"budget-{k}": "" if v is None else str(v) for k, v in (initial.get("budget") or {}).items()})
    for prefix, rows in (("task", initial.get("tasks") or ()), ("ind", initial.get("indicators") or ())):
        raw[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        for i, row in enumerate(rows):
            for k, v in row.items():
                if isinstance(v, bool):
                    v = "on" if v else ""
                raw[f"{prefix}-{i}-{k}"] = "" if v is None else str(v)
    return raw


def form_initial(report, lines: dict[str, BudgetLine]) -> dict:
    """The form's values for a stored report (amounts in 万元 as the table shows them)."""
    header = {
        "contact": report.contact,
        "preamble": report.preamble,
        "goal": report.goal,
        "goal_completion": report.goal_completion,
        "weight_note": report.weight_note,
        "execution_self_score": num(report.execution_self_score),
    }
    header.update({name: getattr(report, name) for name in NARRATIVE_FIELDS})
    budget = {}
    for row in BudgetLine.ROW_ORDER:
        line = lines.get(row)
        for name in BUDGET_FIELDS:
            budget[f"{row}_{name}"] = money(getattr(line, name)) if line else None
    tasks = [
        {
            "id": task.pk,
            "name": task.name,
            "content": task.content,
            "completion": task.completion,
            **{name: money(getattr(task, name)) for name in TASK_AMOUNTS},
        }
        for task in report.tasks.all()
    ]
    return {
        "header": header,
        "budget": budget,
        "tasks": tasks,
        "indicators": [indicator_initial(row) for row in report.indicators.all()],
        "version": report.version,
    }


def indicator_initial(row: ReportIndicator) -> dict:
    return {
        "id": row.pk,
        "custom": row.is_custom,
        "level1": row.level1,
        "level2": row.level2,
        "level3": row.level3,
        "kind": row.kind,
        "sign": row.sign,
        "target_text": row.target_text or num(row.target) or "",
        "unit": row.unit,
        "weight": num(row.weight),
        "actual_text": actual_display(row),
        "tier": row.tier,
        "self_score": num(row.self_score),
        "reason": row.reason,
    }


def input_name(path: str) -> str | None:
    """The input named by a service error path ("indicators.3.level3" -> "ind-3-level3")."""
    parts = path.split(".")
    if len(parts) == 3 and parts[0] in ("indicators", "tasks") and parts[1].isdigit():
        return f"{'ind' if parts[0] == 'indicators' else 'task'}-{parts[1]}-{parts[2]}"
    if len(parts) == 3 and parts[0] == "budget":
        return f"budget-{parts[1]}_{parts[2]}"
    if len(parts) == 1 and parts[0] and parts[0] != "indicators":
        return parts[0]
    return None
