from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from departments.models import BudgetLine, Department, Role, budget_frozen, budget_frozen_message
from departments.resources import BudgetLineResource, DepartmentResource, PersonResource
from perfeval.spreadsheets.importing import SpreadsheetAdminMixin
from perfeval.widgets import admin_overrides
from reports.admin import rescore_job_message
from reports.services.scoring import budget_rescore_job


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["user"]


class BudgetLineForm(forms.ModelForm):
    """Refuses, at the year, a line whose department and year (before or after) has a frozen report."""

    def clean(self):
        data = super().clean()
        line = self.instance
        keys = set()
        if line.pk:
            keys.add((line.department_id, line.year))  # not yet changed by the form
        department = data.get("department") or (line.department if line.department_id else None)
        if department is not None and data.get("year"):
            keys.add((department.pk, data["year"]))
        for department_id, year in sorted(keys):
            if budget_frozen(department_id=department_id, year=year):
                field = "year" if "year" in self.fields else None
                self.add_error(field, budget_frozen_message(year))
                break
        return data


class BudgetLineInline(admin.TabularInline):
    formfield_overrides = admin_overrides()
    form = BudgetLineForm
    model = BudgetLine
    extra = 0
    fields = ["year", "row", "initial", "annual", "executed", "rate_text"]


@admin.register(Department)
class DepartmentAdmin(SpreadsheetAdminMixin, admin.ModelAdmin):
    resource_classes = [DepartmentResource]
    import_help = "列：预算编码、部门(单位)名称、简称、上级部门编码、启用（是/否，空白表示不变）。"
    list_display = ["code", "name", "short_name", "parent", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["parent"]
    inlines = [RoleInline, BudgetLineInline]


@admin.register(Role)
class RoleAdmin(SpreadsheetAdminMixin, admin.ModelAdmin):
    resource_classes = [PersonResource]
    import_help = (
        "每行一个角色：用户名、姓名、电子邮箱、角色（部门填报人/财政局审核人/财政局管理员）、部门编码。"
        "新用户不设密码，请在用户管理中设置或让其通过管理员重置。"
    )
    list_display = ["user", "kind", "department"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__first_name", "department__code", "department__name"]
    autocomplete_fields = ["user", "department"]
    list_select_related = ["user", "department"]


@admin.register(BudgetLine)
class BudgetLineAdmin(SpreadsheetAdminMixin, admin.ModelAdmin):
    resource_classes = [BudgetLineResource]

    def import_done(self, request, result) -> None:
        # The import's budget lines feed the scores: the resource started a rescoring job.
        from reports.admin import rescore_job_message  # reports' admin registers after this app's

        rescore_job_message(request, self, getattr(result, "rescore_job", None))

    import_help = (
        "每行一个预算项目：部门编码、年度、项目（部门预算总额/财政性资金/其他资金/基本支出/项目支出）、"
        "年初预算数、全年预算数、预算执行数（万元），可选：原表执行率。"
    )
    formfield_overrides = admin_overrides()
    form = BudgetLineForm
    list_display = ["department", "year", "row", "initial", "annual", "executed"]
    list_filter = ["year", "row"]
    search_fields = ["department__code", "department__name"]
    autocomplete_fields = ["department"]
    list_select_related = ["department"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        job = budget_rescore_job(department_id=obj.department_id, year=obj.year, actor=request.user, what=str(obj))
        rescore_job_message(request, self, job)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and budget_frozen(department_id=obj.department_id, year=obj.year):
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        # The bulk delete skips the model's delete(): refuse frozen lines here, delete the rest.
        frozen = [line for line in queryset if line.frozen_error()]
        for line in frozen:
            self.message_user(request, f"{line}：{line.frozen_error()}", messages.ERROR)
        for line in queryset.exclude(pk__in=[line.pk for line in frozen]):
            line.delete()

    @admin.display(description=_("执行率"))
    def rate(self, obj):
        if obj.annual:
            return f"{obj.executed / obj.annual * 100:.2f}%"
        return ""
