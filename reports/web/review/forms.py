"""The reviewer's inputs: a score and a comment per indicator row, the overall opinion, a decision.

Scores are read like the department's (reports.web.report.forms.NumberField: "1.5", full-width
digits); whether a score is allowed for its row is the review service's question.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from reports.models import SCORE, Report
from reports.services.review import ReviewRow
from reports.services.workflow import ACTION_LABELS
from reports.web.report.forms import NumberField

DECISIONS = (("", _("保存审核意见")), ("return", ACTION_LABELS["return"]), ("approve", ACTION_LABELS["approve"]))
TEXT_MAX = 5000


class ReviewForm(forms.Form):
    opinion = forms.CharField(required=False, max_length=TEXT_MAX, strip=False)
    decision = forms.ChoiceField(required=False, choices=DECISIONS)
    reason = forms.CharField(required=False, max_length=TEXT_MAX)
    override = forms.CharField(required=False, max_length=TEXT_MAX)
    version = forms.IntegerField(required=False)

    def __init__(self, report: Report, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.row_ids = [row.pk for row in report.indicators.all()]
        for pk in self.row_ids:
            self.fields[f"score-{pk}"] = NumberField(
                max_digits=SCORE["max_digits"],
                decimal_places=SCORE["decimal_places"],
                negative_message=_("审核得分不能为负数。"),
            )
            self.fields[f"comment-{pk}"] = forms.CharField(required=False, max_length=TEXT_MAX)

    def rows(self) -> dict[int, ReviewRow]:
        data = self.cleaned_data
        return {pk: ReviewRow(score=data[f"score-{pk}"], comment=data[f"comment-{pk}"]) for pk in self.row_ids}

    def typed(self) -> dict[str, str]:
        """What was typed, by input name, to show again with the errors."""
        return {name: self.data.get(name, "") for name in self.fields}

    def field_errors(self) -> dict[str, list[str]]:
        return {
            ("general" if name == "__all__" else name): [str(m) for m in errors] for name, errors in self.errors.items()
        }


def service_errors(exc: ValidationError, *, decision: str = "", override: str = "") -> dict[str, list[str]]:
    """A service's refusal at the inputs it is about.

    report_review_save names rows as "reviewer_score_<pk>"; report_transition names
    "reason" or gives a plain message, shown above the buttons (and at the override's
    field too when approving without one: errors remain).
    """
    errors: dict[str, list[str]] = {}
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            if name.startswith("reviewer_score_"):
                name = "score-" + name.removeprefix("reviewer_score_")
            elif name == "__all__":
                name = "general"
            errors.setdefault(name, []).extend(messages)
    else:
        errors["general"] = list(exc.messages)
        if decision == "approve" and not override.strip():
            errors["override"] = list(exc.messages)
    return errors


class TransitionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, ACTION_LABELS[a]) for a in ("reopen", "publish", "return", "approve")])
    reason = forms.CharField(required=False, max_length=TEXT_MAX)
    override = forms.CharField(required=False, max_length=TEXT_MAX)
    version = forms.IntegerField(required=False)


class RectificationIssueForm(forms.Form):
    """下达整改事项. Whether the text is there and the row is the report's is the service's question."""

    text = forms.CharField(required=False, max_length=TEXT_MAX)
    indicator = forms.IntegerField(required=False, error_messages={"invalid": _("请选择本报告的指标行。")})
    due_date = forms.DateField(required=False, error_messages={"invalid": _("请按“2027-03-31”的格式填写日期。")})


class RectificationDecideForm(forms.Form):
    action = forms.ChoiceField(choices=[("close", _("销号")), ("reopen", _("重新打开"))])
    note = forms.CharField(required=False, max_length=TEXT_MAX)
