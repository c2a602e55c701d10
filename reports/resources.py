"""Spreadsheet resource for the admin: which departments a round (评价任务) covers.

One row per (round, department). Rows only add coverage; a department is removed from a round in
the round's own page. A round that is no longer open refuses new departments.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from import_export.fields import Field

from departments.models import Department
from perfeval.spreadsheets.importing import CodeWidget, KeyedInstanceLoader, SheetResource, TextWidget, YearWidget
from perfeval.spreadsheets.safety import to_text
from reports.models import Round

Coverage = Round.departments.through


def _text(value) -> str:
    return to_text(value).strip()


class RoundCoverageResource(SheetResource):
    round_name = Field(attribute="round__name", column_name="评价任务名称", widget=TextWidget(), readonly=True)
    round_year = Field(attribute="round__year", column_name="年度", widget=YearWidget(), readonly=True)
    department = Field(attribute="department", column_name="部门编码", widget=CodeWidget("部门编码“{code}”不存在"))
    department_name = Field(
        attribute="department__name", column_name="部门(单位)名称", widget=TextWidget(), readonly=True
    )

    required_columns = ("评价任务名称", "年度", "部门编码")
    ignored_columns = ("序号", "备注")
    clean_exclude = ("round", "department")

    class Meta:
        model = Coverage
        fields = ("round_name", "round_year", "department", "department_name")
        import_id_fields = ("round_name", "round_year", "department")
        instance_loader_class = KeyedInstanceLoader
        use_transactions = True
        skip_unchanged = True
        skip_diff = True  # see SheetResource.skip_row
        report_skipped = True

    @classmethod
    def get_display_name(cls):
        return "评价任务的参评部门"

    def get_queryset(self):
        return Coverage.objects.select_related("round", "department").order_by(
            "round__year", "round__name", "department__code"
        )

    def round_key(self, row):
        try:
            year = YearWidget().clean(row.get("年度"))
        except ValueError:
            return None
        name = _text(row.get("评价任务名称"))
        return (year, name) if name and year else None

    def instance_key(self, row):
        key = self.round_key(row)
        return None if key is None else (*key, _text(row.get("部门编码")))

    def prepare(self, dataset, **kwargs):
        self.rounds = {(r.year, r.name): r for r in Round.objects.filter(name__in=self.values(dataset, "评价任务名称"))}
        self.fields["department"].widget.cache = {
            d.code: d for d in Department.objects.filter(code__in=self.values(dataset, "部门编码"))
        }

    def load_instances(self, dataset):
        links = Coverage.objects.filter(round__in=list(self.rounds.values())).select_related("round", "department")
        return {(link.round.year, link.round.name, link.department.code): link for link in links}

    def import_instance(self, instance, row, **kwargs):
        errors: dict = {}
        key = self.round_key(row)
        round_ = self.rounds.get(key) if key else None
        if key and round_ is None:
            errors["round__name"] = [ValidationError(f"{key[0]} 年度没有名为“{key[1]}”的评价任务")]
        elif round_ is not None:
            instance.round = round_
            if not round_.is_open and instance.pk is None:
                errors["round__name"] = [ValidationError("该评价任务已结束，不能再增加参评部门")]
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def check_row(self, instance, row, errors, **kwargs):
        self.duplicate(self.instance_key(row), kwargs.get("row_number"), errors, "department")
