"""Named rule sets and level-1 skeletons from domain.md §4, offered on the admin's add forms.

A preset is data: choosing one fills a new RuleSet's fields or creates a new Template's
level-1 nodes; nothing refers back to the preset afterwards (edit the copy freely).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from indicators.models import TemplateLevel1

D = Decimal


@dataclass(frozen=True)
class RulePreset:
    label: str
    values: dict  # RuleSet model field -> value
    notes: str = ""


@dataclass(frozen=True)
class TemplatePreset:
    label: str
    execution_weight: Decimal
    # (name, weight): the weight is also stored as the standard weight, so a later change is a stated move.
    level1: tuple[tuple[str, Decimal], ...] = field(default=())


_SEED_NOTES = (
    "满分 100 分。一级指标分值：预算执行率 10 分（固定）、投入管理指标 30 分、可持续性指标 10 分、"
    "产出指标 30 分、效益指标 20 分；除预算执行率外可适当调整，总分应为 100 分。"
    "定量指标完成指标值的得满分，未完成的按完成值与指标值之比计分；反向指标按超出比例扣分。"
    "定性指标分三档：达成 80%–100%，部分达成 60%–80%，未达成 0–60%。"
    "等级：90 分及以上为优，80–90 分为良，60–80 分为中，60 分以下为差。"
)
_NATIONAL_NOTES = (
    "参照财预〔2020〕10号：预算执行率 10 分，产出指标 50 分，效益指标 30 分，满意度指标 10 分。"
    "定量指标得分由系统按完成值与指标值计算。"
)
_PROVINCE_NOTES = (
    "预算执行率低于 80% 的总分不超过 89 分，低于 70% 的不超过 79 分，低于 60% 的不超过 69 分，"
    "低于 50% 的不超过 59 分。实际完成值超出指标值 30% 及以上的须说明偏差原因，并扣 2 分。"
    "不适用的指标不计分，其余按百分制折算。"
)

# Defaults of the model (the seed's) are repeated so that a preset states every rule.
_BASE = {
    "fixed_execution_weight": D("10"),
    "execution_denominator": "annual",
    "execution_cap": True,
    "execution_method": "proportional",
    "execution_step_per": None,
    "execution_step_deduct": None,
    "total_caps_by_execution": [],
    "reverse_formula": "linear",
    "overachievement_ratio": None,
    "overachievement_deduction": D("0"),
    "tier_met": D("80"),
    "tier_partial": D("60"),
    "grade_excellent": D("90"),
    "grade_good": D("80"),
    "grade_pass": D("60"),
    "quantitative_scores": "self-checked",
    "tolerance": D("0.01"),
    "not_applicable": "move",
    "monitoring_yellow_margin": D("10"),
    "monitoring_red_margin": D("25"),
}

RULE_PRESETS: dict[str, RulePreset] = {
    "seed": RulePreset(_("区财政局部门整体绩效自评（种子报告的规则）"), dict(_BASE), _SEED_NOTES),
    "national": RulePreset(
        _("财预〔2020〕10号（系统计算定量得分）"), {**_BASE, "quantitative_scores": "computed"}, _NATIONAL_NOTES
    ),
    "province": RulePreset(
        _("省级规则（执行率分档限制总分、偏差扣分、按百分制折算）"),
        {
            **_BASE,
            "total_caps_by_execution": [["80", "89"], ["70", "79"], ["60", "69"], ["50", "59"]],
            "overachievement_ratio": D("1.3"),
            "overachievement_deduction": D("2"),
            "not_applicable": "rescale",
        },
        _PROVINCE_NOTES,
    ),
}

TEMPLATE_PRESETS: dict[str, TemplatePreset] = {
    "seed": TemplatePreset(
        _("区财政局：预算执行率 10、投入管理 30、可持续性 10、产出 30、效益 20"),
        D("10"),
        (("投入管理指标", D("30")), ("可持续性指标", D("10")), ("产出指标", D("30")), ("效益指标", D("20"))),
    ),
    "national": TemplatePreset(
        _("财预〔2020〕10号：预算执行率 10、产出 50、效益 30、满意度 10"),
        D("10"),
        (("产出指标", D("50")), ("效益指标", D("30")), ("满意度指标", D("10"))),
    ),
}


def rule_choices() -> list[tuple[str, str]]:
    return [("", _("（不使用预设）"))] + [(k, p.label) for k, p in RULE_PRESETS.items()]


def template_choices() -> list[tuple[str, str]]:
    return [("", _("（不使用预设）"))] + [(k, p.label) for k, p in TEMPLATE_PRESETS.items()]


def apply_rule_preset(rule_set, key: str) -> None:
    """Set a (new) RuleSet's rule fields from a preset; name and version stay, notes only if blank."""
    preset = RULE_PRESETS[key]
    for name, value in preset.values.items():
        setattr(rule_set, name, list(value) if isinstance(value, list) else value)
    if not (rule_set.notes or "").strip():
        rule_set.notes = preset.notes


def create_template_level1(template, key: str) -> list:
    """Create a saved template's level-1 nodes from a preset, skipping names it already has.

    The preset's execution weight is the caller's to set (the admin sets it before saving).
    """
    have = set(template.level1_nodes.values_list("name", flat=True))
    start = template.level1_nodes.count()
    return [
        TemplateLevel1.objects.create(
            template=template, order=start + i, name=name, weight=weight, standard_weight=weight, applicable=True
        )
        for i, (name, weight) in enumerate(preset_level1(key), start=1)
        if name not in have
    ]


def preset_level1(key: str) -> tuple[tuple[str, Decimal], ...]:
    return TEMPLATE_PRESETS[key].level1
