from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from departments.models import BudgetLine, Department, Role
from perfeval.widgets import admin_overrides


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["user"]


class BudgetLineInline(admin.TabularInline):
    formfield_overrides = admin_overrides()
    model = BudgetLine
    extra = 0
    fields = ["year", "row", "initial", "annual", "executed", "rate_text"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "parent", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["parent"]
    inlines = [RoleInline, BudgetLineInline]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "department"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__first_name", "department__code", "department__name"]
    autocomplete_fields = ["user", "department"]
    list_select_related = ["user", "department"]


@admin.register(BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    formfield_overrides = admin_overrides()
    list_display = ["department", "year", "row", "initial", "annual", "executed"]
    list_filter = ["year", "row"]
    search_fields = ["department__code", "department__name"]
    autocomplete_fields = ["department"]
    list_select_related = ["department"]

    @admin.display(description=_("执行率"))
    def rate(self, obj):
        if obj.annual:
            return f"{obj.executed / obj.annual * 100:.2f}%"
        return ""
