"""A closed prior-year round for the demo, so that year over year has something to show.

The 2020 round uses a copy of the 2021 template (same indicators, year 2020) and its own
rule set with the same rules. Each of the nine demo departments gets a published 2020
report: its 2021 document with year 2020 and slightly different figures, imported through
`report_import` (so it is scored by the engine like any other report) and walked to
"published" with the events a real history would have.

Call `load_history()` after `reports.demo.build.load_demo()`; it is idempotent.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from departments.models import Department
from reports.demo.build import TEMPLATE_NAME, VARIANTS, Variant, _advance, seed_document, variant_document
from reports.interchange.store import report_import, round_create_from_document
from reports.models import Report, Round

HISTORY_YEAR = 2020
HISTORY_ROUND_NAME = "2020年度部门整体绩效自评"
HISTORY_RULES_NAME = "上街区评分规则（2020）"
SOURCE = "演示数据（上一年度）"

D = Decimal

# How each department's 2020 differed from its 2021: budget scale, execution rate, the
# counted output (服务社区数量, target 41) and satisfaction. Some did better the year
# before, some worse, so the year-over-year column moves both ways.
CHANGES: dict[str, dict] = {
    "101001": {"scale": D("0.92"), "execution": D("0.96"), "served": D("38")},
    "201001": {"scale": D("8.1"), "execution": D("0.95"), "served": D("40")},
    "202001": {"scale": D("5.0"), "execution": D("0.97"), "served": D("39"), "tiers": {}},
    "203001": {
        "scale": D("2.3"),
        "execution": D("0.93"),
        "served": D("33"),
        "satisfaction": D("80"),
        "tiers": {"内控制度有效性": "partial", "支出管理规范性": "partial"},
    },
    "204001": {"scale": D("11.8"), "execution": D("0.90"), "served": D("36")},
    "205001": {
        "scale": D("2.9"),
        "execution": D("0.68"),
        "served": D("21"),
        "satisfaction": D("62"),
        "tiers": {
            "目标管理有效性": "unmet",
            "支出管理规范性": "partial",
            "资产管理规范性": "partial",
            "预算编制完整性": "partial",
            "城乡社区发展治理体系和治理能力现代化水平": "partial",
        },
    },
    "206001": {"scale": D("1.6"), "execution": D("0.99"), "served": D("41")},
    "207001": {"scale": D("2.7"), "execution": D("0.98"), "served": D("41")},
    "208001": {
        "scale": D("0.85"),
        "execution": D("0.64"),
        "served": D("18"),
        "satisfaction": D("58"),
        "tiers": {
            "工作任务科学性": "partial",
            "目标管理有效性": "unmet",
            "内控制度有效性": "partial",
            "支出管理规范性": "unmet",
            "城乡社区发展治理体系和治理能力现代化水平": "unmet",
        },
    },
}


def history_variants(seed: dict) -> list[Variant]:
    """The seed department and the eight others as they were in the prior year."""
    dept = seed["department"]
    seed_variant = Variant(dept["code"], dept["name"], dept["short_name"], "published", D("1"), D("1"))
    return [dataclasses.replace(v, state=Report.State.PUBLISHED, **CHANGES[v.code]) for v in (seed_variant, *VARIANTS)]


def history_seed(seed: dict, year: int = HISTORY_YEAR) -> dict:
    doc = copy.deepcopy(seed)
    doc["year"] = year
    doc["round"] = HISTORY_ROUND_NAME
    return doc


@transaction.atomic
def load_history() -> Round:
    """Create (once) the closed 2020 round and the nine departments' published 2020 reports."""
    seed = history_seed(seed_document())
    round_ = round_create_from_document(
        document=seed,
        name=HISTORY_ROUND_NAME,
        deadline=datetime.date(HISTORY_YEAR + 1, 3, 31),
        template_name=TEMPLATE_NAME,
        rules_name=HISTORY_RULES_NAME,
    )
    if round_.is_open:
        round_.is_open = False
        round_.save(update_fields=["is_open"])
    variants = history_variants(seed)
    departments = []
    for v in variants:
        dept, _created = Department.objects.get_or_create(
            code=v.code, defaults={"name": v.name, "short_name": v.short_name}
        )
        departments.append(dept)
    round_.departments.add(*departments)

    reviewer = get_user_model().objects.filter(username="reviewer").first()
    existing = set(Report.objects.filter(round=round_).values_list("department__code", flat=True))
    start = timezone.make_aware(datetime.datetime(HISTORY_YEAR + 1, 2, 22, 9, 0))
    for v in variants:
        if v.code in existing:
            continue
        report = report_import(document=variant_document(seed, v), actor=None, source=SOURCE)
        _advance(report, v.state, reviewer, start)
    return round_
