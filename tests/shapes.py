"""Templates and reports of the other shapes (issue 14), built here, not read from fixtures.

- flat: 预算执行率 10 beside a flat list of level-3 rows worth 90 (no level 1, no level 2);
- two-level: 财预〔2020〕10号's 产出 50 / 效益 30 / 满意度 10 with level-3 rows directly under them.
"""

from __future__ import annotations

import datetime
from decimal import Decimal as D

from departments.models import Department
from indicators.models import RuleSet, Template, TemplateIndicator, TemplateLevel1

# (level3, kind, sign, target, target_text, unit, weight)
FLAT_ROWS = [
    ("服务社区数量", "quantitative", ">=", D("40"), "≥40个", "个", D("30")),
    ("培训人次", "quantitative", ">=", D("200"), "≥200人次", "人次", D("20")),
    ("投诉率", "quantitative", "<=", D("5"), "≤5%", "%", D("10")),
    ("服务对象满意度", "quantitative", ">=", D("90"), "≥90%", "%", D("20")),
    ("制度建设", "qualitative", "", None, "健全", "", D("10")),
]

# level1 -> rows (as above)
TWO_LEVEL = {
    "产出": [
        ("办结事项数", "quantitative", ">=", D("100"), "≥100件", "件", D("30")),
        ("按时办结率", "quantitative", ">=", D("95"), "≥95%", "%", D("20")),
    ],
    "效益": [
        ("群众办事时间缩短", "qualitative", "", None, "明显缩短", "", D("30")),
    ],
    "满意度": [
        ("办事群众满意度", "quantitative", ">=", D("90"), "≥90%", "%", D("10")),
    ],
}
TWO_LEVEL_WEIGHTS = {"产出": D("50"), "效益": D("30"), "满意度": D("10")}


def _row(template, level1, order, spec, level2="") -> TemplateIndicator:
    level3, kind, sign, target, target_text, unit, weight = spec
    return TemplateIndicator.objects.create(
        template=template,
        level1=level1,
        level2=level2,
        order=order,
        level3=level3,
        kind=kind,
        sign=sign,
        target=target,
        target_text=target_text,
        unit=unit,
        weight=weight,
    )


def flat_template(name: str = "平铺模板", year: int = 2022) -> Template:
    template = Template.objects.create(name=name, year=year, execution_weight=D("10"))
    for i, spec in enumerate(FLAT_ROWS, start=1):
        _row(template, None, i, spec)
    return template


def two_level_template(name: str = "两级模板", year: int = 2022) -> Template:
    template = Template.objects.create(name=name, year=year, execution_weight=D("10"))
    order = 0
    for i, (l1, rows) in enumerate(TWO_LEVEL.items(), start=1):
        node = TemplateLevel1.objects.create(template=template, order=i, name=l1, weight=TWO_LEVEL_WEIGHTS[l1])
        for spec in rows:
            order += 1
            _row(template, node, order, spec)
    return template


def open_round(template: Template, department: Department, name: str | None = None):
    from reports.models import Round

    rule_set = RuleSet.objects.order_by("pk").first() or RuleSet.objects.create(name="默认规则")
    round_ = Round.objects.create(
        name=name or f"{template.name}评价",
        year=template.year,
        template=template,
        rule_set=rule_set,
        deadline=datetime.date(template.year + 1, 3, 31),
    )
    round_.departments.add(department)
    return round_


def start_report(template: Template, department: Department, accountant):
    from reports.services.editing import report_start

    return report_start(round_=open_round(template, department), department=department, actor=accountant)
