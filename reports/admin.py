from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from perfeval.widgets import admin_overrides
from reports.models import Report, ReportEvent, ReportFinding, ReportIndicator, ReportTask, Round
from reports.scoring import report_rescore


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "template", "rule_set", "deadline", "is_open"]
    list_filter = ["year", "is_open"]
    search_fields = ["name"]
    filter_horizontal = ["departments"]
    list_select_related = ["template", "rule_set"]


class ReportTaskInline(admin.StackedInline):
    formfield_overrides = admin_overrides()
    model = ReportTask
    extra = 0
    fields = [
        ("order", "name"),
        "content",
        ("budget", "budget_fiscal", "executed", "executed_fiscal", "rate_text"),
        "completion",
    ]


class ReportIndicatorInline(admin.TabularInline):
    formfield_overrides = admin_overrides()
    model = ReportIndicator
    extra = 0
    fields = [
        "order",
        "level1",
        "level2",
        "level3",
        "kind",
        "sign",
        "target",
        "target_text",
        "unit",
        "actual",
        "actual_text",
        "tier",
        "weight",
        "self_score",
        "reason",
        "applicable",
    ]
    raw_id_fields = ["template_indicator"]


class ReportFindingInline(admin.TabularInline):
    model = ReportFinding
    extra = 0
    fields = ["severity", "code", "where", "message"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    fields = [
        "created_at",
        "actor",
        "kind",
        "action",
        "from_state",
        "to_state",
        "label",
        "old_value",
        "new_value",
        "message",
    ]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = [
        "department",
        "round",
        "state",
        "self_total",
        "rule_total",
        "grade",
        "error_count",
        "warning_count",
        "submitted_at",
    ]
    list_filter = ["round", "state", "grade"]
    search_fields = ["department__code", "department__name", "department__short_name"]
    list_select_related = ["department", "round"]
    readonly_fields = [
        "state",
        "rule_total",
        "self_total",
        "execution_score",
        "grade",
        "self_grade",
        "error_count",
        "warning_count",
        "scored_at",
        "version",
        "submitted_at",
        "approved_at",
        "published_at",
        "created_at",
        "updated_at",
    ]
    autocomplete_fields = ["department"]
    fieldsets = [
        (None, {"fields": ["round", "department", "state", "version"]}),
        (
            _("表头"),
            {
                "fields": [
                    "contact",
                    "goal",
                    "goal_completion",
                    "weight_note",
                    "execution_self_score",
                    "declared_total",
                    "declared_grade",
                ]
            },
        ),
        (
            _("得分（系统计算）"),
            {
                "fields": [
                    "rule_total",
                    "self_total",
                    "execution_score",
                    "grade",
                    "self_grade",
                    "error_count",
                    "warning_count",
                    "scored_at",
                ]
            },
        ),
        (
            _("自评报告"),
            {"classes": ["collapse"], "fields": ["preamble"] + [f"narrative_{i}" for i in range(1, 9)]},
        ),
        (
            _("时间"),
            {
                "classes": ["collapse"],
                "fields": ["submitted_at", "approved_at", "published_at", "created_at", "updated_at"],
            },
        ),
    ]
    inlines = [ReportTaskInline, ReportIndicatorInline, ReportFindingInline, ReportEventInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        report_rescore(report=form.instance)


@admin.register(ReportEvent)
class ReportEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "report", "actor", "kind", "action", "label"]
    list_filter = ["kind", "action"]
    search_fields = ["report__department__name", "label", "message"]
    list_select_related = ["report__department", "report__round", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
