"""Builds the demo: the seed report exactly as published, plus eight departments in every state.

The other departments are variations of the seed (same template and rules) whose
figures are chosen to land in every grade; their self-scores are the rules' own, so
their findings are the ones a careful accountant would still get.
"""

from __future__ import annotations

import copy
import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from departments.models import BudgetLine, Department, Role
from indicators import engine
from indicators.engine import parse_measure, round_half_up
from indicators.models import RuleSet, Template
from reports.interchange.document import money, num, to_engine_input, validate
from reports.interchange.store import report_import, report_to_document, round_create_from_document
from reports.models import (
    MonitoringEntry,
    MonitoringPoint,
    MonitoringRow,
    Report,
    ReportEvent,
    ReportIndicator,
    ReportRender,
    Round,
    TargetDeclaration,
    indicator_definition,
)
from reports.pdf.context import FINAL_STATES
from reports.pdf.services import report_archive_request
from reports.selectors import report_queryset

SEED_PATH = Path(__file__).with_name("seed_2021.json")
DEMO_PASSWORD = "perfeval-demo"
ROUND_NAME = "2021年度部门整体绩效自评"
TEMPLATE_NAME = "上街区部门整体绩效自评指标"
RULES_NAME = "上街区评分规则（2021）"


@dataclass(frozen=True)
class Variant:
    code: str
    name: str
    short_name: str
    state: str
    scale: Decimal  # budget size relative to the seed
    execution: Decimal  # executed / annual of the total
    served: Decimal = Decimal("41")  # actual of 服务社区数量 (target 41)
    satisfaction: Decimal = Decimal("92")
    tiers: dict[str, str] = field(default_factory=dict)  # level3 -> tier for qualitative rows


VARIANTS = (
    Variant("201001", "上街区教育局", "区教育局", "submitted", Decimal("8.6"), Decimal("0.985")),
    Variant(
        "202001",
        "上街区卫生健康委员会",
        "区卫健委",
        "submitted",
        Decimal("5.2"),
        Decimal("0.91"),
        served=Decimal("33"),
        tiers={
            "内控制度有效性": "partial",
            "收入管理规范性": "partial",
            "资产管理规范性": "partial",
            "城乡社区发展治理体系和治理能力现代化水平": "partial",
        },
    ),
    Variant(
        "203001",
        "上街区民政局",
        "区民政局",
        "returned",
        Decimal("2.4"),
        Decimal("0.88"),
        served=Decimal("25"),
        satisfaction=Decimal("60"),
        tiers={
            "绩效指标合理性": "partial",
            "预算编制完整性": "partial",
            "决算真实性": "partial",
            "内控制度有效性": "partial",
            "支出管理规范性": "partial",
            "城乡社区发展治理体系和治理能力现代化水平": "unmet",
        },
    ),
    Variant("204001", "上街区住房和城乡建设局", "区住建局", "approved", Decimal("12.5"), Decimal("0.97")),
    Variant(
        "205001",
        "上街区农业农村局",
        "区农业农村局",
        "approved",
        Decimal("3.1"),
        Decimal("0.79"),
        served=Decimal("28"),
        satisfaction=Decimal("70"),
        tiers={
            "目标管理有效性": "partial",
            "支出管理规范性": "partial",
            "资产管理规范性": "partial",
            "城乡社区发展治理体系和治理能力现代化水平": "partial",
        },
    ),
    Variant("206001", "上街区文化广电和旅游局", "区文广旅局", "published", Decimal("1.7"), Decimal("0.995")),
    Variant(
        "207001",
        "上街区市场监督管理局",
        "区市场监管局",
        "published",
        Decimal("2.9"),
        Decimal("0.93"),
        served=Decimal("39"),
    ),
    Variant(
        "208001",
        "上街区司法局",
        "区司法局",
        "draft",
        Decimal("0.9"),
        Decimal("0.55"),
        served=Decimal("12"),
        satisfaction=Decimal("50"),
        tiers={
            "工作任务科学性": "unmet",
            "目标管理有效性": "unmet",
            "目标依据充分性": "partial",
            "内控制度有效性": "unmet",
            "预算编制完整性": "partial",
            "支出管理规范性": "unmet",
            "城乡社区发展治理体系和治理能力现代化水平": "unmet",
        },
    ),
)

USERS = (
    # username, full name, role, department code
    ("admin", "局管理员 王静", Role.Kind.ADMIN, None),
    ("reviewer", "绩效科审核人 李明", Role.Kind.REVIEWER, None),
    ("accountant", "社治委填报人 张丽", Role.Kind.ACCOUNTANT, "101001"),
    ("accountant2", "教育局填报人 赵强", Role.Kind.ACCOUNTANT, "201001"),
)
TIER_SHARE = {"met": Decimal("1"), "partial": Decimal("0.7"), "unmet": Decimal("0.4")}
STATE_STEPS = {
    "draft": (),
    "submitted": ("submitted",),
    "returned": ("submitted", "returned"),
    "approved": ("submitted", "approved"),
    "published": ("submitted", "approved", "published"),
}


# The 2021 round's monitoring point as of 30 June (expected progress 50 %), with entries that
# light every colour under the seed rules (yellow below 40 %, red below 25 %).
MONITORING_AS_OF = datetime.date(2021, 6, 30)
MONITORING_EXPECTED = Decimal("50")


@dataclass(frozen=True)
class MonitoringDemo:
    code: str
    execution: Decimal  # share of the annual budget executed by 30 June
    actuals: dict[str, str]  # level3 -> actual to date as typed
    notes: dict[str, str] = field(default_factory=dict)
    risks: dict[str, str] = field(default_factory=dict)  # qualitative level3 -> the risk stated


_ON_TRACK = {"预算执行率": "46%", "部门绩效评价完成率": "50%", "绩效监控完成率": "60%", "绩效自评完成率": "100%"}
MONITORING_ENTRIES = (
    MonitoringDemo(
        "101001",
        Decimal("0.4293"),
        {
            "预算执行率": "42.93%",
            "部门绩效评价完成率": "20%",
            "绩效监控完成率": "35%",
            "绩效自评完成率": "100%",
            "服务社区数量": "18个",
        },
        notes={
            "部门绩效评价完成率": "重点项目评价安排在第三季度开展。",
            "绩效监控完成率": "二季度监控表正在汇总。",
        },
        risks={"管理制度健全性": "部分内控制度正在修订，年底前完成存在风险。"},
    ),
    MonitoringDemo("201001", Decimal("0.48"), {**_ON_TRACK, "服务社区数量": "22个", "服务对象满意度": "90%"}),
    MonitoringDemo(
        "202001",
        Decimal("0.33"),
        {**_ON_TRACK, "预算执行率": "33%", "服务社区数量": "14个"},
        notes={"服务社区数量": "上半年受疫情防控影响，入户服务推迟。"},
    ),
    MonitoringDemo(
        "208001",
        Decimal("0.18"),
        {"预算执行率": "18%", "部门绩效评价完成率": "10%", "服务社区数量": "3个"},
        notes={"预算执行率": "项目资金尚未拨付。"},
    ),
)


def seed_document() -> dict:
    return validate(json.loads(SEED_PATH.read_text(encoding="utf-8")))


def variant_document(seed: dict, v: Variant) -> dict:
    doc = copy.deepcopy(seed)
    doc["department"] = {"code": v.code, "name": v.name, "short_name": v.short_name}
    doc["header"]["contact"] = f"{v.short_name}财务科 0371-6892{v.code[:4]}"
    # Budgets scaled from the seed; execution spread over basic (fully spent) and projects.
    rows = {r["row"]: r for r in doc["budget"]["rows"]}
    for r in rows.values():
        r.pop("rate_text", None)
        for key in ("initial", "annual", "executed"):
            if r.get(key) is not None:
                r[key] = money(round_half_up(Decimal(r[key]) * v.scale))
    total = Decimal(rows["total"]["annual"])
    basic = Decimal(rows["basic"]["annual"])
    executed = round_half_up(total * v.execution)
    basic_exec = min(basic, executed)
    for key, value in (
        ("total", executed),
        ("fiscal", executed),
        ("basic", basic_exec),
        ("project", executed - basic_exec),
    ):
        rows[key]["executed"] = money(value)
    project_budget = Decimal(rows["project"]["annual"])
    doc["tasks"] = [
        {
            "name": "机关运行",
            "content": "保障人员经费和机关正常运转",
            "budget": money(basic),
            "budget_fiscal": money(basic),
            "executed": money(basic_exec),
            "executed_fiscal": money(basic_exec),
            "completion": "保障了机关正常运转",
        },
        {
            "name": f"{v.short_name}重点业务工作",
            "content": "年度重点项目",
            "budget": money(project_budget),
            "budget_fiscal": money(project_budget),
            "executed": money(executed - basic_exec),
            "executed_fiscal": money(executed - basic_exec),
            "completion": "按计划推进",
        },
    ]
    for row in doc["indicators"]:
        row["reason"] = ""
        if row["level3"] == "预算执行率":
            row["actual"] = num(round_half_up(v.execution * 100))
            row["actual_text"] = f"{row['actual']}%"
        elif row["level3"] == "服务社区数量":
            row["actual"] = num(v.served)
            row["actual_text"] = f"{row['actual']}个"
        elif row["level3"] == "服务对象满意度":
            row["actual"] = num(v.satisfaction)
            row["actual_text"] = f"{row['actual']}%"
        elif row["kind"] == "qualitative":
            row["tier"] = v.tiers.get(row["level3"], "met")
            share = TIER_SHARE[row["tier"]]
            row["self_score"] = num(round_half_up(Decimal(row["weight"]) * share))
            if row["tier"] != "met":
                row["actual_text"] = "部分达成" if row["tier"] == "partial" else "未达成"
        elif row["actual"] is not None:
            row["actual_text"] = f"{row['actual']}%"
    # The department's self-scores are the rules' own scores.
    result = engine.score_report(to_engine_input(doc))
    for row, scored in zip(doc["indicators"], result.rows, strict=True):
        if scored.score is not None:
            row["self_score"] = num(scored.score)
        if scored.score is not None and row["weight"] and scored.score < Decimal(row["weight"]):
            row["reason"] = "受财政资金拨付进度和年度任务调整影响，未完全达到年初目标；下年度将加强预算执行监控。"
    doc["budget"]["self_score"] = num(result.execution_score)
    doc["self_total"] = None
    doc["self_grade"] = ""
    year = doc["year"]
    doc["narrative"] = {key: "" for key in "12345678"}
    doc["narrative"]["1"] = f"{v.name}{year}年度部门整体绩效自评。"
    doc["narrative"]["3"] = "评价得分见自评表。"
    return doc


def _user(username: str, full_name: str):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"first_name": full_name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _advance(report: Report, state: str, actor, when: datetime.datetime) -> None:
    """Walk a demo report to its state, writing the events a real history would have."""
    previous = report.state
    for step in STATE_STEPS[state]:
        when += datetime.timedelta(days=3)
        ReportEvent.objects.create(
            report=report,
            actor=actor,
            kind=ReportEvent.Kind.TRANSITION,
            action={
                "submitted": "submit",
                "returned": "return",
                "approved": "approve",
                "published": "publish",
            }[step],
            from_state=previous,
            to_state=step,
            message="退回原因：请补充未完成指标的原因分析。" if step == "returned" else "",
        )
        previous = step
        stamp = {"submitted": "submitted_at", "approved": "approved_at", "published": "published_at"}.get(step)
        if stamp:
            setattr(report, stamp, when)
    report.state = state
    fields = ["state", "submitted_at", "approved_at", "published_at"]
    if state in Report.FINAL_STATES:
        report.frozen_document = report_to_document(report_queryset().get(pk=report.pk), live=True)
        fields.append("frozen_document")
    report.save(update_fields=fields)


def _approved_targets(report: Report, users: dict) -> None:
    """The seed's targets as declared at the start of 2021 and approved by the bureau (once)."""
    if TargetDeclaration.objects.filter(report=report).exists():
        return
    submitted = timezone.make_aware(datetime.datetime(2021, 1, 15, 9, 0))
    approved = timezone.make_aware(datetime.datetime(2021, 1, 25, 15, 0))
    TargetDeclaration.objects.create(
        report=report, state=TargetDeclaration.State.APPROVED, version=3, submitted_at=submitted, approved_at=approved
    )
    rows = list(report.indicators.all())
    for row in rows:
        row.target_declared = True
        row.declared_sign, row.declared_target_text, row.declared_unit = row.sign, row.target_text, row.unit
    ReportIndicator.objects.bulk_update(
        rows, ["target_declared", "declared_sign", "declared_target_text", "declared_unit"]
    )
    for actor, action, source, target in (
        (users["accountant"], "targets_submit", "draft", "submitted"),
        (users["reviewer"], "targets_approve", "submitted", "approved"),
    ):
        ReportEvent.objects.create(
            report=report,
            actor=actor,
            kind=ReportEvent.Kind.TRANSITION,
            action=action,
            from_state=source,
            to_state=target,
            message="演示数据：年初申报的绩效目标" if action == "targets_submit" else "",
        )


@transaction.atomic
def load_demo() -> list[tuple[str, str, str]]:
    """Idempotent: departments, users and the round are created once; existing reports are kept."""
    seed = seed_document()
    seed_dept, _ = Department.objects.update_or_create(
        code=seed["department"]["code"],
        defaults={"name": seed["department"]["name"], "short_name": seed["department"]["short_name"]},
    )
    round_ = round_create_from_document(
        document=seed,
        name=ROUND_NAME,
        deadline=datetime.date(2022, 3, 31),
        template_name=TEMPLATE_NAME,
        rules_name=RULES_NAME,
    )
    departments = [seed_dept]
    for v in VARIANTS:
        dept, _ = Department.objects.update_or_create(
            code=v.code, defaults={"name": v.name, "short_name": v.short_name}
        )
        departments.append(dept)
    round_.departments.add(*departments)

    logins = []
    users = {}
    for username, full_name, kind, code in USERS:
        user = _user(username, full_name)
        if kind == Role.Kind.ADMIN and not user.is_superuser:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        department = Department.objects.get(code=code) if code else None
        Role.objects.get_or_create(user=user, kind=kind, department=department)
        users[username] = user
        logins.append(
            (
                username,
                DEMO_PASSWORD,
                f"{Role.Kind(kind).label}" + (f"（{department.display_name}）" if department else ""),
            )
        )

    existing = set(Report.objects.filter(round=round_).values_list("department__code", flat=True))
    if seed_dept.code not in existing:
        report_import(document=seed, actor=users["accountant"], source="seed_2021.json（原始公开报告）")
    _approved_targets(Report.objects.get(round=round_, department=seed_dept), users)
    start = timezone.make_aware(datetime.datetime(2022, 2, 20, 9, 0))
    for v in VARIANTS:
        if v.code in existing:
            continue
        report = report_import(document=variant_document(seed, v), actor=None, source="演示数据")
        _advance(report, v.state, users["reviewer"], start)
    _monitoring(round_, users["accountant"])
    return logins


def lock_in_use() -> int:
    """Lock the templates and rule sets of rounds with a report past draft, as submitting does.

    The demo's reports reach approval without a submit; unlocked, their configuration would
    look editable in the admin and be refused only on saving. Returns how many were locked.
    """
    rounds = Round.objects.filter(reports__state__in=Report.FROZEN_STATES).distinct()
    return Template.objects.filter(round__in=rounds, locked=False).update(locked=True) + RuleSet.objects.filter(
        round__in=rounds, locked=False
    ).update(locked=True)


def _monitoring(round_, actor) -> None:
    """The monitoring point and the demo's entries, each written once."""
    point, _ = MonitoringPoint.objects.get_or_create(
        round=round_, as_of=MONITORING_AS_OF, defaults={"expected_progress": MONITORING_EXPECTED}
    )
    done = set(MonitoringEntry.objects.filter(point=point).values_list("report__department__code", flat=True))
    for demo in MONITORING_ENTRIES:
        report = Report.objects.filter(round=round_, department__code=demo.code).first()
        if report is None or demo.code in done:
            continue
        line = BudgetLine.objects.get(department_id=report.department_id, year=round_.year, row=BudgetLine.Row.TOTAL)
        entry = MonitoringEntry.objects.create(
            point=point,
            report=report,
            budget_executed=round_half_up(line.annual * demo.execution),
            updated_by=actor if demo.code == "101001" else None,
        )
        rows = []
        for indicator in report.indicators.all():
            text = demo.actuals.get(indicator.level3, "")
            risk = demo.risks.get(indicator.level3, "")
            note = risk or demo.notes.get(indicator.level3, "")
            if text or note:
                value = parse_measure(text).value if text else None
                rows.append(
                    MonitoringRow(
                        entry=entry, indicator=indicator, actual_text=text, actual=value, at_risk=bool(risk), note=note
                    )
                )
        MonitoringRow.objects.bulk_create(rows)


def queue_missing_archives() -> int:
    """The archive PDF of each approved or published report without one, queued as approval
    queues it (the demo walks its reports to their states without the workflow)."""
    waiting = ReportRender.objects.filter(
        purpose=ReportRender.Purpose.ARCHIVE, status__in=(ReportRender.Status.QUEUED, ReportRender.Status.RUNNING)
    )
    missing = (
        Report.objects.filter(state__in=FINAL_STATES, archives__isnull=True)
        .exclude(pk__in=waiting.values("report_id"))
        .order_by("pk")
    )
    return sum(report_archive_request(report_id=pk) is not None for pk in missing.values_list("pk", flat=True))


def resize_report(report: Report, n: int) -> None:
    """The report with exactly n indicator rows: trimmed, or grown with copies of its own rows
    (weight 0, so the scores stay as they were). For tests and benchmarks of large reports."""
    rows = list(ReportIndicator.objects.filter(report=report).order_by("order"))
    if n <= len(rows):
        ReportIndicator.objects.filter(pk__in=[r.pk for r in rows[n:]]).delete()
        return
    extra = []
    for k in range(n - len(rows)):
        model = rows[k % len(rows)]
        extra.append(
            ReportIndicator(
                report=report,
                order=len(rows) + k,
                level1=model.level1,
                **{**indicator_definition(model), "level3": f"{model.level3}（扩展{k + 1}）"},
                actual=model.actual,
                actual_text=model.actual_text,
                tier=model.tier,
                weight=Decimal("0"),
                self_score=Decimal("0"),
            )
        )
    ReportIndicator.objects.bulk_create(extra)
