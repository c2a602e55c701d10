from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from indicators import engine, presets, services
from indicators.forms import RuleSetAdminForm
from indicators.models import RuleSet, Template, TemplateIndicator, TemplateLevel1
from indicators.resources import TemplateRowResource
from perfeval.spreadsheets.importing import SpreadsheetAdminMixin
from perfeval.widgets import admin_overrides


def rescore_rounds(*args, **kwargs) -> None:
    from reports.admin import rescore_rounds  # the rescoring and its message are reports'; loaded after us

    rescore_rounds(*args, **kwargs)


def rescore_job_message(*args, **kwargs) -> None:
    from reports.admin import rescore_job_message  # reports' admin, loaded after us

    rescore_job_message(*args, **kwargs)


class InUseRefused:
    """The change form refuses configuration used by a report past draft/returned, with the reason
    (computed from the reports' states, not only the locked flag)."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class Refusing(form):
            def clean(self):
                data = super().clean()
                if self.instance.pk and self.instance.in_use():
                    raise forms.ValidationError(self.instance.frozen_error())
                return data

        return Refusing


class LockedReadOnly:
    """Configuration in use by a submitted report is shown, not changed."""

    def has_change_permission(self, request, obj=None):
        parent = getattr(obj, "template", obj)
        if parent is not None and getattr(parent, "locked", False):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        parent = getattr(obj, "template", obj)
        if parent is not None and getattr(parent, "locked", False):
            return False
        return super().has_delete_permission(request, obj)


class RuleSetPresetForm(RuleSetAdminForm):
    """The add form: a preset, when chosen, sets every rule on save (the fields below are ignored)."""

    preset = forms.ChoiceField(
        label=_("预设"),
        required=False,
        choices=presets.rule_choices,
        help_text=_("选择预设并保存：按预设填写下列全部规则（本页填写的规则值不再采用），名称和版本照填。"),
    )


class TemplatePresetForm(forms.ModelForm):
    preset = forms.ChoiceField(
        label=_("预设"),
        required=False,
        choices=presets.template_choices,
        help_text=_("选择预设并保存：按预设设置预算执行率分值并建立一级指标（已填写的同名一级指标保留）。"),
    )


@admin.register(RuleSet)
class RuleSetAdmin(InUseRefused, LockedReadOnly, admin.ModelAdmin):
    form = RuleSetAdminForm
    list_display = [
        "name",
        "version",
        "execution_denominator",
        "reverse_formula",
        "quantitative_scores",
        "locked",
    ]
    list_filter = ["locked", "quantitative_scores"]
    search_fields = ["name"]
    readonly_fields = ["locked"]
    actions = ["copy_as_new_version"]
    fieldsets = [
        (None, {"fields": ["name", "version", "locked"]}),
        (
            _("预算执行率"),
            {
                "fields": [
                    "fixed_execution_weight",
                    "execution_denominator",
                    "execution_cap",
                    "execution_method",
                    "execution_step_per",
                    "execution_step_deduct",
                    "total_caps_by_execution",
                ]
            },
        ),
        (
            _("定量指标"),
            {
                "fields": [
                    "reverse_formula",
                    "overachievement_ratio",
                    "overachievement_deduction",
                    "quantitative_scores",
                    "tolerance",
                ]
            },
        ),
        (_("不适用指标"), {"fields": ["not_applicable"]}),
        (_("运行监控"), {"fields": ["monitoring_yellow_margin", "monitoring_red_margin"]}),
        (
            _("定性指标与等级"),
            {"fields": ["tier_met", "tier_partial", "grade_excellent", "grade_good", "grade_pass"]},
        ),
        (_("表注"), {"fields": ["notes"]}),
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = RuleSetPresetForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            links = format_html_join(
                "、", '<a href="?preset={}">{}</a>', ((k, p.label) for k, p in presets.RULE_PRESETS.items())
            )
            description = format_html("{}{}", _("或按预设填写本页、修改后再保存（上面的预设保持空白）："), links)
            return [(_("预设"), {"fields": ["preset"], "description": description}), *fieldsets]
        return fieldsets

    def get_changeform_initial_data(self, request):
        # ?preset=key fills the add form with the preset's values to be edited; the preset choice
        # stays blank, so that saving keeps the edits instead of applying the preset again.
        initial = super().get_changeform_initial_data(request)
        initial.pop("preset", None)
        key = request.GET.get("preset", "")
        if key in presets.RULE_PRESETS:
            initial.update(presets.RULE_PRESETS[key].values)
            initial["notes"] = presets.RULE_PRESETS[key].notes
        return initial

    def save_model(self, request, obj, form, change):
        key = form.cleaned_data.get("preset") if not change else ""
        if key:
            presets.apply_rule_preset(obj, key)
        super().save_model(request, obj, form, change)
        if change:
            rescore_rounds(request, self, what=f"评分规则“{obj}”已修改", rule_set=obj)

    @admin.action(description=_("复制为新版本"))
    def copy_as_new_version(self, request, queryset):
        for rule_set in queryset:
            latest = RuleSet.objects.filter(name=rule_set.name).order_by("-version").first()
            rule_set.pk = None
            rule_set.locked = False
            rule_set.version = latest.version + 1
            rule_set.save()
        messages.success(request, _("已复制为新版本，可编辑。"))


class TemplateLevel1Inline(LockedReadOnly, admin.TabularInline):
    formfield_overrides = admin_overrides()
    model = TemplateLevel1
    extra = 0
    fields = ["order", "name", "weight", "standard_weight", "applicable"]


class TemplateIndicatorInline(LockedReadOnly, admin.TabularInline):
    formfield_overrides = admin_overrides()
    model = TemplateIndicator
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
        "weight",
    ]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("level1")
        if field is not None:
            field.empty_label = _("（无一级指标）")  # a flat list, or a group under no level-1 label
            # Only this template's nodes: none before it is first saved (never another template's).
            field.queryset = (
                TemplateLevel1.objects.filter(template=obj) if obj is not None else TemplateLevel1.objects.none()
            )
        return formset


@admin.register(Template)
class TemplateAdmin(SpreadsheetAdminMixin, InUseRefused, LockedReadOnly, admin.ModelAdmin):
    resource_classes = [TemplateRowResource]
    import_help = _(
        "每行一个三级指标：模板名称、年度、版本、一级指标、二级指标、三级指标、性质（定量/定性）、符号（≥/≤/=）、"
        "指标值（数）、指标值、度量单位、分值；可选：一级指标分值。一级指标、二级指标可留空：空白沿用上一行（合并单元格），"
        "没有一级指标时整列留空或不设此列（平铺清单），上一行有一级指标而本行没有时填“（无一级指标）”。"
        "已锁定的模板不能导入，请先复制为新版本。"
    )
    list_display = ["name", "year", "version", "execution_weight", "row_count", "locked"]
    list_filter = ["year", "locked"]
    search_fields = ["name"]
    readonly_fields = ["locked", "checks"]
    fields = ["name", "year", "version", "execution_weight", "locked", "checks"]
    inlines = [TemplateLevel1Inline, TemplateIndicatorInline]
    actions = ["copy_as_new_version", "roll_forward"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = TemplatePresetForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return ["preset", *fields] if obj is None else fields

    def import_done(self, request, result) -> None:
        # Rows of templates that open rounds use feed their reports' scores: the resource started a job.
        rescore_job_message(request, self, getattr(result, "rescore_job", None))

    def save_model(self, request, obj, form, change):
        key = form.cleaned_data.get("preset") if not change else ""
        if key:
            obj.execution_weight = presets.TEMPLATE_PRESETS[key].execution_weight
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # the level-1 nodes and rows too
        key = form.cleaned_data.get("preset") if not change else ""
        if key:
            presets.create_template_level1(form.instance, key)
        if change:
            rescore_rounds(request, self, what=f"指标模板“{form.instance}”已修改", template=form.instance)

    def get_data_for_export(self, request, queryset, **kwargs):
        # The export is the templates' rows, one per level-3 indicator.
        rows = TemplateIndicator.objects.filter(template__in=queryset)
        return super().get_data_for_export(request, rows, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_rows=Count("indicators"))

    @admin.display(description=_("三级指标数"), ordering="_rows")
    def row_count(self, obj):
        return obj._rows

    @admin.display(description=_("模板检查"))
    def checks(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        level1 = tuple(node.to_engine() for node in obj.level1_nodes.all())
        rows = tuple(
            engine.IndicatorRow(
                level1=ti.level1_name, level2=ti.level2, level3=ti.level3, kind=ti.kind, weight=ti.weight
            )
            for ti in obj.indicators.select_related("level1")
        )
        # Checked by the rules of the rounds that use the template (a fixed 预算执行率 weight is
        # a rule set's), each named; by the default rules while no round uses it.
        rule_sets = list(RuleSet.objects.filter(round__template=obj).distinct().order_by("pk"))
        blocks = []
        for rule_set in rule_sets or [None]:
            rules = rule_set.to_engine() if rule_set else None
            findings = engine.template_findings(level1, rows, obj.execution_weight, rules=rules)
            lines = [f"[{f.severity}] {f.message}" for f in findings] or [str(_("权重合计正确，未发现问题。"))]
            if rule_set:
                lines.insert(0, str(_("按评分规则“%(name)s”：")) % {"name": rule_set})
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks)

    @admin.action(description=_("复制为新版本"))
    @transaction.atomic
    def copy_as_new_version(self, request, queryset):
        for template in queryset:
            nodes = list(template.level1_nodes.all())
            rows = list(template.indicators.select_related("level1"))
            latest = Template.objects.filter(name=template.name, year=template.year).order_by("-version").first()
            template.pk = None
            template.locked = False
            template.version = latest.version + 1
            template.save()
            mapping = {}
            for node in nodes:
                old = node.pk
                node.pk = None
                node.template = template
                node.save()
                mapping[old] = node
            for row in rows:
                row.pk = None
                row.template = template
                row.level1 = mapping.get(row.level1_id)
                row.save()
        messages.success(request, _("已复制为新版本，可编辑。"))

    @admin.action(description=_("结转到下一年度（连同评分规则）"))
    def roll_forward(self, request, queryset):
        for template in queryset:
            # The rule set the template was last used with (Round pairs them; reports' model).
            last = template.round_set.select_related("rule_set").order_by("-year", "-pk").first()
            try:
                done = services.template_roll_forward(template=template, rule_set=last.rule_set if last else None)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                continue
            if done.rule_set:
                messages.success(
                    request,
                    _("已结转为“%(template)s”和评分规则“%(rules)s”，可编辑。")
                    % {"template": done.template, "rules": done.rule_set},
                )
            else:
                messages.success(request, _("已结转为“%(template)s”，可编辑。") % {"template": done.template})
