"""Evaluation rounds, departments' reports, their rows, findings and history."""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.models import MONEY, Department
from indicators.models import MEASURE, WEIGHT, Kind, RuleSet, Sign, Template, TemplateIndicator
from reports import enums

NON_NEGATIVE = [MinValueValidator(Decimal("0"))]
SCORE = {"max_digits": 7, "decimal_places": 2}

# The eight sections of the 自评报告, in the seed's order (domain.md §3).
NARRATIVE_SECTIONS = (
    ("1", _("一、部门单位基本情况")),
    ("2", _("二、绩效自评工作开展情况")),
    ("3", _("三、综合评价结论")),
    ("4", _("四、绩效目标实现情况分析")),
    ("5", _("五、发现的主要问题和改进措施")),
    ("6", _("六、绩效自评结果拟应用和公开情况")),
    ("7", _("七、绩效自评工作的经验、问题和建议")),
    ("8", _("八、其他需要说明的问题")),
)
NARRATIVE_FIELDS = tuple(f"narrative_{key}" for key, _title in NARRATIVE_SECTIONS)


ROUND_FROZEN = _("该评价任务已有报告送审或审核通过，不能更换评分规则、指标模板或评价年度。")


def person(label, *, optional: bool = True, on_delete=models.PROTECT) -> models.ForeignKey:
    """Who did something: a user named on the record, with no reverse accessor on the user."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=label,
        null=optional,
        blank=optional,
        on_delete=on_delete,
        related_name="+",
    )


class Round(models.Model):
    """A year's evaluation task (评价任务) set by the bureau."""

    name = models.CharField(_("名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("评价年度"))
    template = models.ForeignKey(Template, verbose_name=_("指标模板"), on_delete=models.PROTECT)
    rule_set = models.ForeignKey(RuleSet, verbose_name=_("评分规则"), on_delete=models.PROTECT)
    deadline = models.DateField(_("截止日期"))
    is_open = models.BooleanField(_("进行中"), default=True)
    departments = models.ManyToManyField(Department, verbose_name=_("参评部门"), blank=True, related_name="rounds")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("评价任务")
        verbose_name_plural = _("评价任务")
        constraints = [models.UniqueConstraint(fields=["year", "name"], name="round_unique_name_per_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"

    def save(self, *args, **kwargs):
        error = self.frozen_error()
        if error:
            raise ValidationError(error)
        super().save(*args, **kwargs)

    def frozen_error(self) -> str | None:
        """Why the rule set, template or year may not be switched: a report is past draft/returned.

        The year picks the budget lines the reports are scored with, as the configuration does.
        """
        if self.pk is None:
            return None
        before = Round.objects.filter(pk=self.pk).values("rule_set_id", "template_id", "year").first()
        now = {"rule_set_id": self.rule_set_id, "template_id": self.template_id, "year": self.year}
        if before is None or before == now:
            return None
        if frozen_reports(round_id=self.pk).exists():
            return ROUND_FROZEN
        return None


class Report(models.Model):
    """One department's self-evaluation in one round: the table and the narrative."""

    State = enums.State
    EDITABLE_STATES = enums.EDITABLE_STATES
    FROZEN_STATES = enums.FROZEN_STATES
    FINAL_STATES = enums.FINAL_STATES

    round = models.ForeignKey(Round, verbose_name=_("评价任务"), on_delete=models.PROTECT, related_name="reports")
    department = models.ForeignKey(Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="reports")
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.DRAFT)
    contact = models.CharField(_("填表人及联系方式"), max_length=200, blank=True)
    preamble = models.TextField(_("报告引言"), blank=True)
    goal = models.TextField(_("年度总体目标"), blank=True)
    goal_completion = models.TextField(_("年度总体目标完成情况"), blank=True)
    weight_note = models.TextField(_("指标权重调整说明"), blank=True, help_text=_("未设置的一级指标及其分值移至何处。"))
    narrative_1 = models.TextField(NARRATIVE_SECTIONS[0][1], blank=True)
    narrative_2 = models.TextField(NARRATIVE_SECTIONS[1][1], blank=True)
    narrative_3 = models.TextField(NARRATIVE_SECTIONS[2][1], blank=True)
    narrative_4 = models.TextField(NARRATIVE_SECTIONS[3][1], blank=True)
    narrative_5 = models.TextField(NARRATIVE_SECTIONS[4][1], blank=True)
    narrative_6 = models.TextField(NARRATIVE_SECTIONS[5][1], blank=True)
    narrative_7 = models.TextField(NARRATIVE_SECTIONS[6][1], blank=True)
    narrative_8 = models.TextField(NARRATIVE_SECTIONS[7][1], blank=True)
    execution_self_score = models.DecimalField(
        _("预算执行率自评得分"), null=True, blank=True, validators=NON_NEGATIVE, **SCORE
    )
    # What an imported report printed as its total and grade; ours are computed.
    declared_total = models.DecimalField(_("原表自评得分"), null=True, blank=True, **SCORE)
    declared_grade = models.CharField(_("原表自评结果"), max_length=8, blank=True)
    review_opinion = models.TextField(_("总体审核意见"), blank=True)

    # Stored by the scoring service after every change, for lists and sorting.
    rule_total = models.DecimalField(_("规则得分"), null=True, blank=True, **SCORE)
    self_total = models.DecimalField(_("自评得分"), null=True, blank=True, **SCORE)
    execution_score = models.DecimalField(_("预算执行率得分"), null=True, blank=True, **SCORE)
    grade = models.CharField(_("评价等级"), max_length=8, blank=True)
    self_grade = models.CharField(_("自评结果"), max_length=8, blank=True)
    # The reviewer's scores where given, the rule's elsewhere (engine.reviewer_total): kept by
    # every rescore and reviewer save; once approved it is the final score (审核得分).
    reviewer_total = models.DecimalField(_("审核总分"), null=True, blank=True, **SCORE)
    reviewer_grade = models.CharField(_("审核等级"), max_length=8, blank=True)
    level1_scores = models.JSONField(_("一级指标得分"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    warning_count = models.PositiveIntegerField(_("提示数"), default=0)
    scored_at = models.DateTimeField(_("计分时间"), null=True, blank=True)
    # The interchange document as approved: what an approved or published report is read from.
    frozen_document = models.JSONField(_("审核通过时的报告数据"), null=True, blank=True, editable=False)

    # Optimistic lock: every save names the version it started from.
    version = models.PositiveIntegerField(_("版本号"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("送审时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("审核通过时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)

    class Meta:
        ordering = ["round", "department__code"]
        verbose_name = _("自评报告")
        verbose_name_plural = _("自评报告")
        constraints = [
            models.UniqueConstraint(fields=["round", "department"], name="report_one_per_department_round"),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "submitted", "returned", "approved", "published"]),
                name="report_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(execution_self_score__isnull=True) | Q(execution_self_score__gte=0),
                name="report_execution_self_score_gte_0",
            ),
        ]
        indexes = [models.Index(fields=["round", "state"], name="report_round_state")]

    def __str__(self) -> str:
        return f"{self.round.year} {self.department.display_name}"

    @property
    def editable(self) -> bool:
        return self.state in self.EDITABLE_STATES

    @property
    def final_score(self):
        """审核得分: the reviewer total once the report is approved (None before)."""
        return self.reviewer_total if self.state in enums.FINAL_STATES else None

    @property
    def final_grade(self) -> str:
        return self.reviewer_grade if self.state in enums.FINAL_STATES else ""

    def narrative(self) -> list[tuple[str, str, str]]:
        """(key, title, text) for the eight sections."""
        return [(key, title, getattr(self, f"narrative_{key}")) for key, title in NARRATIVE_SECTIONS]


def frozen_reports(**filters):
    """Reports past draft/returned matching filters (e.g. round__rule_set=...)."""
    return Report.objects.filter(state__in=Report.FROZEN_STATES, **filters)


class ReportTask(models.Model):
    """A row of 年度主要任务, in 万元."""

    report = models.ForeignKey(Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="tasks")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    name = models.CharField(_("任务名称"), max_length=200)
    content = models.TextField(_("主要内容"), blank=True)
    budget = models.DecimalField(_("预算资金"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY)
    budget_fiscal = models.DecimalField(_("其中:财政资金"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY)
    completion = models.TextField(_("任务完成情况"), blank=True)
    executed = models.DecimalField(_("预算执行数"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY)
    executed_fiscal = models.DecimalField(
        _("其中:财政资金（执行）"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    rate_text = models.CharField(_("原表执行率"), max_length=32, blank=True)

    class Meta:
        ordering = ["report", "order", "pk"]
        verbose_name = _("年度主要任务")
        verbose_name_plural = _("年度主要任务")
        constraints = [
            models.CheckConstraint(
                condition=(Q(budget__isnull=True) | Q(budget__gte=0))
                & (Q(budget_fiscal__isnull=True) | Q(budget_fiscal__gte=0))
                & (Q(executed__isnull=True) | Q(executed__gte=0))
                & (Q(executed_fiscal__isnull=True) | Q(executed_fiscal__gte=0)),
                name="report_task_amounts_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# What a template row defines (and a report's row copies): level 1 is a name here, a node there.
INDICATOR_DEFINITION = ("level2", "level3", "kind", "sign", "target", "target_text", "unit")


def indicator_definition(source) -> dict:
    return {name: getattr(source, name) for name in INDICATOR_DEFINITION}


class ReportIndicator(models.Model):
    """A level-3 row of a report: copied from the template, or the department's own."""

    class Tier(models.TextChoices):
        MET = "met", _("达成年度指标")
        PARTIAL = "partial", _("部分达成年度指标并具有一定效果")
        UNMET = "unmet", _("未达成年度指标且效果较差")

    report = models.ForeignKey(Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="indicators")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    template_indicator = models.ForeignKey(
        TemplateIndicator,
        verbose_name=_("模板指标"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("空表示部门自行增加的指标。"),
    )
    # "" where the table has no such level (a flat list, or level 3 directly under level 1).
    level1 = models.CharField(_("一级指标"), max_length=100, blank=True)
    level2 = models.CharField(_("二级指标"), max_length=100, blank=True)
    level3 = models.CharField(_("三级指标"), max_length=200)
    kind = models.CharField(_("性质"), max_length=16, choices=Kind.choices, default=Kind.QUALITATIVE)
    sign = models.CharField(_("符号"), max_length=2, choices=Sign.choices, blank=True)
    target = models.DecimalField(_("指标值（数）"), null=True, blank=True, **MEASURE)
    target_text = models.CharField(_("指标值"), max_length=200, blank=True)
    unit = models.CharField(_("度量单位"), max_length=50, blank=True)
    actual = models.DecimalField(_("实际完成值（数）"), null=True, blank=True, **MEASURE)
    actual_text = models.CharField(_("实际完成值"), max_length=200, blank=True)
    tier = models.CharField(_("完成档次"), max_length=16, choices=Tier.choices, blank=True)
    weight = models.DecimalField(_("分值"), null=True, blank=True, validators=NON_NEGATIVE, **WEIGHT)
    self_score = models.DecimalField(_("得分"), null=True, blank=True, validators=NON_NEGATIVE, **SCORE)
    reason = models.TextField(_("未完成原因分析"), blank=True)
    applicable = models.BooleanField(_("适用"), default=True)
    # The bureau's review, kept apart from the department's figures.
    reviewer_score = models.DecimalField(_("审核得分"), null=True, blank=True, validators=NON_NEGATIVE, **SCORE)
    review_comment = models.TextField(_("审核意见"), blank=True)
    # The reviewer's mark that the row's claim lacks evidence; who set it and when is in the event log.
    evidence_missing = models.BooleanField(_("缺少佐证"), default=False)
    # The target as the bureau approved the declaration (blank before); an approved adjustment
    # changes target_text/sign/unit but not these, so the original stays printable.
    target_declared = models.BooleanField(_("目标已审核"), default=False)
    declared_sign = models.CharField(_("申报符号"), max_length=2, blank=True)
    declared_target_text = models.CharField(_("申报指标值"), max_length=200, blank=True)
    declared_unit = models.CharField(_("申报度量单位"), max_length=50, blank=True)

    class Meta:
        ordering = ["report", "order", "pk"]
        verbose_name = _("绩效指标")
        verbose_name_plural = _("绩效指标")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["quantitative", "qualitative"]), name="report_indicator_kind_valid"
            ),
            models.CheckConstraint(condition=Q(sign__in=["", ">=", "<=", "="]), name="report_indicator_sign_valid"),
            models.CheckConstraint(
                condition=Q(tier__in=["", "met", "partial", "unmet"]), name="report_indicator_tier_valid"
            ),
            models.CheckConstraint(
                condition=(Q(weight__isnull=True) | Q(weight__gte=0))
                & (Q(self_score__isnull=True) | Q(self_score__gte=0)),
                name="report_indicator_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(reviewer_score__isnull=True) | Q(reviewer_score__gte=0),
                name="report_indicator_reviewer_score_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return self.level3

    @property
    def is_custom(self) -> bool:
        return self.template_indicator_id is None

    @property
    def target_adjusted(self) -> bool:
        """Approved, then changed by an approved adjustment."""
        return self.target_declared and (self.declared_sign, self.declared_target_text, self.declared_unit) != (
            self.sign,
            self.target_text,
            self.unit,
        )


class TargetDeclaration(models.Model):
    """The department's 绩效目标申报 for a report: its own state, moved by reports.services.targets.

    The targets themselves are the report's rows (target_text, sign, unit); approval copies them
    into the rows' declared_* fields, and from then on they change only by an approved adjustment.
    """

    State = enums.State
    EDITABLE_STATES = enums.EDITABLE_STATES

    report = models.OneToOneField(Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="targets")
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(_("版本号"), default=1)
    submitted_at = models.DateTimeField(_("送审时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("审核通过时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("绩效目标申报")
        verbose_name_plural = _("绩效目标申报")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["draft", "submitted", "returned", "approved"]),
                name="target_declaration_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.get_state_display()}"

    @property
    def editable(self) -> bool:
        return self.state in self.EDITABLE_STATES


def declaration_of(report: Report) -> TargetDeclaration | None:
    """The report's declaration, or None before one is saved (report_queryset joins it: no query)."""
    try:
        return report.targets
    except TargetDeclaration.DoesNotExist:
        return None


def targets_approved(report: Report) -> bool:
    declaration = declaration_of(report)
    return declaration is not None and declaration.state == enums.State.APPROVED


class TargetAdjustment(models.Model):
    """A request to change one approved target (目标调整), decided by the bureau."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")

    report = models.ForeignKey(Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="adjustments")
    # SET_NULL: an import replaces the rows, and the request stays on record by its name.
    indicator = models.ForeignKey(
        ReportIndicator,
        verbose_name=_("绩效指标"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="adjustments",
    )
    level3 = models.CharField(_("三级指标"), max_length=200)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PENDING)
    old_sign = models.CharField(_("原符号"), max_length=2, blank=True)
    old_target_text = models.CharField(_("原指标值"), max_length=200, blank=True)
    old_unit = models.CharField(_("原度量单位"), max_length=50, blank=True)
    sign = models.CharField(_("调整后符号"), max_length=2, choices=Sign.choices, blank=True)
    target_text = models.CharField(_("调整后指标值"), max_length=200)
    unit = models.CharField(_("调整后度量单位"), max_length=50, blank=True)
    reason = models.TextField(_("调整原因"))
    requested_by = person(_("申请人"), optional=False)
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = person(_("审核人"))
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        ordering = ["report", "-requested_at", "-pk"]
        verbose_name = _("目标调整")
        verbose_name_plural = _("目标调整")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "approved", "rejected"]), name="target_adjustment_state_valid"
            ),
            models.UniqueConstraint(
                fields=["indicator"], condition=Q(state="pending"), name="target_adjustment_one_pending_per_row"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} → {self.target_text}（{self.get_state_display()}）"


class ReportFinding(models.Model):
    """The engine's findings for a report as last scored (replaced on every rescore)."""

    class Severity(models.TextChoices):
        ERROR = "error", _("错误")
        WARNING = "warning", _("提示")
        INFO = "info", _("说明")

    report = models.ForeignKey(Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="findings")
    order = models.PositiveIntegerField(_("顺序"), default=0)
    code = models.CharField(_("代码"), max_length=64, db_index=True)
    severity = models.CharField(_("级别"), max_length=8, choices=Severity.choices)
    where = models.CharField(_("位置"), max_length=100)
    message = models.TextField(_("说明"))

    class Meta:
        ordering = ["report", "order"]
        verbose_name = _("检查发现")
        verbose_name_plural = _("检查发现")

    def __str__(self) -> str:
        return f"{self.get_severity_display()} {self.where}: {self.message}"


def evidence_upload_to(instance: "Evidence", filename: str) -> str:
    """evidence/<report>/<uuid><ext>: never the uploader's name, which stays in original_name."""
    suffix = filename[filename.rfind(".") :] if "." in filename else ""
    return f"evidence/{instance.report_id}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A file behind a report or one of its rows (佐证材料), kept through Django's storage API.

    Its type is what its bytes are (reports.services.evidence checks them), never what its name says.
    """

    report = models.ForeignKey(Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="evidence")
    # Blank: about the report as a whole. A row the department deletes leaves its files with the report.
    indicator = models.ForeignKey(
        "ReportIndicator",
        verbose_name=_("绩效指标"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evidence",
    )
    file = models.FileField(_("文件"), upload_to=evidence_upload_to, max_length=300)
    original_name = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("字节数"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = person(_("上传人"), on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["report", "uploaded_at", "pk"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def __str__(self) -> str:
        return self.original_name


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(self.model.refuse_change)

    def delete(self):
        raise ValidationError(self.model.refuse_delete)


class AppendOnly(models.Model):
    """Rows written once: the model, its querysets and database triggers refuse the rest."""

    refuse_change = _("记录不能修改。")
    refuse_delete = _("记录不能删除。")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(self.refuse_change)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(self.refuse_delete)


class ReportEvent(AppendOnly):
    """Append-only history: every transition and every change of a figure or text.

    Database triggers (see the migration) refuse UPDATE and DELETE as well.
    """

    class Kind(models.TextChoices):
        TRANSITION = "transition", _("状态变更")
        CHANGE = "change", _("修改")
        IMPORT = "import", _("导入")
        COMMENT = "comment", _("审核意见")
        RECTIFICATION = "rectification", _("整改")

    report = models.ForeignKey(Report, verbose_name=_("报告"), on_delete=models.PROTECT, related_name="events")
    actor = person(_("操作人"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    action = models.CharField(_("动作"), max_length=32, blank=True)
    from_state = models.CharField(_("原状态"), max_length=16, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, blank=True)
    field = models.CharField(_("字段"), max_length=100, blank=True)
    label = models.CharField(_("项目"), max_length=300, blank=True)
    old_value = models.TextField(_("原值"), blank=True)
    new_value = models.TextField(_("新值"), blank=True)
    message = models.TextField(_("说明"), blank=True)

    refuse_change = _("历史记录不能修改。")
    refuse_delete = _("历史记录不能删除。")

    class Meta:
        ordering = ["report", "created_at", "pk"]
        verbose_name = _("历史记录")
        verbose_name_plural = _("历史记录")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["transition", "change", "import", "comment", "rectification"]),
                name="event_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.label or self.action}"


class SigningCertificate(models.Model):
    """The bureau's certificate that signs archived PDFs (PAdES), with its private key.

    The key is kept encrypted (PKCS#8 PEM, with a password derived from SECRET_KEY; see
    reports.pdf.signing), never in the repository. One certificate at most is active: the
    one new archives are signed with. A certificate that signed an archive cannot be deleted.
    """

    name = models.CharField(_("名称"), max_length=200, blank=True)
    subject = models.CharField(_("证书主体"), max_length=500, editable=False)
    fingerprint = models.CharField(_("SHA-256 指纹"), max_length=64, unique=True, editable=False)
    certificate_pem = models.TextField(_("证书（PEM）"), editable=False)
    key_pem = models.TextField(_("私钥（加密存储）"), editable=False)
    not_before = models.DateTimeField(_("生效时间"), editable=False)
    not_after = models.DateTimeField(_("到期时间"), editable=False)
    development = models.BooleanField(_("开发用证书"), default=False, editable=False)
    active = models.BooleanField(_("用于签章"), default=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    created_by = person(_("上传人"), on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-active", "-created_at"]
        verbose_name = _("签章证书")
        verbose_name_plural = _("签章证书")
        constraints = [
            models.UniqueConstraint(fields=["active"], condition=Q(active=True), name="signing_certificate_one_active")
        ]

    def __str__(self) -> str:
        return self.name or self.subject

    def validate_constraints(self, exclude=None):
        # "One active" is kept by the services, which switch the previous one off first;
        # validated before that, the constraint would refuse every newly activated one.
        super().validate_constraints(exclude={*(exclude or ()), "active"})


class RectificationItem(models.Model):
    """A rectification requirement (整改事项) the bureau issued on a report, and its answer.

    Written only by reports.services.rectification, which logs every step as a ReportEvent.
    """

    class State(models.TextChoices):
        OPEN = "open", _("待整改")
        ANSWERED = "answered", _("已答复")
        CLOSED = "closed", _("已销号")

    report = models.ForeignKey(Report, verbose_name=_("报告"), on_delete=models.PROTECT, related_name="rectifications")
    # The row it is about, if any; the row's name is kept too, since a department's own row may be deleted.
    indicator = models.ForeignKey(
        ReportIndicator,
        verbose_name=_("指标行"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rectifications",
    )
    indicator_label = models.CharField(_("指标"), max_length=200, blank=True)
    text = models.TextField(_("整改要求"))
    due_date = models.DateField(_("整改期限"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.OPEN)
    issued_by = person(_("下达人"), optional=False)
    issued_at = models.DateTimeField(_("下达时间"), auto_now_add=True)
    answer = models.TextField(_("整改情况"), blank=True)
    answered_by = person(_("答复人"))
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    closed_by = person(_("销号人"))
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    # The bureau's latest word on the answer: why it is closed, or why it is reopened.
    review_note = models.TextField(_("审核说明"), blank=True)

    class Meta:
        ordering = ["report", "issued_at", "pk"]
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["open", "answered", "closed"]), name="rectification_state_valid"
            ),
        ]
        indexes = [models.Index(fields=["report", "state"], name="rectification_report_state")]

    def __str__(self) -> str:
        return self.text[:50]


class ReportArchive(AppendOnly):
    """The PDF of an approved report, stored once with its SHA-256 and never changed.

    Each approval adds a version (reopening and approving again makes version 2 and
    keeps version 1). The file under MEDIA_ROOT/archive/ is opened with mode "xb":
    it is written once and never overwritten. Database triggers (see the migration)
    refuse UPDATE and DELETE as well.
    """

    report = models.ForeignKey(Report, verbose_name=_("报告"), on_delete=models.PROTECT, related_name="archives")
    version = models.PositiveIntegerField(_("归档版本"))
    file = models.FileField(_("文件"), max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("字节数"))
    report_version = models.PositiveIntegerField(_("报告版本号"))
    # The evidence files as approved: a zip written once beside the PDF (which lists each file's
    # SHA-256), never public: only those who may read the report download it. Blank: no evidence.
    evidence_file = models.FileField(_("佐证材料包"), max_length=300, blank=True)
    evidence_sha256 = models.CharField(_("佐证材料包 SHA-256"), max_length=64, blank=True)
    evidence_size = models.PositiveBigIntegerField(_("佐证材料包字节数"), default=0)
    created_at = models.DateTimeField(_("归档时间"), auto_now_add=True)
    created_by = person(_("审核通过人"))
    # Null: archived unsigned (no certificate was active). sha256 above is of the signed file.
    certificate = models.ForeignKey(
        SigningCertificate,
        verbose_name=_("签章证书"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="archives",
    )
    signed_at = models.DateTimeField(_("签章时间"), null=True, blank=True)

    refuse_change = _("归档文件不能修改。")
    refuse_delete = _("归档文件不能删除。")

    class Meta:
        ordering = ["report", "version"]
        verbose_name = _("归档PDF")
        verbose_name_plural = _("归档PDF")
        constraints = [
            models.UniqueConstraint(fields=["report", "version"], name="report_archive_unique_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="report_archive_version_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.report} v{self.version}"


class ReportRender(models.Model):
    """A request to render a report's PDF in the background, and how far it got."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    class Purpose(models.TextChoices):
        DOWNLOAD = "download", _("下载")
        ARCHIVE = "archive", _("审核通过归档")

    class Part(models.TextChoices):
        BOTH = "both", _("自评报告和自评表")
        NARRATIVE = "narrative", _("自评报告")
        TABLE = "table", _("自评表")

    report = models.ForeignKey(Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="renders")
    purpose = models.CharField(_("用途"), max_length=16, choices=Purpose.choices, default=Purpose.DOWNLOAD)
    part = models.CharField(_("内容"), max_length=16, choices=Part.choices, default=Part.BOTH)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    requested_by = person(_("申请人"), on_delete=models.SET_NULL)
    file = models.FileField(_("文件"), max_length=300, blank=True)
    archive = models.ForeignKey(
        ReportArchive, verbose_name=_("归档"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    error = models.TextField(_("错误"), blank=True)
    warnings = models.TextField(_("排版警告"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("PDF生成")
        verbose_name_plural = _("PDF生成")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]), name="report_render_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(part__in=["both", "narrative", "table"]), name="report_render_part_valid"
            ),
            models.CheckConstraint(
                condition=Q(purpose__in=["download", "archive"]), name="report_render_purpose_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.get_purpose_display()} {self.get_status_display()}"


class RescoreJob(models.Model):
    """Rescoring after a configuration change, run in the background (django-tasks), polled by the admin.

    The reports are chosen when the change is saved; the run rescores each one that is still in one
    of `states`, in its own transaction. `done` counts the reports processed (failed ones included).

    Workers take the reports a chunk at a time; `pending` holds the chunks taken but not yet committed
    ({start: [end, owner token]}). A job with no progress for RESCORE_STALE_MINUTES is stale: its
    workers are taken for dead, and its pending chunks go to the next worker (owner None).
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("计分中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    what = models.CharField(_("修改内容"), max_length=300)
    action = models.CharField(_("事件动作"), max_length=32, default="rescore")
    actor = person(_("操作人"), on_delete=models.SET_NULL)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.QUEUED)
    report_ids = models.JSONField(_("报告"), default=list)
    states = models.JSONField(_("重新计分的报告状态"), default=list)
    total = models.PositiveIntegerField(_("报告数"), default=0)
    claimed = models.PositiveIntegerField(_("已分配"), default=0)  # reports handed out to workers so far
    done = models.PositiveIntegerField(_("已处理"), default=0)
    failed = models.PositiveIntegerField(_("失败"), default=0)
    error = models.TextField(_("错误"), blank=True)
    pending = models.JSONField(_("处理中的报告"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    # Written at every claim and every chunk committed: how long since anyone made progress.
    heartbeat_at = models.DateTimeField(_("最近进展"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("重新计分任务")
        verbose_name_plural = _("重新计分任务")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["queued", "running", "done", "failed"]), name="rescore_job_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.what}（{self.get_state_display()}）"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @staticmethod
    def stale_before():
        """A job whose last progress is older than this is stale."""
        return timezone.now() - timedelta(minutes=settings.RESCORE_STALE_MINUTES)

    @property
    def stale(self) -> bool:
        """Not finished and no progress for RESCORE_STALE_MINUTES: its workers died or never came."""
        return not self.finished and self.heartbeat_at < self.stale_before()


class MonitoringPoint(models.Model):
    """A mid-year monitoring point of a round (绩效运行监控), e.g. as of 30 June.

    Departments enter figures to date while it is open; the lights follow the round's rule set
    (indicators.engine.monitoring).
    """

    round = models.ForeignKey(
        Round, verbose_name=_("评价任务"), on_delete=models.CASCADE, related_name="monitoring_points"
    )
    as_of = models.DateField(_("监控截止日期"))
    expected_progress = models.DecimalField(
        _("预期进度（%）"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("截至监控日期应完成的比例，例如 6月30日 为 50。"),
    )
    is_open = models.BooleanField(_("填报中"), default=True, help_text=_("关闭后部门不能再修改监控数据。"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["round", "as_of"]
        verbose_name = _("运行监控点")
        verbose_name_plural = _("运行监控点")
        constraints = [
            models.UniqueConstraint(fields=["round", "as_of"], name="monitoring_point_unique_date"),
            models.CheckConstraint(
                condition=Q(expected_progress__gte=0) & Q(expected_progress__lte=100),
                name="monitoring_point_progress_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.as_of:%Y-%m-%d}"


class MonitoringEntry(models.Model):
    """A department's figures to date at a monitoring point, for its report's rows."""

    point = models.ForeignKey(
        MonitoringPoint, verbose_name=_("运行监控点"), on_delete=models.CASCADE, related_name="entries"
    )
    report = models.ForeignKey(
        Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="monitoring_entries"
    )
    budget_executed = models.DecimalField(
        _("截至监控日预算执行数"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    # Optimistic lock: a save names the version its page showed, so a colleague's save is not overwritten.
    version = models.PositiveIntegerField(_("版本号"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = person(_("填报人"), on_delete=models.SET_NULL)

    class Meta:
        ordering = ["point", "report"]
        verbose_name = _("运行监控填报")
        verbose_name_plural = _("运行监控填报")
        constraints = [
            models.UniqueConstraint(fields=["point", "report"], name="monitoring_entry_one_per_report"),
            models.CheckConstraint(
                condition=Q(budget_executed__isnull=True) | Q(budget_executed__gte=0),
                name="monitoring_entry_budget_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.point} {self.report}"


class MonitoringRow(models.Model):
    """One indicator row's actual to date (as typed, and the number read from it) and note."""

    entry = models.ForeignKey(
        MonitoringEntry, verbose_name=_("运行监控填报"), on_delete=models.CASCADE, related_name="rows"
    )
    indicator = models.ForeignKey(
        ReportIndicator, verbose_name=_("绩效指标"), on_delete=models.CASCADE, related_name="monitoring_rows"
    )
    actual_text = models.CharField(_("截至监控日完成值"), max_length=200, blank=True)
    actual = models.DecimalField(_("截至监控日完成值（数）"), null=True, blank=True, **MEASURE)
    at_risk = models.BooleanField(_("存在风险"), default=False)
    note = models.TextField(_("情况说明"), blank=True)

    class Meta:
        ordering = ["entry", "indicator__order", "indicator"]
        verbose_name = _("运行监控指标")
        verbose_name_plural = _("运行监控指标")
        constraints = [
            models.UniqueConstraint(fields=["entry", "indicator"], name="monitoring_row_one_per_indicator"),
        ]

    def __str__(self) -> str:
        return f"{self.entry} {self.indicator}"
