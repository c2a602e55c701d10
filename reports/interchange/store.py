"""Reports to and from perfeval.report/1 documents in the database."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from departments.models import BudgetLine, Department
from indicators.engine.parse import parse_measure
from indicators.engine.rows import _KIND_ALIASES as KIND_ALIASES  # the engine reads kinds so
from indicators.models import RuleSet, Template, TemplateIndicator, TemplateLevel1
from reports.interchange.document import (
    FORMAT,
    MONEY_KEYS,
    TASK_MONEY_KEYS,
    DocumentError,
    dec,
    money,
    num,
    or_default,
    rules_from_document,
    rules_to_document,
    to_wanyuan,
    validate,
)
from reports.models import (
    NARRATIVE_SECTIONS,
    Report,
    ReportEvent,
    ReportIndicator,
    ReportTask,
    Round,
    targets_approved,
)
from reports.selectors import budget_lines, frozen_document, live_budget_lines, report_queryset
from reports.services.scoring import report_rescore

__all__ = [
    "budget_lines",
    "frozen_document",
    "report_import",
    "report_queryset",
    "report_to_document",
    "round_create_from_document",
]

INDICATOR_TEXT = ("level2", "target_text", "unit", "actual_text", "reason")


def report_to_document(report: Report, *, live: bool = False) -> dict:
    """The report's document; an approved or published one as it was approved (live=True: as stored now)."""
    frozen = None if live else frozen_document(report)
    if frozen is not None:
        return frozen
    lines = live_budget_lines(report) if live else budget_lines(report)
    rounds = report.round
    budget_rows = []
    for key in BudgetLine.ROW_ORDER:
        line = lines.get(key)
        row = {"row": key}
        for attr in MONEY_KEYS:
            row[attr] = money(getattr(line, attr)) if line else None
        if line and line.rate_text:
            row["rate_text"] = line.rate_text
        budget_rows.append(row)
    tasks = []
    for task in report.tasks.all():
        item = {"name": task.name, "content": task.content}
        for attr in TASK_MONEY_KEYS:
            item[attr] = money(getattr(task, attr))
        item["completion"] = task.completion
        if task.rate_text:
            item["rate_text"] = task.rate_text
        tasks.append(item)
    indicators = []
    for row in report.indicators.all():
        item = {
            "level1": row.level1,
            "level2": row.level2,
            "level3": row.level3,
            "kind": row.kind,
            "sign": row.sign or None,
            "target": num(row.target),
            "target_text": row.target_text,
            "unit": row.unit,
            "actual": num(row.actual),
            "actual_text": row.actual_text,
            "tier": row.tier or None,
            "weight": num(row.weight),
            "self_score": num(row.self_score),
            "reason": row.reason,
        }
        if not row.applicable:
            item["applicable"] = False
        if row.is_custom:
            item["custom"] = True
        if row.target_adjusted:
            # The target as first approved, printed beside the adjusted one.
            item["target_declared"] = {
                "sign": row.declared_sign or None,
                "target_text": row.declared_target_text,
                "unit": row.declared_unit,
            }
        indicators.append(item)
    doc = {
        "format": FORMAT,
        "department": {
            "code": report.department.code,
            "name": report.department.name,
            "short_name": report.department.short_name,
        },
        "year": rounds.year,
        "round": rounds.name,
        "state": report.state,
        "rules": rules_to_document(rounds.rule_set.to_engine()),
        "header": {
            "contact": report.contact,
            "preamble": report.preamble,
            "goal": report.goal,
            "goal_completion": report.goal_completion,
        },
        "budget": {
            "unit": "万元",
            "execution_weight": num(rounds.template.execution_weight),
            "rows": budget_rows,
            "self_score": num(report.execution_self_score),
        },
        "tasks": tasks,
        "level1": [
            {
                "name": node.name,
                "weight": num(node.weight),
                "standard_weight": num(node.standard_weight),
                "applicable": node.applicable,
            }
            for node in rounds.template.level1_nodes.all()
        ],
        "weight_note": report.weight_note,
        "table_notes": rounds.rule_set.notes,
        "indicators": indicators,
        "narrative": {key: getattr(report, f"narrative_{key}") for key, _title in NARRATIVE_SECTIONS},
        "self_total": num(report.declared_total),
        "self_grade": report.declared_grade,
    }
    if targets_approved(report):
        doc["targets_approved"] = True
    return doc


def document_department(doc: dict) -> Department:
    """The department a document names, or a DocumentError naming its code."""
    code = doc["department"]["code"]
    try:
        return Department.objects.get(code=code)
    except Department.DoesNotExist:
        raise DocumentError([f"department › code：预算编码“{code}”的部门不存在"]) from None


def document_round(doc: dict, department: Department) -> Round:
    """The one round of the document's year (and name) that covers the department."""
    rounds = Round.objects.filter(year=doc["year"]).select_related("template")
    if doc.get("round"):
        rounds = rounds.filter(name=doc["round"])
    covering = [r for r in rounds if r.departments.filter(pk=department.pk).exists()]
    if not covering:
        raise DocumentError([f"year：{doc['year']} 年度没有包含部门 {department.code} 的评价任务"])
    if len(covering) > 1:
        names = "、".join(r.name for r in covering)
        raise DocumentError([f"round：{doc['year']} 年度有多个评价任务（{names}），请在文档中写明 round"])
    return covering[0]


@transaction.atomic
def report_import(*, document: dict, actor=None, source: str = "") -> Report:
    """Create or replace a draft report from a document: all of it, or nothing."""
    doc = validate(document)
    department = document_department(doc)
    round_ = document_round(doc, department)
    report = Report.objects.select_for_update().filter(round=round_, department=department).first()
    if report is not None and not report.editable:
        raise DocumentError([f"报告当前状态为“{report.get_state_display()}”，只有草稿或退回的报告可以导入替换"])
    if report is None:
        report = Report(round=round_, department=department)
    header = doc.get("header", {})
    report.contact = header.get("contact", "")
    report.preamble = header.get("preamble", "")
    report.goal = header.get("goal", "")
    report.goal_completion = header.get("goal_completion", "")
    report.weight_note = doc.get("weight_note", "")
    narrative = doc.get("narrative", {})
    for key, _title in NARRATIVE_SECTIONS:
        setattr(report, f"narrative_{key}", narrative.get(key, ""))
    budget = doc["budget"]
    unit = budget.get("unit", "万元")
    report.execution_self_score = dec(budget.get("self_score"))
    report.declared_total = dec(doc.get("self_total"))
    report.declared_grade = doc.get("self_grade", "")
    if report.pk:
        report.version += 1
    report.save()

    for row in budget["rows"]:
        BudgetLine.objects.update_or_create(
            department=department,
            year=round_.year,
            row=row["row"],
            defaults={
                **{attr: to_wanyuan(dec(row.get(attr)), unit) for attr in MONEY_KEYS},
                "rate_text": row.get("rate_text", ""),
            },
        )
    report.tasks.all().delete()
    ReportTask.objects.bulk_create(
        ReportTask(
            report=report,
            order=i,
            name=t["name"],
            content=t.get("content", ""),
            completion=t.get("completion", ""),
            rate_text=t.get("rate_text", ""),
            **{attr: to_wanyuan(dec(t.get(attr)), unit) for attr in TASK_MONEY_KEYS},
        )
        for i, t in enumerate(doc.get("tasks", ()))
    )
    template_rows = {
        (ti.level1.name if ti.level1_id else "", ti.level2, ti.level3): ti
        for ti in TemplateIndicator.objects.filter(template=round_.template).select_related("level1")
    }
    approved = _approved_targets(report)
    report.indicators.all().delete()
    rows = ReportIndicator.objects.bulk_create(
        ReportIndicator(
            report=report,
            order=i,
            template_indicator=template_rows.get((r["level1"], r["level2"], r["level3"])),
            level1=r["level1"],
            level3=r["level3"],
            kind=stored_kind(r),
            sign=stored_sign(r.get("sign")),
            target=dec(r.get("target")),
            actual=dec(r.get("actual")),
            tier=r.get("tier") or "",
            weight=dec(r.get("weight")),
            self_score=dec(r.get("self_score")),
            applicable=r.get("applicable", True),
            **{attr: r.get(attr, "") for attr in INDICATOR_TEXT},
        )
        for i, r in enumerate(doc["indicators"])
    )
    if approved is not None:
        _keep_approved_targets(rows, approved)
    ReportEvent.objects.create(
        report=report,
        actor=actor,
        kind=ReportEvent.Kind.IMPORT,
        action="import",
        message=f"导入 {source}".strip() if source else "导入",
    )
    report_rescore(report=report)
    return report


def _approved_targets(report: Report) -> dict | None:
    """The rows whose targets the bureau approved, by their names (None: nothing approved)."""
    if report.pk is None or not targets_approved(report):
        return None
    return {(r.level1, r.level2, r.level3): r for r in report.indicators.filter(target_declared=True)}


def _keep_approved_targets(rows: list[ReportIndicator], approved: dict) -> None:
    """An import replaces the rows, not an approved target: refused where it differs, carried over where the same."""
    errors = []
    by_name = {(r.level1, r.level2, r.level3): r for r in rows}
    for key, old in approved.items():
        new = by_name.get(key)
        if new is None:
            # A row cut off is the weights' finding (the import already lets a table drop template rows).
            continue
        if (new.sign, new.target_text, new.unit) != (old.sign, old.target_text, old.unit):
            errors.append(
                f"indicators：指标“{old.level3}”的绩效目标已审核通过（{old.target_text}），导入不能修改；如需修改请申请目标调整"
            )
            continue
        new.target, new.target_declared = old.target, True
        new.declared_sign, new.declared_target_text, new.declared_unit = (
            old.declared_sign,
            old.declared_target_text,
            old.declared_unit,
        )
    if errors:
        raise DocumentError(errors)
    ReportIndicator.objects.bulk_update(
        [r for r in rows if r.target_declared],
        ["target", "target_declared", "declared_sign", "declared_target_text", "declared_unit"],
    )


def stored_kind(row: dict) -> str:
    """The kind column's value: 定量/定性 read as the engine reads them."""
    kind = KIND_ALIASES.get(row.get("kind", "").strip(), row.get("kind", ""))
    if kind in ("quantitative", "qualitative"):
        return kind
    return "quantitative" if row.get("sign") or row.get("target") is not None else "qualitative"


def stored_sign(sign: str | None) -> str:
    """≥, ＞= and the like as the sign column holds them; a sign nobody can read is left blank
    (the engine then says the row's sign is blank and scores it as ≥)."""
    if not sign or not sign.strip():
        return ""
    return parse_measure(sign.strip() + "0").sign or ""


@transaction.atomic
def round_create_from_document(*, document: dict, name: str, deadline, template_name: str, rules_name: str) -> Round:
    """A template, a rule set and a round shaped like a document (for demo data and new bureaus)."""
    doc = validate(document)
    rules = rules_from_document(doc.get("rules"))
    rule_set, _created = RuleSet.objects.get_or_create(
        name=rules_name,
        version=1,
        defaults={
            "execution_denominator": rules.execution_denominator,
            "execution_cap": rules.execution_cap,
            "fixed_execution_weight": rules.fixed_execution_weight,
            "execution_method": rules.execution_method,
            "execution_step_per": rules.execution_step_per,
            "execution_step_deduct": rules.execution_step_deduct,
            "total_caps_by_execution": [[num(a), num(b)] for a, b in rules.total_caps_by_execution],
            "reverse_formula": rules.reverse_formula,
            "overachievement_ratio": rules.overachievement_ratio,
            "overachievement_deduction": rules.overachievement_deduction,
            "tier_met": rules.qualitative_tiers[0],
            "tier_partial": rules.qualitative_tiers[1],
            "grade_excellent": rules.grade_bands[0],
            "grade_good": rules.grade_bands[1],
            "grade_pass": rules.grade_bands[2],
            "quantitative_scores": rules.quantitative_scores,
            "tolerance": rules.tolerance,
            "not_applicable": rules.not_applicable,
            "notes": doc.get("table_notes", ""),
        },
    )
    template, created = Template.objects.get_or_create(
        name=template_name,
        year=doc["year"],
        version=1,
        defaults={"execution_weight": or_default(dec(doc["budget"].get("execution_weight")), Decimal("10"))},
    )
    if created:
        nodes = {}
        # Undeclared level-1 indicators weigh what their rows add up to, as the table shows them.
        implied: dict[str, Decimal] = {}
        for r in doc["indicators"]:
            if r["level1"] and r.get("applicable", True) is not False:
                implied[r["level1"]] = implied.get(r["level1"], Decimal(0)) + (dec(r.get("weight")) or Decimal(0))
        declared = doc.get("level1") or [{"name": n, "weight": w} for n, w in implied.items()]
        for i, node in enumerate(declared):
            nodes[node["name"]] = TemplateLevel1.objects.create(
                template=template,
                order=i,
                name=node["name"],
                weight=dec(node.get("weight")),
                standard_weight=dec(node.get("standard_weight")),
                applicable=node.get("applicable", True),
            )
        TemplateIndicator.objects.bulk_create(
            TemplateIndicator(
                template=template,
                level1=nodes.get(r["level1"]),  # None: a row under no level-1 indicator
                order=i,
                level2=r["level2"],
                level3=r["level3"],
                kind=stored_kind(r),
                sign=stored_sign(r.get("sign")),
                target=dec(r.get("target")),
                target_text=r.get("target_text", ""),
                unit=r.get("unit", ""),
                weight=dec(r.get("weight")),
            )
            for i, r in enumerate(doc["indicators"])
            if not r.get("custom")
        )
    round_, _created = Round.objects.get_or_create(
        year=doc["year"],
        name=name,
        defaults={"template": template, "rule_set": rule_set, "deadline": deadline},
    )
    return round_
