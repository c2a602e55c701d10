from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from perfeval.spreadsheets.importing import SpreadsheetAdminMixin
from perfeval.widgets import admin_overrides
from reports.models import (
    ROUND_FROZEN,
    Evidence,
    MonitoringEntry,
    MonitoringPoint,
    RectificationItem,
    Report,
    ReportArchive,
    ReportEvent,
    ReportFinding,
    ReportIndicator,
    ReportRender,
    ReportTask,
    RescoreJob,
    Round,
    SigningCertificate,
    TargetAdjustment,
    TargetDeclaration,
    frozen_reports,
)
from reports.pdf.context import FINAL_STATES
from reports.pdf.services import report_archive_request
from reports.pdf.signing import (
    UPLOAD_MAX_BYTES,
    credentials_load,
    signing_certificate_activate,
    signing_certificate_create,
)
from reports.resources import RoundCoverageResource
from reports.services.scoring import report_rescore_job, rescore_job_requeue, rounds_rescore_job
from reports.services.workflow import ACTION_LABELS, TRANSITIONS, report_transition


def rescore_rounds(request, model_admin, what: str = "", **round_filter) -> None:
    """Stored scores follow the configuration: rescore the open reports of the rounds using it."""
    # In the background, after this save commits: the request only records which reports.
    job = rounds_rescore_job(rounds=Round.objects.filter(**round_filter), actor=request.user, what=what)
    rescore_job_message(request, model_admin, job)


def rescore_job_message(request, model_admin, job: RescoreJob | None, text: str = "") -> None:
    """Say which reports the change rescores, with a link to the job's progress page."""
    if job is None:
        return
    url = reverse("admin:reports_rescorejob_change", args=[job.pk])
    model_admin.message_user(
        request,
        format_html(
            '{} <a href="{}">{}</a>',
            text or _("正在后台按修改后的设置重新计分 %(n)d 份未审核通过的报告。") % {"n": job.total},
            url,
            _("查看进度"),
        ),
    )


@admin.register(Round)
class RoundAdmin(SpreadsheetAdminMixin, admin.ModelAdmin):
    list_display = ["name", "year", "template", "rule_set", "deadline", "is_open"]
    list_filter = ["year", "is_open"]
    search_fields = ["name"]
    filter_horizontal = ["departments"]
    list_select_related = ["template", "rule_set"]
    resource_classes = [RoundCoverageResource]
    import_help = _("每行一个参评部门：评价任务名称、年度、部门编码（只增加，不删除；已结束的评价任务不能增加）。")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class Refusing(form):
            def clean(self):
                data = super().clean()
                switched = [name for name in ("rule_set", "template", "year") if name in self.changed_data]
                if switched and self.instance.pk and frozen_reports(round_id=self.instance.pk).exists():
                    for name in switched:
                        self.add_error(name, ROUND_FROZEN)
                return data

        return Refusing

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The year picks the departments' budget lines: it feeds the scores as the configuration does.
        if change and {"rule_set", "template", "year"} & set(form.changed_data):
            names = {"rule_set": "评分规则", "template": "指标模板", "year": "年度"}
            what = "、".join(
                f"{names[name]}改为“{getattr(form.instance, name)}”"
                for name in ("rule_set", "template", "year")
                if name in form.changed_data
            )
            rescore_rounds(request, self, what=f"评价任务{what}", pk=form.instance.pk)

    def get_data_for_export(self, request, queryset, **kwargs):
        # The export is the coverage: one row per round and department.
        links = Round.departments.through.objects.filter(round__in=queryset).order_by(
            "round__year", "round__name", "department__code"
        )
        return super().get_data_for_export(request, links, **kwargs)


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
    actions = ["action_approve", "action_return", "action_reopen", "action_publish"]

    def has_change_permission(self, request, obj=None):
        # A submitted report is the department's statement: the admin shows it, never edits it.
        if obj is not None and not obj.editable:
            return False
        return super().has_change_permission(request, obj)

    def _transition(self, request, queryset, action):
        """Admin actions go through the same workflow service as the pages."""
        needs_reason = any(t.reason_required for (_s, a), t in TRANSITIONS.items() if a == action)
        reason = request.POST.get("reason", "").strip()
        override = request.POST.get("override", "").strip()
        if "confirm" not in request.POST:
            return TemplateResponse(
                request,
                "admin/reports/report/transition.html",
                {
                    **self.admin_site.each_context(request),
                    "title": ACTION_LABELS[action],
                    "reports": queryset.select_related("department", "round"),
                    "action": f"action_{action}",
                    "needs_reason": needs_reason,
                    "allow_override": action == "approve",
                    "opts": self.model._meta,
                },
            )
        done = 0
        for report in queryset:
            try:
                report_transition(report=report, action=action, actor=request.user, reason=reason, override=override)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                text = " ".join(getattr(exc, "messages", [str(exc)]))
                self.message_user(request, f"{report}：{text}", messages.ERROR)
        if done:
            self.message_user(request, _("已%(action)s %(n)d 份报告。") % {"action": ACTION_LABELS[action], "n": done})
        return None

    @admin.action(description=_("审核通过所选报告"))
    def action_approve(self, request, queryset):
        return self._transition(request, queryset, "approve")

    @admin.action(description=_("退回所选报告"))
    def action_return(self, request, queryset):
        return self._transition(request, queryset, "return")

    @admin.action(description=_("重新打开所选报告"))
    def action_reopen(self, request, queryset):
        return self._transition(request, queryset, "reopen")

    @admin.action(description=_("公开所选报告"))
    def action_publish(self, request, queryset):
        return self._transition(request, queryset, "publish")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The stored scores follow the edit in the background once it commits, never in this request.
        job = report_rescore_job(report=form.instance, actor=request.user)
        rescore_job_message(request, self, job, text=_("正在后台重新计分这份报告。"))


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the application writes (history, archives, renders): shown, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportEvent)
class ReportEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "report", "actor", "kind", "action", "label"]
    list_filter = ["kind", "action"]
    search_fields = ["report__department__name", "label", "message"]
    list_select_related = ["report__department", "report__round", "actor"]


@admin.register(TargetDeclaration)
class TargetDeclarationAdmin(ReadOnlyAdmin):
    """Moved only by reports.services.targets (the declaration page), never edited here."""

    list_display = ["report", "state", "submitted_at", "approved_at"]
    list_filter = ["state", "report__round"]
    list_select_related = ["report__department", "report__round"]


@admin.register(TargetAdjustment)
class TargetAdjustmentAdmin(ReadOnlyAdmin):
    list_display = ["report", "level3", "old_target_text", "target_text", "state", "requested_at", "decided_at"]
    list_filter = ["state", "report__round"]
    search_fields = ["report__department__name", "level3", "reason"]
    list_select_related = ["report__department", "report__round"]


@admin.register(RectificationItem)
class RectificationItemAdmin(ReadOnlyAdmin):
    """Read only: items are issued, answered and closed on the review and report pages (with events)."""

    list_display = ["report", "state", "indicator_label", "text", "due_date", "issued_by", "issued_at"]
    list_filter = ["state", "report__round"]
    search_fields = ["report__department__name", "report__department__code", "text", "answer"]
    list_select_related = ["report__department", "report__round", "issued_by"]


@admin.register(ReportArchive)
class ReportArchiveAdmin(ReadOnlyAdmin):
    list_display = ["report", "version", "created_at", "size_kb", "sha256_short", "signature", "pdf"]
    list_filter = ["report__round"]
    search_fields = ["report__department__name", "report__department__code", "sha256"]
    list_select_related = ["report__department", "report__round", "created_by", "certificate"]

    def changelist_view(self, request, extra_context=None):
        if not SigningCertificate.objects.filter(active=True).exists():
            self.message_user(
                request,
                _("没有启用的签章证书：新的归档 PDF 将不签章。请在“签章证书”中上传证书。"),
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("签章"))
    def signature(self, obj):
        if obj.certificate is None:
            return _("未签章")
        return format_html('<span title="{}">{}</span>', obj.certificate.subject, _("已签章"))

    @admin.display(description=_("大小"))
    def size_kb(self, obj):
        return f"{obj.size / 1024:,.0f} KB"

    @admin.display(description=_("SHA-256"))
    def sha256_short(self, obj):
        return obj.sha256[:12] + "…"

    @admin.display(description=_("文件"))
    def pdf(self, obj):
        url = reverse("pdf:archive", kwargs={"pk": obj.report_id, "version": obj.version})
        return format_html('<a href="{}" target="_blank">{}</a>', url, _("查看 PDF"))


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    """Read-only: files are added and removed by the department on the report's evidence panel."""

    list_display = ["uploaded_at", "report", "indicator", "original_name", "content_type", "size", "download"]
    list_filter = ["report__round", "content_type"]
    search_fields = ["report__department__name", "report__department__code", "original_name", "sha256"]
    list_select_related = ["report__department", "report__round", "indicator"]

    @admin.display(description=_("文件"))
    def download(self, obj):
        url = reverse("evidence:file", kwargs={"pk": obj.report_id, "evidence_pk": obj.pk})
        return format_html('<a href="{}">{}</a>', url, _("下载"))


@admin.register(ReportRender)
class ReportRenderAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "report", "purpose", "status", "error"]
    list_filter = ["status", "purpose"]
    search_fields = ["report__department__name", "report__department__code", "error"]
    list_select_related = ["report__department", "report__round", "requested_by"]
    actions = ["archive_again"]

    @admin.action(description=_("重新生成所选报告的归档 PDF"))
    def archive_again(self, request, queryset):
        # A failed archive render stays failed on its row; this queues a new one, as approval did.
        report_ids = set(queryset.filter(report__state__in=FINAL_STATES).values_list("report_id", flat=True).distinct())
        queued = sum(report_archive_request(report_id=pk, actor_id=request.user.pk) is not None for pk in report_ids)
        self.message_user(request, _("已申请 %(n)d 份归档 PDF。") % {"n": queued})
        skipped = queryset.exclude(report__state__in=FINAL_STATES).values("report_id").distinct().count()
        if skipped:
            self.message_user(request, _("%(n)d 份报告未审核通过，不能归档。") % {"n": skipped}, messages.WARNING)


@admin.register(RescoreJob)
class RescoreJobAdmin(ReadOnlyAdmin):
    """Progress of the rescoring a configuration change asked for; the page refreshes while it runs."""

    change_form_template = "admin/reports/rescorejob/change_form.html"
    # The last progress stands for the end once finished (the page has both): the list fits 1366 px.
    list_display = ["created_at", "what", "status", "progress", "failed", "actor", "heartbeat_at"]
    list_filter = ["state"]
    search_fields = ["what", "error"]
    list_select_related = ["actor"]
    fields = [
        "what",
        "status",
        "progress",
        "total",
        "done",
        "failed",
        "error",
        "actor",
        "created_at",
        "started_at",
        "heartbeat_at",
        "finished_at",
    ]
    readonly_fields = fields
    actions = ["requeue"]

    @admin.display(description=_("状态"), ordering="state")
    def status(self, obj):
        if obj.stale:  # its workers died, or none is running: nothing moves until it is requeued
            return format_html('{} <strong class="rescore-stale">{}</strong>', obj.get_state_display(), _("已停滞"))
        return obj.get_state_display()

    @admin.action(description=_("重新排队"), permissions=["view"])
    def requeue(self, request, queryset):
        jobs = list(queryset.values_list("pk", flat=True))
        requeued = sum(rescore_job_requeue(job_id=pk) for pk in jobs)
        if requeued:
            self.message_user(request, _("已重新排队 %(n)d 个重新计分任务。") % {"n": requeued})
        if len(jobs) > requeued:
            self.message_user(
                request,
                _("%(n)d 个任务仍在进行或已结束，未重新排队。") % {"n": len(jobs) - requeued},
                messages.WARNING,
            )

    @admin.display(description=_("进度"))
    def progress(self, obj):
        return format_html(
            '<progress class="rescore-progress" value="{}" max="{}">{}/{}</progress> {}/{}',
            obj.done,
            obj.total or 1,
            obj.done,
            obj.total,
            obj.done,
            obj.total,
        )

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        context["refresh_seconds"] = 0 if obj is None or obj.finished else 2
        if obj is not None and obj.stale:
            self.message_user(
                request,
                _("超过 %(minutes)d 分钟没有进展：处理它的后台进程可能已停止。请在任务列表中选中它并执行“重新排队”。")
                % {"minutes": settings.RESCORE_STALE_MINUTES},
                messages.WARNING,
            )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)


class MonitoringEntryInline(admin.TabularInline):
    """What departments entered: shown, never edited here (they edit on the entry page)."""

    model = MonitoringEntry
    fields = ["report", "budget_executed", "updated_by", "updated_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("report__round", "report__department", "updated_by")


@admin.register(MonitoringPoint)
class MonitoringPointAdmin(admin.ModelAdmin):
    list_display = ["round", "as_of", "expected_progress", "is_open", "monitoring_link"]
    list_filter = ["is_open", "round__year"]
    list_select_related = ["round"]
    formfield_overrides = admin_overrides()
    inlines = [MonitoringEntryInline]

    @admin.display(description=_("各部门亮灯情况"))
    def monitoring_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("monitoring:round", args=[obj.pk]), _("查看"))


class SigningCertificateForm(forms.ModelForm):
    class Meta:
        model = SigningCertificate
        fields = ["name", "active"]


class SigningCertificateUploadForm(SigningCertificateForm):
    """A PKCS#12 file, or PEM holding the key and the certificate; parsed before anything is stored."""

    upload = forms.FileField(
        label=_("证书文件"),
        help_text=_("PKCS#12（.p12/.pfx）文件，或含私钥和证书的 PEM 文件。私钥加密后保存在数据库中。"),
    )
    password = forms.CharField(
        label=_("密码"), required=False, strip=False, widget=forms.PasswordInput(render_value=False)
    )

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise ValidationError(_("文件过大：证书文件最大 %(kb)d KB。") % {"kb": UPLOAD_MAX_BYTES // 1024})
        return upload

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload is not None:
            try:
                self.credentials = credentials_load(upload.read(), cleaned.get("password") or "")
            except ValidationError as exc:
                self.add_error("upload", exc)
        return cleaned


@admin.register(SigningCertificate)
class SigningCertificateAdmin(admin.ModelAdmin):
    form = SigningCertificateForm
    list_display = ["__str__", "subject", "active", "development", "not_after", "fingerprint_short", "created_at"]
    readonly_fields = [
        "subject",
        "fingerprint",
        "not_before",
        "not_after",
        "development",
        "created_at",
        "created_by",
        "certificate_pem",
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = SigningCertificateUploadForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "upload", "password", "active"]
        return ["name", "active", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    @admin.display(description=_("SHA-256 指纹"))
    def fingerprint_short(self, obj):
        return obj.fingerprint[:16] + "…"

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name", "active"] if not obj.active else ["name"])
            if obj.active:
                signing_certificate_activate(certificate=obj)
            return
        created = signing_certificate_create(
            credentials=form.credentials, name=obj.name, active=obj.active, actor=request.user
        )
        # The admin logs the addition and redirects with this object.
        for field in created._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False
