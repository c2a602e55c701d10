"""Scoring rule sets and indicator templates: configuration, versioned and frozen once used."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from indicators import engine
from indicators.engine import monitoring

WEIGHT = {"max_digits": 7, "decimal_places": 2}
MEASURE = {"max_digits": 24, "decimal_places": 6}
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


class Frozen(models.Model):
    """Configuration that a submitted report relies on: it may be copied, never changed."""

    locked = models.BooleanField(
        _("已锁定"), default=False, help_text=_("已有报告送审使用，不能再修改；如需调整请复制为新版本。")
    )

    round_field = ""  # Round's foreign key to this model

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk and not kwargs.pop("unlock_ok", False) and self.in_use():
            raise ValidationError(self.frozen_error())
        super().save(*args, **kwargs)

    def in_use(self) -> bool:
        """Locked, or used by a round with a report past draft/returned (the flag may be unset:
        a report can reach published without a submit, as the demo's do)."""
        if self.pk is None:
            return False
        if type(self).objects.filter(pk=self.pk, locked=True).exists():
            return True
        # reports.models imports this module (a round's template and rule set): a module-level import would be a cycle
        from reports.models import frozen_reports

        return frozen_reports(**{f"round__{self.round_field}_id": self.pk}).exists()

    def frozen_error(self) -> str:
        return _("“%(name)s”已被送审的报告使用，不能修改。") % {"name": self}


class RuleSet(Frozen):
    round_field = "rule_set"

    class Denominator(models.TextChoices):
        ANNUAL = "annual", _("全年预算数")
        INITIAL = "initial", _("年初预算数")

    class ExecutionMethod(models.TextChoices):
        PROPORTIONAL = "proportional", _("按执行率比例计分")
        STEP = "step", _("按差距分档扣分")

    class ReverseFormula(models.TextChoices):
        LINEAR = "linear", _("线性：(1 − (B − A)/A) × 分值")
        RATIO = "ratio", _("比值：A/B × 分值")

    class NotApplicable(models.TextChoices):
        MOVE = "move", _("分值移至其他指标（模板调整分值）")
        RESCALE = "rescale", _("不计分，其余按百分制折算")

    class QuantitativeScores(models.TextChoices):
        COMPUTED = "computed", _("系统计算并锁定")
        SELF_CHECKED = "self-checked", _("部门填写，系统核对")

    name = models.CharField(_("名称"), max_length=100)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    execution_denominator = models.CharField(
        _("执行率分母"), max_length=16, choices=Denominator.choices, default=Denominator.ANNUAL
    )
    execution_cap = models.BooleanField(_("执行率超过100%按100%计"), default=True)
    fixed_execution_weight = models.DecimalField(
        _("预算执行率固定分值"),
        null=True,
        blank=True,
        default=Decimal("10"),
        validators=NON_NEGATIVE,
        help_text=_("模板中一级指标“预算执行率”的分值须为该值；空白：不固定（如不单列预算执行率的指标体系）。"),
        **WEIGHT,
    )
    execution_method = models.CharField(
        _("执行率计分方法"),
        max_length=16,
        choices=ExecutionMethod.choices,
        default=ExecutionMethod.PROPORTIONAL,
    )
    execution_step_per = models.DecimalField(
        _("每差（百分点）"), null=True, blank=True, validators=NON_NEGATIVE, **WEIGHT
    )
    execution_step_deduct = models.DecimalField(_("扣分"), null=True, blank=True, validators=NON_NEGATIVE, **WEIGHT)
    total_caps_by_execution = models.JSONField(
        _("按执行率限制总分"),
        default=list,
        blank=True,
        help_text=_('例如 [["80", "89"], ["70", "79"]]：执行率低于80%时总分不超过89。'),
    )
    reverse_formula = models.CharField(
        _("反向指标公式"), max_length=16, choices=ReverseFormula.choices, default=ReverseFormula.LINEAR
    )
    overachievement_ratio = models.DecimalField(
        _("超额完成倍数"),
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text=_(
            "实际完成值达到指标值的该倍数及以上为偏差过大（超额完成），须说明原因；1.3 = 超出30%。"
            "只用于“≥”“=”指标，不用于“≤”指标。空白：不检查。"
        ),
        **WEIGHT,
    )
    overachievement_deduction = models.DecimalField(
        _("超额完成扣分"),
        default=Decimal("0"),
        validators=NON_NEGATIVE,
        help_text=_("达到上面倍数的指标扣减的分值（最低扣至 0 分），例如倍数 1.3 = 超出30% 时扣 2 分。"),
        **WEIGHT,
    )
    tier_met = models.DecimalField(_("定性“达成”下限（%）"), default=Decimal("80"), **WEIGHT)
    tier_partial = models.DecimalField(_("定性“部分达成”下限（%）"), default=Decimal("60"), **WEIGHT)
    grade_excellent = models.DecimalField(_("优 下限"), default=Decimal("90"), **WEIGHT)
    grade_good = models.DecimalField(_("良 下限"), default=Decimal("80"), **WEIGHT)
    grade_pass = models.DecimalField(_("中 下限"), default=Decimal("60"), **WEIGHT)
    quantitative_scores = models.CharField(
        _("定量指标得分"),
        max_length=16,
        choices=QuantitativeScores.choices,
        default=QuantitativeScores.SELF_CHECKED,
    )
    not_applicable = models.CharField(
        _("不适用指标"),
        max_length=16,
        choices=NotApplicable.choices,
        default=NotApplicable.MOVE,
        help_text=_("按百分制折算：总分 = 各项得分合计 × 100 ÷ 适用指标分值合计（含预算执行率），自评总分同样折算。"),
    )
    tolerance = models.DecimalField(_("核对容差"), default=Decimal("0.01"), validators=NON_NEGATIVE, **WEIGHT)
    # Mid-year monitoring lights (indicators.engine.monitoring), in percentage points of progress.
    monitoring_yellow_margin = models.DecimalField(
        _("运行监控黄灯差距（百分点）"),
        default=Decimal("10"),
        validators=NON_NEGATIVE,
        help_text=_("进度低于预期进度减去该差距为黄灯（“≤”指标：高于预期进度加该差距）。"),
        **WEIGHT,
    )
    monitoring_red_margin = models.DecimalField(
        _("运行监控红灯差距（百分点）"),
        default=Decimal("25"),
        validators=NON_NEGATIVE,
        help_text=_("进度低于预期进度减去该差距为红灯（“≤”指标：高于预期进度加该差距，或超过指标值）。"),
        **WEIGHT,
    )
    notes = models.TextField(_("表注（评分规则说明）"), blank=True)

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("评分规则")
        verbose_name_plural = _("评分规则")
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="ruleset_name_version_unique"),
            models.CheckConstraint(
                condition=Q(tier_partial__lte=models.F("tier_met")) & Q(tier_partial__gte=0),
                name="ruleset_tiers_ordered",
            ),
            models.CheckConstraint(
                condition=Q(grade_pass__lte=models.F("grade_good")) & Q(grade_good__lte=models.F("grade_excellent")),
                name="ruleset_grades_ordered",
            ),
            models.CheckConstraint(
                condition=Q(monitoring_yellow_margin__gte=0)
                & Q(monitoring_red_margin__gte=models.F("monitoring_yellow_margin")),
                name="ruleset_monitoring_margins_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def clean(self):
        errors = {}
        if self.execution_method == self.ExecutionMethod.STEP and not (
            self.execution_step_per and self.execution_step_deduct is not None
        ):
            errors["execution_step_per"] = _("分档扣分需要填写“每差（百分点）”和“扣分”。")
        try:
            self.engine_caps()
        except (TypeError, ValueError, ArithmeticError):
            errors["total_caps_by_execution"] = _('格式应为 [["执行率下限", "最高总分"], …]，数字用引号。')
        if (
            self.monitoring_yellow_margin is not None
            and self.monitoring_red_margin is not None
            and self.monitoring_red_margin < self.monitoring_yellow_margin
        ):
            errors["monitoring_red_margin"] = _("红灯差距不能小于黄灯差距。")
        if errors:
            raise ValidationError(errors)

    def engine_caps(self) -> tuple[tuple[Decimal, Decimal], ...]:
        return tuple((Decimal(str(below)), Decimal(str(cap))) for below, cap in self.total_caps_by_execution or ())

    def to_monitoring(self) -> monitoring.MonitoringRules:
        return monitoring.MonitoringRules(
            yellow_margin=self.monitoring_yellow_margin, red_margin=self.monitoring_red_margin
        )

    def to_engine(self) -> engine.RuleSet:
        return engine.RuleSet(
            execution_denominator=self.execution_denominator,
            execution_cap=self.execution_cap,
            fixed_execution_weight=self.fixed_execution_weight,
            execution_method=self.execution_method,
            execution_step_per=self.execution_step_per,
            execution_step_deduct=self.execution_step_deduct,
            total_caps_by_execution=self.engine_caps(),
            reverse_formula=self.reverse_formula,
            overachievement_ratio=self.overachievement_ratio,
            overachievement_deduction=self.overachievement_deduction,
            qualitative_tiers=(self.tier_met, self.tier_partial),
            grade_bands=(self.grade_excellent, self.grade_good, self.grade_pass),
            quantitative_scores=self.quantitative_scores,
            tolerance=self.tolerance,
            not_applicable=self.not_applicable,
        )


class Template(Frozen):
    """An indicator tree for a year: declared level-1 weights and the level-3 rows."""

    round_field = "template"

    name = models.CharField(_("名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    execution_weight = models.DecimalField(
        _("预算执行率分值"), default=Decimal("10"), validators=NON_NEGATIVE, **WEIGHT
    )

    class Meta:
        ordering = ["-year", "name", "-version"]
        verbose_name = _("指标模板")
        verbose_name_plural = _("指标模板")
        constraints = [
            models.UniqueConstraint(fields=["name", "year", "version"], name="template_unique_version"),
            models.CheckConstraint(condition=Q(execution_weight__gte=0), name="template_execution_weight_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name} v{self.version}"


class TemplatePart(models.Model):
    """A row of a template: editable only while its template is."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.template_in_use():
            raise ValidationError(TEMPLATE_FROZEN)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.template_in_use():
            raise ValidationError(TEMPLATE_FROZEN)
        return super().delete(*args, **kwargs)

    def template_in_use(self) -> bool:
        return Template(pk=self.template_id).in_use() if self.template_id else False


TEMPLATE_FROZEN = _("模板已被送审的报告使用，不能修改。")


class TemplateLevel1(TemplatePart):
    template = models.ForeignKey(
        Template, verbose_name=_("模板"), on_delete=models.CASCADE, related_name="level1_nodes"
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    name = models.CharField(_("一级指标"), max_length=100)
    weight = models.DecimalField(_("分值"), null=True, blank=True, validators=NON_NEGATIVE, **WEIGHT)
    standard_weight = models.DecimalField(
        _("规定分值"),
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text=_("财政局文件规定的分值；与“分值”不同时，报告须说明调整。"),
        **WEIGHT,
    )
    applicable = models.BooleanField(_("适用"), default=True)

    class Meta:
        ordering = ["template", "order", "pk"]
        verbose_name = _("一级指标")
        verbose_name_plural = _("一级指标")
        constraints = [
            models.UniqueConstraint(fields=["template", "name"], name="template_level1_unique"),
            models.CheckConstraint(
                condition=Q(weight__isnull=True) | Q(weight__gte=0), name="template_level1_weight_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def to_engine(self) -> engine.Level1Node:
        return engine.Level1Node(
            name=self.name,
            weight=self.weight,
            standard_weight=self.standard_weight,
            applicable=self.applicable,
        )


class Kind(models.TextChoices):
    QUANTITATIVE = "quantitative", _("定量")
    QUALITATIVE = "qualitative", _("定性")


class Sign(models.TextChoices):
    GTE = ">=", "≥"
    LTE = "<=", "≤"
    EQ = "=", "="


class TemplateIndicator(TemplatePart):
    """A level-3 row of a template; level 2 is a name shared by its rows."""

    template = models.ForeignKey(Template, verbose_name=_("模板"), on_delete=models.CASCADE, related_name="indicators")
    # None: a row under no level-1 label (a flat list, or a group the table leaves unnamed).
    level1 = models.ForeignKey(
        TemplateLevel1,
        verbose_name=_("一级指标"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    level2 = models.CharField(_("二级指标"), max_length=100, blank=True)
    level3 = models.CharField(_("三级指标"), max_length=200)
    kind = models.CharField(_("性质"), max_length=16, choices=Kind.choices, default=Kind.QUALITATIVE)
    sign = models.CharField(_("符号"), max_length=2, choices=Sign.choices, blank=True)
    target = models.DecimalField(_("指标值（数）"), null=True, blank=True, **MEASURE)
    target_text = models.CharField(_("指标值"), max_length=200, blank=True)
    unit = models.CharField(_("度量单位"), max_length=50, blank=True)
    weight = models.DecimalField(_("分值"), null=True, blank=True, validators=NON_NEGATIVE, **WEIGHT)

    class Meta:
        ordering = ["template", "order", "pk"]
        verbose_name = _("三级指标")
        verbose_name_plural = _("三级指标")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["quantitative", "qualitative"]), name="template_indicator_kind_valid"
            ),
            models.CheckConstraint(condition=Q(sign__in=["", ">=", "<=", "="]), name="template_indicator_sign_valid"),
            models.CheckConstraint(
                condition=Q(weight__isnull=True) | Q(weight__gte=0), name="template_indicator_weight_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return " / ".join(name for name in (self.level1_name, self.level2, self.level3) if name)

    @property
    def level1_name(self) -> str:
        return self.level1.name if self.level1_id else ""
