"""Departments, the people who act for them, and their annual budgets."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# 万元 with six places keeps every 元 figure exact (1 元 = 0.0001 万元) so rates reproduce.
MONEY = {"max_digits": 20, "decimal_places": 6}
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


class Department(models.Model):
    code = models.CharField(_("预算编码"), max_length=32, unique=True)
    name = models.CharField(_("部门(单位)名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="units",
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="department_code_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.short_name or self.name}"

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class Role(models.Model):
    """What a person may do: one row per role (and department, where one applies).

    A reviewer without any department rows reviews every department; with rows,
    only those assigned.
    """

    class Kind(models.TextChoices):
        ACCOUNTANT = "accountant", _("部门填报人")
        REVIEWER = "reviewer", _("财政局审核人")
        ADMIN = "admin", _("财政局管理员")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="roles"
    )
    kind = models.CharField(_("角色"), max_length=16, choices=Kind.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="roles",
    )

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["accountant", "reviewer", "admin"]), name="role_kind_valid"),
            models.CheckConstraint(
                condition=~Q(kind="accountant") | Q(department__isnull=False),
                name="role_accountant_has_department",
            ),
            models.CheckConstraint(
                condition=~Q(kind="admin") | Q(department__isnull=True),
                name="role_admin_has_no_department",
            ),
            models.UniqueConstraint(fields=["user", "kind", "department"], name="role_unique_per_department"),
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=Q(department__isnull=True),
                name="role_unique_bureau_wide",
            ),
        ]

    def __str__(self) -> str:
        where = f" · {self.department.display_name}" if self.department_id else ""
        return f"{self.user} · {self.get_kind_display()}{where}"


class BudgetLine(models.Model):
    """One row of the 预算情况 block for a department and year, in 万元."""

    class Row(models.TextChoices):
        TOTAL = "total", _("部门预算总额")
        FISCAL = "fiscal", _("财政性资金")
        OTHER = "other", _("其他资金")
        BASIC = "basic", _("基本支出")
        PROJECT = "project", _("项目支出")

    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.CASCADE, related_name="budget_lines"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    row = models.CharField(_("项目"), max_length=16, choices=Row.choices)
    initial = models.DecimalField(_("年初预算数"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY)
    annual = models.DecimalField(_("全年预算数"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY)
    executed = models.DecimalField(_("预算执行数"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY)
    # The 执行率 as a published report printed it; we compute our own and only compare.
    rate_text = models.CharField(_("原表执行率"), max_length=32, blank=True)

    ROW_ORDER = [r.value for r in Row]

    class Meta:
        ordering = ["department", "year", "row"]
        verbose_name = _("预算情况")
        verbose_name_plural = _("预算情况")
        constraints = [
            models.UniqueConstraint(fields=["department", "year", "row"], name="budget_line_unique"),
            models.CheckConstraint(
                condition=Q(row__in=["total", "fiscal", "other", "basic", "project"]),
                name="budget_line_row_valid",
            ),
            models.CheckConstraint(
                condition=(Q(initial__isnull=True) | Q(initial__gte=0))
                & (Q(annual__isnull=True) | Q(annual__gte=0))
                & (Q(executed__isnull=True) | Q(executed__gte=0)),
                name="budget_line_amounts_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.year} {self.get_row_display()}"

    def save(self, *args, **kwargs):
        # The last line of defence; the admin and imports refuse earlier, at the field.
        error = self.frozen_error()
        if error:
            raise ValidationError(error)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        error = self.frozen_error()
        if error:
            raise ValidationError(error)
        return super().delete(*args, **kwargs)

    def frozen_error(self) -> str | None:
        """Why this line may not change: its department and year (old or new) has a frozen report."""
        keys = {(self.department_id, self.year)}
        if self.pk:
            keys |= set(BudgetLine.objects.filter(pk=self.pk).values_list("department_id", "year"))
        for department_id, year in keys:
            if department_id and year and budget_frozen(department_id=department_id, year=year):
                return budget_frozen_message(year)
        return None


def budget_frozen(*, department_id, year) -> bool:
    """A report of the department and year is past draft/returned: its budget is what it was scored on."""
    # reports.models imports this module (a report's department): a module-level import would be a cycle
    from reports.models import frozen_reports

    return frozen_reports(department_id=department_id, round__year=year).exists()


def budget_frozen_message(year) -> str:
    return _("该部门%(year)s年度已有报告送审或审核通过，预算情况不能再修改。") % {"year": year}
