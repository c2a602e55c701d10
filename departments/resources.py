"""Spreadsheet resources for the admin: departments, people with their roles, annual budgets.

Headings are Chinese; a choice is accepted as its Chinese label or its key; amounts are exact
Decimals in 万元 and a blank cell stays blank. Each file is checked whole before anything is
written (see perfeval.spreadsheets.importing).
"""

from __future__ import annotations

import contextlib

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from import_export.fields import Field

from departments.models import BudgetLine, Department, Role, budget_frozen_message
from perfeval.spreadsheets.importing import (
    ChoiceWidget,
    CodeWidget,
    DecimalWidget,
    KeyedInstanceLoader,
    SheetResource,
    TextWidget,
    YearWidget,
    YesNoWidget,
)
from perfeval.spreadsheets.safety import to_text
from reports.models import Report
from reports.services.scoring import rescore_job_create


def _code(value) -> str:
    return to_text(value).strip()


def _error(errors: dict, attribute: str, message: str) -> None:
    errors.setdefault(attribute, []).append(ValidationError(message))


class DepartmentResource(SheetResource):
    code = Field(attribute="code", column_name="预算编码", widget=TextWidget())
    name = Field(attribute="name", column_name="部门(单位)名称", widget=TextWidget())
    short_name = Field(attribute="short_name", column_name="简称", widget=TextWidget())
    parent = Field(attribute="parent", column_name="上级部门编码", widget=CodeWidget("上级部门编码“{code}”不存在"))
    # Blank leaves an existing department as it is (a new one is active).
    active = Field(attribute="active", column_name="启用", widget=YesNoWidget(), saves_null_values=False)

    required_columns = ("预算编码", "部门(单位)名称")
    ignored_columns = ("序号", "备注")
    clean_exclude = ("parent",)

    class Meta:
        model = Department
        fields = ("code", "name", "short_name", "parent", "active")
        import_id_fields = ("code",)
        instance_loader_class = KeyedInstanceLoader
        use_transactions = True
        skip_unchanged = True
        skip_diff = True  # see SheetResource.skip_row
        report_skipped = True

    @classmethod
    def get_display_name(cls):
        return "部门"

    def prepare(self, dataset, **kwargs):
        codes = self.values(dataset, "预算编码") | self.values(dataset, "上级部门编码")
        known = {d.code: d for d in Department.objects.filter(code__in=codes)}
        self.fields["parent"].widget.cache = known
        self.in_file = self.values(dataset, "预算编码")
        self.deferred: dict[str, str] = {}
        # Parents as the file will leave them: the database's, overridden by the file's rows.
        parents = dict(Department.objects.filter(parent__isnull=False).values_list("code", "parent__code"))
        if "上级部门编码" in (dataset.headers or ()):
            for row in dataset.dict:
                code = _code(row.get("预算编码"))
                if code:
                    parents[code] = _code(row.get("上级部门编码")) or None
        self.in_cycle = set()
        for start in self.in_file:
            seen, node = set(), start
            while node is not None and node not in seen:
                seen.add(node)
                node = parents.get(node)
            if node == start:
                self.in_cycle.add(start)

    def instance_key(self, row):
        return _code(row.get("预算编码")) or None

    def load_instances(self, dataset):
        return {d.code: d for d in Department.objects.filter(code__in=self.values(dataset, "预算编码"))}

    def import_instance(self, instance, row, **kwargs):
        parent_code = self.current_parent = _code(row.get("上级部门编码"))
        widget = self.fields["parent"].widget
        if parent_code and parent_code not in widget.cache and parent_code in self.in_file:
            # The parent is a new department further down the file: linked once all are saved.
            self.deferred[_code(row.get("预算编码"))] = parent_code
            row = {**row, "上级部门编码": ""}
        super().import_instance(instance, row, **kwargs)

    def check_row(self, instance, row, errors, **kwargs):
        code = _code(row.get("预算编码"))
        self.duplicate(code or None, kwargs.get("row_number"), errors, "code")
        parent_code = self.current_parent  # as written, before a forward reference was set aside
        if code and parent_code == code:
            _error(errors, "parent", "上级部门不能是本部门")
        elif code in self.in_cycle:
            _error(errors, "parent", "上级部门关系形成循环")

    def after_import(self, dataset, result, **kwargs):
        if not getattr(self, "deferred", None) or result.has_errors() or result.has_validation_errors():
            return
        saved = {d.code: d for d in Department.objects.filter(code__in=[*self.deferred, *self.deferred.values()])}
        for child, parent in self.deferred.items():
            if child in saved and parent in saved:
                Department.objects.filter(pk=saved[child].pk).update(parent=saved[parent])


class PersonResource(SheetResource):
    """One row per role a person holds; people are created (without a password) or updated."""

    username = Field(attribute="user__username", column_name="用户名", widget=TextWidget())
    full_name = Field(attribute="user__first_name", column_name="姓名", widget=TextWidget())
    email = Field(attribute="user__email", column_name="电子邮箱", widget=TextWidget())
    kind = Field(
        attribute="kind",
        column_name="角色",
        widget=ChoiceWidget(
            Role.Kind.choices,
            aliases={"填报人": "accountant", "审核人": "reviewer", "管理员": "admin"},
        ),
    )
    department = Field(attribute="department", column_name="部门编码", widget=CodeWidget("部门编码“{code}”不存在"))

    required_columns = ("用户名", "角色")
    clean_exclude = ("user", "department")

    class Meta:
        model = Role
        fields = ("username", "full_name", "email", "kind", "department")
        import_id_fields = ("username", "kind", "department")
        instance_loader_class = KeyedInstanceLoader
        use_transactions = True
        skip_unchanged = True
        skip_diff = True  # see SheetResource.skip_row
        report_skipped = True

    @classmethod
    def get_display_name(cls):
        return "人员及角色"

    def get_queryset(self):
        return Role.objects.select_related("user", "department")

    def prepare(self, dataset, **kwargs):
        self.fields["department"].widget.cache = {
            d.code: d for d in Department.objects.filter(code__in=self.values(dataset, "部门编码"))
        }
        User = get_user_model()
        self.users = {u.username: u for u in User.objects.filter(username__in=self.values(dataset, "用户名"))}

    def instance_key(self, row):
        try:
            kind = self.fields["kind"].widget.clean(row.get("角色"))
        except ValueError:
            return None
        return (_code(row.get("用户名")), kind, _code(row.get("部门编码")))

    def load_instances(self, dataset):
        roles = Role.objects.filter(user__username__in=self.values(dataset, "用户名")).select_related(
            "user", "department"
        )
        return {(r.user.username, r.kind, r.department.code if r.department_id else ""): r for r in roles}

    def import_instance(self, instance, row, **kwargs):
        username = _code(row.get("用户名"))
        # One object per person, shared by all of their rows, so a later row sees an earlier one.
        user = self.users.get(username)
        if user is None and username:
            user = get_user_model()(username=username, is_active=True)
            user.set_unusable_password()
            self.users[username] = user
        if user is not None:
            instance.user = user
        if not username:
            row = {**row, "姓名": "", "电子邮箱": ""}
        elif to_text(row.get("姓名")).strip() == "" or to_text(row.get("电子邮箱")).strip() == "":
            # A blank name or e-mail leaves what is stored.
            row = dict(row)
            if to_text(row.get("姓名")).strip() == "":
                row.pop("姓名", None)
            if to_text(row.get("电子邮箱")).strip() == "":
                row.pop("电子邮箱", None)
        super().import_instance(instance, row, **kwargs)

    def check_row(self, instance, row, errors, **kwargs):
        username = _code(row.get("用户名"))
        User = get_user_model()
        if username:
            try:
                User.username_validator(username)
            except ValidationError:
                _error(errors, "user__username", "用户名只能包含字母、数字和 @/./+/-/_")
            if len(username) > 150:
                _error(errors, "user__username", "用户名不能超过 150 个字符")
        email = to_text(row.get("电子邮箱")).strip()
        if email:
            try:
                EmailValidator()(email)
            except ValidationError:
                _error(errors, "user__email", f"“{email}”不是有效的电子邮箱")
        if "kind" not in errors and "department" not in errors:
            if instance.kind == Role.Kind.ACCOUNTANT and instance.department_id is None:
                _error(errors, "department", "部门填报人必须填写部门编码")
            if instance.kind == Role.Kind.ADMIN and instance.department_id is not None:
                _error(errors, "department", "财政局管理员不属于某个部门，部门编码应留空")
        key = (username, instance.kind, instance.department.code if instance.department_id else "")
        self.duplicate(key if username else None, kwargs.get("row_number"), errors, "user__username")

    def before_save_instance(self, instance, row, **kwargs):
        user = instance.user
        user.save()
        instance.user = user


BUDGET_COLUMNS = ("部门编码", "年度", "项目", "年初预算数", "全年预算数", "预算执行数")


class BudgetLineResource(SheetResource):
    """预算情况 rows as the budget system exports them: department, year, row, three amounts."""

    department = Field(attribute="department", column_name="部门编码", widget=CodeWidget("部门编码“{code}”不存在"))
    year = Field(attribute="year", column_name="年度", widget=YearWidget())
    row = Field(
        attribute="row",
        column_name="项目",
        widget=ChoiceWidget(
            BudgetLine.Row.choices,
            aliases={"预算总额": "total", "部门预算总额（万元）": "total", "财政资金": "fiscal"},
        ),
    )
    initial = Field(attribute="initial", column_name="年初预算数", widget=DecimalWidget())
    annual = Field(attribute="annual", column_name="全年预算数", widget=DecimalWidget())
    executed = Field(attribute="executed", column_name="预算执行数", widget=DecimalWidget())
    rate_text = Field(attribute="rate_text", column_name="原表执行率", widget=TextWidget())

    required_columns = ("部门编码", "年度", "项目")
    clean_exclude = ("department",)

    class Meta:
        model = BudgetLine
        fields = ("department", "year", "row", "initial", "annual", "executed", "rate_text")
        import_id_fields = ("department", "year", "row")
        instance_loader_class = KeyedInstanceLoader
        use_transactions = True
        skip_unchanged = True
        skip_diff = True  # see SheetResource.skip_row
        report_skipped = True
        use_bulk = True
        batch_size = 1000

    @classmethod
    def get_display_name(cls):
        return "预算情况"

    def get_queryset(self):
        return BudgetLine.objects.select_related("department")

    def prepare(self, dataset, **kwargs):
        codes = self.values(dataset, "部门编码")
        departments = {d.code: d for d in Department.objects.filter(code__in=codes)}
        self.fields["department"].widget.cache = departments
        years = set()
        for value in dataset["年度"] if "年度" in (dataset.headers or ()) else ():
            with contextlib.suppress(ValueError):
                years.add(YearWidget().clean(value))
        self.frozen = set(
            Report.objects.filter(
                department__code__in=codes, round__year__in=years, state__in=Report.FROZEN_STATES
            ).values_list("department__code", "round__year")
        )
        self.touched: set[tuple[int, int]] = set()

    def instance_key(self, row):
        try:
            year = YearWidget().clean(row.get("年度"))
            kind = self.fields["row"].widget.clean(row.get("项目"))
        except ValueError:
            return None
        return (_code(row.get("部门编码")), year, kind)

    def load_instances(self, dataset):
        codes = self.values(dataset, "部门编码")
        lines = BudgetLine.objects.filter(department__code__in=codes).select_related("department")
        return {(line.department.code, line.year, line.row): line for line in lines}

    def check_row(self, instance, row, errors, **kwargs):
        code = _code(row.get("部门编码"))
        key = self.row_key or self.instance_key(row)
        if key is not None and code and "year" not in errors:
            self.duplicate(key, kwargs.get("row_number"), errors, "row")
            if (code, key[1]) in self.frozen:
                _error(errors, "department", budget_frozen_message(key[1]))

    def after_save_instance(self, instance, row, **kwargs):
        # Saved (new or changed), not skipped as unchanged: the report's budget moved.
        self.touched.add((instance.department_id, instance.year))

    def after_import(self, dataset, result, **kwargs):
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors() or not self.touched:
            return
        department_ids = {department_id for department_id, _year in self.touched}
        years = {year for _department_id, year in self.touched}
        reports = Report.objects.filter(
            department_id__in=department_ids, round__year__in=years, state__in=Report.EDITABLE_STATES
        ).select_related("round")
        # In the background once the import commits; the admin links to it (SpreadsheetAdminMixin).
        result.rescore_job = rescore_job_create(
            reports=[r for r in reports.order_by("pk") if (r.department_id, r.round.year) in self.touched],
            actor=kwargs.get("user"),
            what=f"由表格导入更新预算情况（{kwargs.get('file_name') or '上传文件'}）",
            action="budget_import",
            states=Report.EDITABLE_STATES,
        )
