"""Where things are in the standard-table workbook: sheets, columns, row keys, words for choices.

Shared by `reports.xlsx.writer` and `reports.xlsx.reader` (see `reports.xlsx.table`).
"""

LAYOUT = "perfeval-xlsx/1"
SHEET = "自评表"
NARRATIVE_SHEET = "自评报告"
META_SHEET = "perfeval"

# Columns A–L: the printed table. M: row keys (hidden). N–T: details for import.
WIDTHS = [10, 12, 16, 12, 11, 11, 12, 9, 9, 12, 12, 16]
LAST = len(WIDTHS)  # L
KEY = LAST + 1  # M
DETAIL = KEY + 1  # N
DETAIL_WIDTHS = [10, 8, 12, 14, 26, 8, 10]
MONEY_FORMAT = "#,##0.00"
RATE_FORMAT = "0.00%"

BUDGET_ROWS = (
    ("total", "部门预算总额"),
    ("fiscal", "1.资金来源：（1）财政性资金"),
    ("other", "（2）其他资金"),
    ("basic", "2.资金结构：（1）基本支出"),
    ("project", "（2）项目支出"),
)
KIND_WORDS = {"quantitative": "定量", "qualitative": "定性"}
SIGN_WORDS = {">=": "≥", "<=": "≤", "=": "="}
TIER_WORDS = {
    "met": "达成年度指标",
    "partial": "部分达成年度指标并具有一定效果",
    "unmet": "未达成年度指标且效果较差",
}
KIND_READ = {**{v: k for k, v in KIND_WORDS.items()}, **{k: k for k in KIND_WORDS}}
SIGN_READ = {"≥": ">=", ">=": ">=", "≤": "<=", "<=": "<=", "=": "=", "＝": "="}
TIER_READ = {
    **{v: k for k, v in TIER_WORDS.items()},
    **{k: k for k in TIER_WORDS},
    "达成": "met",
    "部分达成": "partial",
    "未达成": "unmet",
}
YES = {"是", "适用", "y", "yes", "true", "1"}
NO = {"否", "不适用", "n", "no", "false", "0"}
NARRATIVE_ROWS = (
    ("preamble", "报告引言"),
    ("narrative.1", "一、部门单位基本情况"),
    ("narrative.2", "二、绩效自评工作开展情况"),
    ("narrative.3", "三、综合评价结论"),
    ("narrative.4", "四、绩效目标实现情况分析"),
    ("narrative.5", "五、发现的主要问题和改进措施"),
    ("narrative.6", "六、绩效自评结果拟应用和公开情况"),
    ("narrative.7", "七、绩效自评工作的经验、问题和建议"),
    ("narrative.8", "八、其他需要说明的问题"),
    ("weight_note", "指标权重调整说明"),
)

# Which cell of a keyed row holds what: (column, document field).
TASK_CELLS = {
    1: "name",
    3: "content",
    5: "budget",
    6: "budget_fiscal",
    7: "completion",
    10: "executed",
    11: "executed_fiscal",
    DETAIL: "rate_text",
}
TASK_MONEY = ("budget", "budget_fiscal", "executed", "executed_fiscal")
INDICATOR_CELLS = {
    1: "level1",
    2: "level2",
    3: "level3",
    5: "target_text",
    6: "unit",
    7: "actual_text",
    8: "weight",
    9: "self_score",
    10: "reason",
    DETAIL: "kind",
    DETAIL + 1: "sign",
    DETAIL + 2: "target",
    DETAIL + 3: "actual",
    DETAIL + 4: "tier",
    DETAIL + 5: "applicable",
    DETAIL + 6: "custom",
}
INDICATOR_NUMBERS = ("target", "actual", "weight", "self_score")
# Columns A–D hold the level names and 三级指标: each level some row has takes one column from A, in
# order, and 三级指标 spans the rest to D. The reader finds them by the indicator header's words.
LEVEL_SPAN = 4
LEVEL_HEADS = {"一级指标": "level1", "二级指标": "level2", "三级指标": "level3", "指标": "level3", "指标名称": "level3"}
# Written in 一级指标 over rows under no level-1 label: a blank there continues the name above.
NO_LEVEL1 = "（无一级指标）"
LABELS = {
    "name": "任务名称",
    "content": "主要内容",
    "budget": "预算资金",
    "budget_fiscal": "其中:财政资金",
    "completion": "任务完成情况",
    "executed": "预算执行数",
    "executed_fiscal": "其中:财政资金（执行）",
    "rate_text": "原表执行率",
    "initial": "年初预算数",
    "annual": "全年预算数",
    "level1": "一级指标",
    "level2": "二级指标",
    "level3": "三级指标",
    "target_text": "指标值",
    "unit": "度量单位",
    "actual_text": "实际完成值",
    "weight": "分值",
    "self_score": "得分",
    "reason": "未完成原因分析",
    "kind": "性质",
    "sign": "符号",
    "target": "指标值（数）",
    "actual": "实际完成值（数）",
    "tier": "完成档次",
    "applicable": "适用",
    "custom": "部门自增",
}

REQUIRED_KEYS = (
    "header.name",
    "header.contact",
    "header.goal",
    "tasks.head",
    "budget.head",
    *(f"budget.{key}" for key, _label in BUDGET_ROWS),
    "indicators.head",
)
KNOWN_KEYS = {
    "title",
    "header.goal_head",
    "tasks.title",
    "task",
    "indicator",
    "notes",
    *REQUIRED_KEYS,
}
REPEATING = {"tasks.head": "task", "task": "task", "indicators.head": "indicator", "indicator": "indicator"}
