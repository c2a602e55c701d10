"""Finding codes of the narrative checks (severity as emitted) and their descriptions."""

# Codes (severity as emitted) and their one-line descriptions.
UNIT_YUAN = "narrative.unit_yuan"  # error
UNIT_WAN = "narrative.unit_wan"  # error
AMOUNT_UNKNOWN = "narrative.amount_unknown"  # warning
RATE_DIFFERS = "narrative.rate_differs"  # error
COUNT_DIFFERS = "narrative.count_differs"  # error
SCORE_DIFFERS = "narrative.score_differs"  # warning when it is the self score, else error
WEIGHT_DIFFERS = "narrative.weight_differs"  # error
GRADE_DIFFERS = "narrative.grade_differs"  # warning when it is the self grade, else error

CODES: dict[str, str] = {
    UNIT_YUAN: "报告中以“万元”写出的金额是表中金额的一万倍，疑为元误写为万元",
    UNIT_WAN: "报告中以“元”写出的金额是表中金额的万分之一，疑为万元误写为元",
    AMOUNT_UNKNOWN: "报告中的预算金额与表中任何金额都对不上",
    RATE_DIFFERS: "报告中的预算执行率与表中按金额计算的执行率不一致",
    COUNT_DIFFERS: "报告中的数量与表中同一事项的数量不一致",
    SCORE_DIFFERS: "报告中的得分与按规则计算的得分不一致",
    WEIGHT_DIFFERS: "报告中的指标分值与表中分值不一致",
    GRADE_DIFFERS: "报告中的自评等级与按规则得出的等级不一致",
}

_ERROR, _WARNING = "error", "warning"
