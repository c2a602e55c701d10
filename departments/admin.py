from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from departments.models import BudgetLine, Department, Role, budget_frozen, budget_frozen_message
from departments.resources import BudgetLineResource, DepartmentResource, PersonResource
from perfeval.spreadsheets.importing import SpreadsheetAdminMixin
from perfeval.widgets import MoneyListMixin, admin_overrides


def rescore_budgets(request, model_admin, keys, what: str) -> None:
    """The open reports of these (department id, year) pairs are rescored in the background once the
    save commits; the message links to the job's progress."""
    # reports' admin registers after this app's, and reports' services import departments' models
    from reports.admin import rescore_job_message
    from reports.services.scoring import budget_rescore_job

    if keys:
        job = budget_rescore_job(keys=keys, actor=request.user, what=what)
        rescore_job_message(request, model_admin, job)


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
    import_help = _("列：预算编码、部门(单位)名称、简称、上级部门编码、启用（是/否，空白表示不变）。")
    list_display = ["code", "name", "short_name", "parent", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["parent"]
    inlines = [RoleInline, BudgetLineInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not BudgetLine:
            return super().save_formset(request, form, formset, change)
        # The years whose lines were added, changed (from and to) or deleted: their reports' scores move.
        years = set()
        for line_form in formset.forms:
            if line_form.has_changed() or line_form in formset.deleted_forms:
                years |= {line_form.initial.get("year"), line_form.cleaned_data.get("year")}
        years.discard(None)  # an added line has no year before
        super().save_formset(request, form, formset, change)
        department = form.instance
        rescore_budgets(request, self, {(department.pk, year) for year in years}, what=str(department))


@admin.register(Role)
class RoleAdmin(SpreadsheetAdminMixin, admin.ModelAdmin):
    resource_classes = [PersonResource]
    import_help = _(
        "每行一个角色：用户名、姓名、电子邮箱、角色（部门填报人/财政局审核人/财政局管理员）、部门编码。"
        "新用户不设密码，请在用户管理中设置或让其通过管理员重置。"
    )
    list_display = ["user", "kind", "department"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__first_name", "department__code", "department__name"]
    autocomplete_fields = ["user", "department"]
    list_select_related = ["user", "department"]


@admin.register(BudgetLine)
class BudgetLineAdmin(MoneyListMixin, SpreadsheetAdminMixin, admin.ModelAdmin):
    resource_classes = [BudgetLineResource]

    def import_done(self, request, result) -> None:
        # The import's budget lines feed the scores: the resource started a rescoring job.
        from reports.admin import rescore_job_message  # reports' admin registers after this app's

        rescore_job_message(request, self, getattr(result, "rescore_job", None))

    import_help = _(
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
        # A line moved to another department or year leaves the old one's reports too.
        keys = set(BudgetLine.objects.filter(pk=obj.pk).values_list("department_id", "year")) if obj.pk else set()
        super().save_model(request, obj, form, change)
        rescore_budgets(request, self, keys | {(obj.department_id, obj.year)}, what=str(obj))

    def delete_model(self, request, obj):
        key = (obj.department_id, obj.year)
        super().delete_model(request, obj)
        rescore_budgets(request, self, {key}, what=f"删除{obj}")  # the events' record: Chinese

    def has_delete_permission(self, request, obj=None):
        if obj is not None and budget_frozen(department_id=obj.department_id, year=obj.year):
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        # The bulk delete skips the model's delete(): refuse frozen lines here, delete the rest.
        frozen = [line for line in queryset if line.frozen_error()]
        for line in frozen:
            self.message_user(request, f"{line}：{line.frozen_error()}", messages.ERROR)
        deleted = []
        for line in queryset.exclude(pk__in=[line.pk for line in frozen]):
            line.delete()
            deleted.append((line.department_id, line.year))
        rescore_budgets(request, self, set(deleted), what=f"删除 {len(deleted)} 个预算项目")

    @admin.display(description=_("执行率"))
    def rate(self, obj):
        if obj.annual:
            return f"{obj.executed / obj.annual * 100:.2f}%"
        return ""
