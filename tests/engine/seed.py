"""The seed report (domain.md, seed/seed_case.json) as a ReportInput.

All 24 indicator rows, 3 tasks and 5 budget rows, typed the way a careful importer
would: numbers where the report printed a measurement, the text as printed beside.
"""

from __future__ import annotations

from decimal import Decimal as D

from indicators.engine.types import (
    Budget,
    BudgetRow,
    IndicatorRow,
    Level1Node,
    ReportInput,
    RuleSet,
    Task,
)

INPUT = "投入管理指标"
OUTPUT = "产出指标"
BENEFIT = "效益指标"

_QUALITATIVE = (
    # (level2, level3, target text, weight)
    ("工作目标管理", "工作任务科学性", "科学", "1"),
    ("工作目标管理", "绩效指标合理性", "合理", "1"),
    ("工作目标管理", "目标管理有效性", "有效", "2"),
    ("工作目标管理", "目标依据充分性", "充分", "2"),
    ("工作目标管理", "年度履职目标相关性", "相关", "2"),
    ("预算和财务管理", "财务管理制度的完备性", "完备", "2"),
    ("预算和财务管理", "管理制度健全性", "比较健全", "2"),
    ("预算和财务管理", "国库集中支付合规性", "合规", "2"),
    ("预算和财务管理", "决算真实性", "真实", "2"),
    ("预算和财务管理", "内控制度有效性", "有效", "2"),
    ("预算和财务管理", "收入管理规范性", "规范", "2"),
    ("预算和财务管理", "银行账户管理规范性", "规范", "2"),
    ("预算和财务管理", "预决算信息公开性", "按时公开", "2"),
    ("预算和财务管理", "预算编制完整性", "完整", "2"),
)


def _qual(level1: str, level2: str, level3: str, text: str, weight: str) -> IndicatorRow:
    return IndicatorRow(
        level1=level1,
        level2=level2,
        level3=level3,
        kind="qualitative",
        target_text=text,
        unit="定性指标",
        actual_text=text,
        tier="met",
        weight=D(weight),
        self_score=D(weight),
    )


def _performance(level3: str) -> IndicatorRow:
    # S6: 指标值 "=100%" and 度量单位 "≥95%".
    return IndicatorRow(
        level1=INPUT,
        level2="绩效管理",
        level3=level3,
        kind="quantitative",
        sign="=",
        target=D("100"),
        target_text="=100%",
        unit="≥95%",
        actual=D("100"),
        actual_text="=100%",
        weight=D("2"),
        self_score=D("2"),
    )


EXECUTION_REASON = "1财政资金紧张；2外出学习培训计划受洪灾、疫情影响未进行。3部分奖励激励资金未能在本年度调剂到镇办"


def indicator_rows() -> tuple[IndicatorRow, ...]:
    rows = [_qual(INPUT, l2, l3, text, w) for l2, l3, text, w in _QUALITATIVE]
    rows.append(
        IndicatorRow(
            level1=INPUT,
            level2="预算和财务管理",
            level3="预算执行率",
            kind="quantitative",
            sign=">=",
            target=D("95"),
            target_text="≥95%",
            unit="%",
            actual=D("94.5"),
            actual_text="=94.5%",
            weight=D("2"),
            self_score=D("1.89"),
            reason=EXECUTION_REASON,
        )
    )
    rows.append(_qual(INPUT, "预算和财务管理", "支出管理规范性", "规范", "2"))
    rows.append(_qual(INPUT, "预算和财务管理", "资产管理规范性", "规范", "2"))
    rows.append(_qual(INPUT, "预算和财务管理", "资金使用合规性", "合规", "2"))
    rows.extend(_performance(n) for n in ("部门绩效评价完成率", "绩效监控完成率", "绩效自评完成率"))
    rows.append(
        IndicatorRow(
            level1=OUTPUT,
            level2="履职目标和主要任务完成情况",
            level3="服务社区数量",
            kind="quantitative",
            sign=">=",
            target=D("41"),
            target_text="≥41个城市社区",
            unit="个",
            actual=D("41"),
            actual_text="41个",
            weight=D("30"),
            self_score=D("30"),
        )
    )
    rows.append(_qual(BENEFIT, "履职效益", "城乡社区发展治理体系和治理能力现代化水平", "全面提升", "10"))
    rows.append(
        IndicatorRow(
            level1=BENEFIT,
            level2="满意度",
            level3="服务对象满意度",
            kind="quantitative",
            sign=">=",
            target=D("80"),
            target_text="≥80%",
            unit="%",
            actual=None,  # S11: printed "≥80%", not a measurement
            actual_text="≥80%",
            weight=D("10"),
            self_score=D("10"),
        )
    )
    return tuple(rows)


BUDGET = Budget(
    unit="万元",
    execution_weight=D("10"),
    rows=(
        BudgetRow("total", D("477.48"), D("477.48"), D("451.06"), "94.50%"),
        BudgetRow("fiscal", D("477.48"), D("477.48"), D("451.06"), "94.50%"),
        BudgetRow("other", None, None, None, ""),
        BudgetRow("basic", D("134.48"), D("134.48"), D("135.35"), "100.66%"),
        BudgetRow("project", D("343"), D("343"), D("315.71"), "92.04%"),
    ),
    self_score=D("9.45"),
)

TASKS = (
    Task(
        name="机关运行",
        content="保障人员经费、机构的正常运转和机关单位各项工作的顺利开展",
        budget=D("134.48"),
        budget_fiscal=D("134.48"),
        executed=D("135.35"),
        executed_fiscal=D("135.35"),
        completion="完成了工资正常发放、保障了机关正常运转",
        rate_text="100%",
    ),
    Task(
        name="城乡社区服务群众专项工作",
        content="服务居民群众，提升社区居民素质，开展社区活动及社区志愿服务",
        budget=D("340.00"),
        budget_fiscal=D("340.00"),
        executed=D("313.91"),
        executed_fiscal=D("313.91"),
        completion="2021年73个无主管楼院完成基础整治；三个广场建设建成2处",
        rate_text="92.33%",
    ),
    Task(
        name="社区发展治理工作",
        content="用于督导检查，教育培训，组织开展全区性的社区宣传教育等",
        budget=D("3.00"),
        budget_fiscal=D("3.00"),
        executed=D("1.80"),
        executed_fiscal=D("1.80"),
        completion="制作上街区城乡社区发展治理亮点工作宣传册100册",
        rate_text="59.93%",
    ),
)

LEVEL1 = (
    Level1Node(INPUT, D("40"), standard_weight=D("30")),
    Level1Node("可持续性指标", None, standard_weight=D("10"), applicable=False),
    Level1Node(OUTPUT, D("30"), standard_weight=D("30")),
    Level1Node(BENEFIT, D("20"), standard_weight=D("20")),
)

NARRATIVE = (
    (
        "1",
        "由于我单位不涉及可持续性指标，因此未设置，在部门整体绩效自评中按照工作要求对可持续性指标权重做了适当调整。",
    ),
    ("2", "我单位成立了绩效评价工作小组，依据区财政局文件规定的评价标准和评价方法打分，形成最终自评结论。"),
    ("3", "我单位部门整体绩效评价得分为 99.34 分，自评结果为优。"),
    (
        "4",
        "2021 年部门预算批复资金 4774760.72 万元，实际到位和支出金额为 4510555.8 万元，预算执行率为 94.5%。"
        "可持续性指标：因单位不涉及该项指标内容，因此年初未设置，其分值分配到投入管理指标中。",
    ),
    ("5", "部分项目资金支付进度滞后；内控制度需进一步完善。"),
    ("6", "部门整体绩效自评报告随部门决算同步公开，接受社会监督。"),
    ("7", ""),
    ("8", ""),
)


def seed_report(**changes) -> ReportInput:
    """The seed; keyword arguments replace fields (e.g. narrative=())."""
    fields = dict(
        rules=RuleSet(),
        budget=BUDGET,
        tasks=TASKS,
        indicators=indicator_rows(),
        level1=LEVEL1,
        weight_note="",
        goal="贯彻执行党中央、省委、市委、区委关于城乡社区发展治理的方针、政策",
        goal_completion="本年度我单位机构正常运转，人员经费得到保障",
        narrative=NARRATIVE,
        self_total=D("99.34"),
        self_grade="优",
    )
    fields.update(changes)
    return ReportInput(**fields)
