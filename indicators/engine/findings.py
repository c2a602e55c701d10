"""Finding codes of the scoring engine: stable dotted names, a default severity each.

Codes are part of the interface (the admin, exports and tests match on them), so
they are never renamed; new ones are added here with a one-line description.
"""

from __future__ import annotations

from indicators.engine.types import Finding, build

ERROR = "error"
WARNING = "warning"
INFO = "info"

# code -> (default severity, one-line description in Chinese)
CATALOGUE: dict[str, tuple[str, str]] = {}


def _code(code: str, severity: str, description: str) -> str:
    CATALOGUE[code] = (severity, description)
    return code


# The engine itself
ENGINE_INTERNAL = _code("engine.internal", ERROR, "评分程序内部错误，该部分未能计算")
VALUE_INVALID = _code("value.invalid", ERROR, "数值无法使用（非数字、无穷大或数量级不合理），按空白处理")
RULES_INVALID = _code("rules.invalid", WARNING, "评分规则设置无效，已按默认规则计算")

# 预算执行率 (level 1) and the budget table
BUDGET_BLANK = _code("budget.blank", ERROR, "预算总额或执行数空白，预算执行率无法计分")
BUDGET_ZERO = _code("budget.zero_denominator", ERROR, "预算数为 0，执行率无法计算")
BUDGET_SUM = _code("budget.sum_mismatch", WARNING, "预算表各项合计与总额不一致")
BUDGET_OVER = _code("budget.over_executed", WARNING, "执行数超过预算数（超预算执行）")
RATE_PRINTED = _code("rate.printed_differs", WARNING, "表中填写的执行率与按金额计算的执行率不一致")
AMOUNT_NEGATIVE = _code("amount.negative", ERROR, "金额为负数")
AMOUNT_UNIT = _code("amount.unit_suspicious", WARNING, "金额数量级与“万元”不符，疑似以元填写")
TOTAL_RESCALED = _code("total.rescaled", INFO, "不适用指标不计分，总分按百分制折算")
TOTAL_RESCALE_EMPTY = _code("total.rescale_empty", ERROR, "所有指标均不适用，无法按百分制折算")
TOTAL_CAPPED = _code("total.capped", INFO, "预算执行率低于规定档位，总分按上限封顶")

# Indicator rows
WEIGHT_MISSING = _code("weight.missing", ERROR, "指标分值空白，无法计分")
WEIGHT_INVALID = _code("weight.invalid", ERROR, "指标分值为负数")
KIND_UNKNOWN = _code("kind.unknown", WARNING, "指标类型（定量/定性）无法识别")
SIGN_UNKNOWN = _code("sign.unknown", WARNING, "定量指标的指标性质（≥、≤、=）无法识别，按 ≥ 计分")
TARGET_MISSING = _code("target.missing", ERROR, "定量指标缺少可计算的指标值")
TARGET_AMBIGUOUS = _code("target.ambiguous", WARNING, "指标值写作“=”，应明确是等于还是不低于")
TARGET_TEXT_DIFFERS = _code("target.text_differs", WARNING, "指标值文字与指标性质或数值不一致")
UNIT_SUSPICIOUS = _code("unit.suspicious", WARNING, "度量单位栏填写了符号或数字，疑似填错栏目")
ACTUAL_MISSING = _code("actual.missing", ERROR, "定量指标实际完成值空白，暂按自评得分计")
ACTUAL_NOT_MEASURED = _code("actual.not_measured", ERROR, "实际完成值不是测量值，无法核实，暂按自评得分计")
ACTUAL_OPERATOR = _code("actual.operator", WARNING, "实际完成值带有比较符号，应填写实际测得的数值")
OVERACHIEVED = _code("overachieved", WARNING, "完成值远超指标值（超额完成），指标值设置可能偏低")
OVERACHIEVED_UNEXPLAINED = _code("overachieved.unexplained", ERROR, "超额完成未说明原因")
TIER_UNKNOWN = _code("tier.unknown", WARNING, "定性指标的完成档次无法识别")
TIER_INFERRED = _code("tier.inferred", WARNING, "定性指标未选择完成档次，已按自评得分推定")
TIER_OUT_OF_RANGE = _code("tier.out_of_range", ERROR, "自评得分不在所选档次的分值区间内")
SCORE_MISSING = _code("score.missing", ERROR, "自评得分空白")
SCORE_OVER_WEIGHT = _code("score.over_weight", ERROR, "自评得分超过指标分值")
SCORE_NEGATIVE = _code("score.negative", ERROR, "自评得分为负数")
SCORE_DIFFERS = _code("score.differs", WARNING, "自评得分与按规则计算的得分不一致")
REASON_MISSING = _code("reason.missing", ERROR, "得分低于分值，但未填写未完成原因分析")
REASON_FIGURE_CONTRADICTS = _code(
    "reason.figure_contradicts", WARNING, "原因分析中写的未执行比例与表中执行率不符（如“剩余3%尾款”）"
)
SCORE_NO_EVIDENCE = _code("score.no_evidence", WARNING, "自评满分，但指标值和实际完成值均空白，得分无据可查")

# Template (weights and structure)
TEMPLATE_WEIGHTS = _code("template.weights", ERROR, "指标分值合计与上级指标分值或总分 100 不一致")
TEMPLATE_EXECUTION_WEIGHT = _code("template.execution_weight", ERROR, "预算执行率分值与规定的固定分值不一致")
TEMPLATE_WEIGHT_MOVED = _code("template.weight_moved", INFO, "一级指标未设置或分值调整，其分值移至其他指标")
TEMPLATE_DUPLICATE_MEASURE = _code(
    "template.duplicate_measure", WARNING, "同一指标重复计分（三级指标与一级指标预算执行率重复）"
)
TEMPLATE_DUPLICATE_EXECUTION_AMOUNTS = _code(
    "template.duplicate_execution_amounts",
    WARNING,
    "三级指标的指标值和完成值即预算总额的全年预算数和执行数，与一级指标预算执行率重复计分",
)
TEMPLATE_DUPLICATE_NAME = _code("template.duplicate_name", WARNING, "三级指标名称重复")
TEMPLATE_UNKNOWN_LEVEL1 = _code("template.unknown_level1", WARNING, "三级指标所属一级指标不在模板中")

# Totals and grades
TOTAL_DIFFERS = _code("total.differs", WARNING, "按规则计算的总分与自评总分不一致")
GRADE_DIFFERS = _code("grade.differs", WARNING, "按规则计算的等级与自评等级不一致")
SELF_TOTAL_MISMATCH = _code("self_total.mismatch", WARNING, "报告填写的自评总分与各项自评得分合计不一致")
SELF_GRADE_MISMATCH = _code("self_grade.mismatch", WARNING, "报告填写的自评等级与按规则应得的等级不一致")


def finding(code: str, where: str, message: str, severity: str | None = None) -> Finding:
    """A Finding with the code's default severity unless one is given."""
    if severity is None:
        severity = CATALOGUE[code][0]
    return build(Finding, code=code, severity=severity, where=where, message=message)


def describe(code: str) -> str:
    """The one-line description of a code ("" for codes of other modules)."""
    entry = CATALOGUE.get(code)
    return entry[1] if entry else ""
