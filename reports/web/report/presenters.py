"""What the report page shows: the table's rows with their merged cells, and the engine's
result as the page's cells and messages. Display only: every score comes from the engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from departments.models import BudgetLine
from indicators import engine
from indicators.engine.fmt import pct, two
from indicators.engine.types import EXECUTION_LEVEL1
from reports.interchange.document import num
from reports.models import NARRATIVE_SECTIONS, Report, ReportIndicator
from reports.services.completeness import submit_missing
from reports.web.engine_explain import explanation_text
from reports.web.engine_text import finding_message, grade_label
from reports.web.report.forms import INDICATOR, TASK, ReportForm

# Which input of an indicator row a finding is about (the rest are about the row).
ROW_FIELD_BY_CODE = {
    "reason.missing": "reason",
    "overachieved.unexplained": "reason",
    "tier.out_of_range": "self_score",
    "score.over_weight": "self_score",
    "score.negative": "self_score",
    "score.missing": "self_score",
    "score.differs": "self_score",
    "tier.unknown": "tier",
    "tier.inferred": "tier",
    "required.tier": "tier",
    "actual.missing": "actual_text",
    "actual.not_measured": "actual_text",
    "actual.operator": "actual_text",
    "overachieved": "actual_text",
    "weight.missing": "weight",
    "weight.invalid": "weight",
    "target.missing": "target_text",
    "target.ambiguous": "target_text",
    "target.text_differs": "target_text",
    "sign.unknown": "target_text",
    "unit.suspicious": "unit",
}
BUDGET_FIELD_BY_CODE = {
    "score.differs": "execution_self_score",
    "score.over_weight": "execution_self_score",
    "score.missing": "execution_self_score",
    "budget.blank": "budget-total_annual",
    "budget.zero_denominator": "budget-total_annual",
}
BUDGET_LAYOUT = (
    # (row key or None for a heading, label, indent)
    ("total", _("部门预算总额"), 0),
    (None, _("1. 资金来源："), 0),
    ("fiscal", _("（1）财政性资金"), 1),
    ("other", _("（2）其他资金"), 1),
    (None, _("2. 资金结构："), 0),
    ("basic", _("（1）基本支出"), 1),
    ("project", _("（2）项目支出"), 1),
)
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
# The narrative checks quote the words they object to as “...”: the page selects them.
QUOTE = re.compile(r"“([^”]+)”")
WHERE = re.compile(r"^(indicators|tasks)\[(\d+)\]$")


def score_text(value: Decimal | None) -> str:
    return "" if value is None else two(value)


def rate(executed: Decimal | None, base: Decimal | None) -> Decimal | None:
    if executed is None or not base:
        return None
    return executed * 100 / base


@dataclass
class RowMap:
    """Engine row k is form row form_index[k] (blank new rows are not scored)."""

    indicators: list[int] = field(default_factory=list)
    tasks: list[int] = field(default_factory=list)

    @classmethod
    def identity(cls, report: Report) -> RowMap:
        return cls(list(range(len(report.indicators.all()))), list(range(len(report.tasks.all()))))

    @classmethod
    def from_plan(cls, plan) -> RowMap:
        return cls(
            [i for i, row in enumerate(plan.indicator_rows) if row is not None],
            [i for i, row in enumerate(plan.task_rows) if row is not None],
        )


def _strip_name(message: str, name: str) -> str:
    name = name.strip()
    for sep in ("：", ": "):
        if name and message.startswith(name + sep):
            return message[len(name) + len(sep) :]
    return message


def finding_view(f: engine.Finding, result: engine.ReportResult, rows: RowMap) -> dict:
    """A finding with where the page shows it: an input (target), a row, or an anchor."""
    m = WHERE.match(f.where)
    name = (
        result.rows[int(m.group(2))].level3
        if m and m.group(1) == "indicators" and int(m.group(2)) < len(result.rows)
        else ""
    )
    # Shown in the reader's language; the stored message stays the engine's Chinese.
    message = finding_message(f.code, f.message, name)
    item = {
        "severity": f.severity,
        "code": f.code,
        "where": f.where,
        "message": message,
        "short": message,
        "target": None,
        "row": None,
        "anchor": None,
        "quote": "",
    }
    if m:
        kind, k = m.group(1), int(m.group(2))
        mapping = rows.indicators if kind == "indicators" else rows.tasks
        i = mapping[k] if k < len(mapping) else k
        prefix = "ind" if kind == "indicators" else "task"
        item["row"] = f"{prefix}-{i}"
        if kind == "indicators":
            item["short"] = _strip_name(message, name)
            if f.code in ROW_FIELD_BY_CODE:
                item["target"] = f"ind-{i}-{ROW_FIELD_BY_CODE[f.code]}"
        elif f.code == "budget.over_executed":
            item["target"] = f"task-{i}-executed"
        return item
    if f.where.startswith("budget."):
        row = f.where.split(".", 1)[1]
        item["row"] = f"budget-{row}"
        target = BUDGET_FIELD_BY_CODE.get(f.code) if row == "total" else None
        if f.code == "budget.over_executed":
            target = f"budget-{row}_executed"
        item["target"] = target
        return item
    if f.where.startswith("narrative."):
        item["target"] = "narrative_" + f.where.split(".", 1)[1]
        quoted = QUOTE.search(f.message)
        item["quote"] = quoted.group(1) if quoted else ""
        return item
    if f.where.startswith("header."):
        item["target"] = f.where.split(".", 1)[1]
        return item
    if f.where.startswith("template."):
        name = f.where.split(".", 1)[1]
        item["anchor"] = "execution" if name == EXECUTION_LEVEL1 else f"l1:{name}"
        return item
    if f.where == "template":
        item["anchor"] = "indicator-total"
    elif f.where == "total":
        item["anchor"] = "total"
    return item


NOTHING = "—"


def nothing_entered(report: Report) -> bool:
    """No figure, tier or score anywhere: what a new draft is before anyone types one."""
    if report.execution_self_score is not None:
        return False
    if any(line.annual is not None or line.executed is not None for line in report._budget_lines.values()):
        return False
    return not any(
        row.actual_text or row.actual is not None or row.self_score is not None or row.tier
        for row in report.indicators.all()
    )


def result_payload(report: Report, result: engine.ReportResult, rows: RowMap) -> dict:
    """The engine's result as the page's cells: what the script puts in place, by name."""
    lines = report._budget_lines
    budget_rates = {}
    for key in BudgetLine.ROW_ORDER:
        line = lines.get(key)
        value = rate(line.executed, line.annual) if line else None
        if key == "total" and result.execution_rate is not None:
            value = result.execution_rate
        budget_rates[key] = pct(value) if value is not None else ""
    task_rates = {}
    for k, task in enumerate(report.tasks.all()):
        value = rate(task.executed, task.budget)
        i = rows.tasks[k] if k < len(rows.tasks) else k
        task_rates[i] = pct(value) if value is not None else ""
    shown = list(result.findings)
    if report.editable:
        # What 送审 still needs, at its field like the engine's findings; a blank tier is said
        # once, as required, not also as the engine's "inferred from the score".
        # A row the engine already calls unscored (no tier and no score) is not told twice.
        unscored = {f.where for f in shown if f.code == "score.missing"}
        missing = [f for f in submit_missing(report) if not (f.code == "required.tier" and f.where in unscored)]
        tierless = {f.where for f in missing if f.code == "required.tier"}
        shown = [f for f in shown if not (f.code == "tier.inferred" and f.where in tierless)] + missing
    findings = sorted(
        (finding_view(f, result, rows) for f in shown),
        key=lambda item: SEVERITY_ORDER.get(item["severity"], 3),
    )
    counts = {s: sum(1 for f in shown if f.severity == s) for s in SEVERITY_ORDER}
    # A draft nobody has entered a figure in has no total yet: "—", not a 差.
    blank = report.editable and nothing_entered(report)
    # An unscored row's explanation would repeat its error ("未选择完成档次…未计分"): say it once.
    unscored_rows = {f.where for f in result.findings if f.severity == "error"}
    return {
        "rows": [
            {
                "row": f"ind-{rows.indicators[r.index] if r.index < len(rows.indicators) else r.index}",
                "score": score_text(r.score),
                "self": score_text(r.self_score),
                "explanation": ""
                if r.score is None and f"indicators[{r.index}]" in unscored_rows
                else explanation_text(r.explanation),
                "flags": list(r.flags),
                "short": "short" in r.flags,
            }
            for r in result.rows
        ],
        "level1": [
            {
                "name": r.name,
                "weight": score_text(r.weight),
                "score": NOTHING if blank else score_text(r.score),
                "self": NOTHING if blank else score_text(r.self_score),
            }
            for r in result.level1
        ],
        "level2": [
            {
                "key": f"{r.level1}|{r.name}",
                "weight": score_text(r.weight),
                "score": NOTHING if blank else score_text(r.score),
                "self": NOTHING if blank else score_text(r.self_score),
            }
            for r in result.level2
        ],
        "execution": {
            "rate": pct(result.execution_rate) if result.execution_rate is not None else "",
            "score": score_text(result.execution_score),
            "explanation": explanation_text(result.execution_explanation),
        },
        "weight_total": score_text(
            (report.round.template.execution_weight or Decimal(0)) + sum((r.weight for r in result.level1), Decimal(0))
        ),
        "total": NOTHING if blank else score_text(result.total),
        "grade": NOTHING if blank else grade_label(result.grade),
        "self_total": NOTHING if blank else score_text(result.self_total),
        "self_grade": NOTHING if blank else grade_label(result.self_grade),
        "total_explanation": explanation_text(result.total_explanation),
        "budget_rates": budget_rates,
        "task_rates": task_rates,
        "findings": findings,
        "counts": counts,
        "panel_html": render_to_string("reports/_findings.html", {"findings": findings, "counts": counts}),
    }


@dataclass
class IndicatorRowView:
    index: int | str
    p: str  # input name prefix, "ind-3-"
    v: dict  # the row's inputs, by field name, as typed or as stored
    custom: bool
    stored: ReportIndicator | None
    result: engine.RowResult | None
    l1_span: int = 0
    l2_span: int = 0
    l1: engine.Level1Result | None = None
    l2: engine.Level2Result | None = None

    @property
    def level1(self) -> str:
        return self._static("level1")

    @property
    def level2(self) -> str:
        return self._static("level2")

    @property
    def level1_label(self) -> str:
        """The level-1 cell's text: a group under no level-1 name is labelled as such."""
        return self.level1 or str(NO_LEVEL1)

    @property
    def kind(self) -> str:
        if not self.custom and self.stored is not None:
            return self.stored.kind
        return self.v.get("kind") or "qualitative"

    @property
    def qualitative(self) -> bool:
        return self.kind == "qualitative"

    def _static(self, name: str) -> str:
        """A definition cell: a template row's is the template's, a department row's as typed."""
        if not self.custom and self.stored is not None:
            if name == "target_text":
                return self.stored.target_text or num(self.stored.target) or ""
            return getattr(self.stored, name)
        return self.v.get(name, "")

    @property
    def level3(self) -> str:
        return self._static("level3")

    @property
    def target_text(self) -> str:
        return self._static("target_text")

    @property
    def target_shown(self) -> str:
        """The target with its sign, for read-only pages (a department row keeps the sign apart)."""
        sign = self.stored.sign if not self.custom and self.stored is not None else self.v.get("sign")
        return engine.signed_target(sign, self.target_text)

    @property
    def unit(self) -> str:
        return self._static("unit")

    @property
    def score(self) -> str:
        return score_text(self.result.score) if self.result else ""

    @property
    def explanation(self) -> str:
        return explanation_text(self.result.explanation) if self.result else ""

    @property
    def short(self) -> bool:
        return bool(self.result and "short" in self.result.flags)

    @property
    def l1_text(self) -> dict:
        r = self.l1
        return {
            "weight": score_text(r.weight) if r else "",
            "score": score_text(r.score) if r else "",
            "self": score_text(r.self_score) if r else "",
        }

    @property
    def l2_text(self) -> dict:
        r = self.l2
        return {
            "weight": score_text(r.weight) if r else "",
            "score": score_text(r.score) if r else "",
            "self": score_text(r.self_score) if r else "",
        }

    @property
    def tier_label(self) -> str:
        return TIER_LABELS.get(self.v.get("tier") or "", "")


INDICATOR_INPUTS = tuple(INDICATOR)
TASK_INPUTS = tuple(TASK)
TIER_LABELS = dict(ReportIndicator.Tier.choices)


def _row_values(form: ReportForm, prefix: str, names) -> dict:
    return {name: form.value(prefix + name) for name in names}


def empty_indicator_row() -> IndicatorRowView:
    return IndicatorRowView(
        index="__prefix__",
        p="ind-__prefix__-",
        v={"kind": "qualitative", "custom": "on"},
        custom=True,
        stored=None,
        result=None,
    )


def indicator_rows(report: Report, form: ReportForm, result: engine.ReportResult, rows: RowMap) -> list:
    stored = {row.pk: row for row in report.indicators.all()}
    by_form = {i: k for k, i in enumerate(rows.indicators)}
    level1 = {r.name: r for r in result.level1}
    level2 = {(r.level1, r.name): r for r in result.level2}
    views = []
    for i in range(form.indicator_count):
        prefix = f"ind-{i}-"
        values = _row_values(form, prefix, INDICATOR_INPUTS)
        pk = values["id"]
        row = stored.get(int(pk)) if pk.isdigit() else None
        k = by_form.get(i)
        if row is not None and not row.is_custom:
            values["level1"], values["level2"] = row.level1, row.level2
        l1, l2 = values["level1"].strip(), values["level2"].strip()
        views.append(
            IndicatorRowView(
                index=i,
                p=prefix,
                v=values,
                custom=row.is_custom if row is not None else True,
                stored=row,
                result=result.rows[k] if k is not None and k < len(result.rows) else None,
                l1=level1.get(l1),
                l2=level2.get((l1, l2)),
            )
        )
    _merge(views)
    return views


NO_LEVEL1 = _("（无一级指标）")


@dataclass(frozen=True)
class Levels:
    """Which level columns a table shows: a level only where some row has it (a flat list has neither)."""

    l1: bool = True
    l2: bool = True

    @property
    def lead(self) -> int:
        """Columns before 分值: the shown levels, 三级指标, 指标值, 度量单位, 实际完成值."""
        return 4 + self.l1 + self.l2

    @property
    def css(self) -> str:
        return " ".join(name for name, shown in (("l1", self.l1), ("l2", self.l2)) if shown)


def shown_levels(views: list[IndicatorRowView]) -> Levels:
    return Levels(l1=any(v.level1.strip() for v in views), l2=any(v.level2.strip() for v in views))


def _merge(views: list[IndicatorRowView]) -> None:
    """Level-1 and level-2 cells merged over their runs of rows (rowspan on the first); a level no
    row has gets no cells. A run under no level-1 (or level-2) name is one unnamed cell of its own."""
    levels = shown_levels(views)
    i = 0
    while i < len(views):
        j = i
        while j < len(views) and views[j].level1 == views[i].level1:
            j += 1
        views[i].l1_span = j - i if levels.l1 else 0
        a = i
        while a < j:
            b = a
            while b < j and views[b].level2 == views[a].level2:
                b += 1
            views[a].l2_span = b - a if levels.l2 else 0
            a = b
        i = j


def budget_rows(report: Report, form: ReportForm, payload: dict) -> list[dict]:
    out = []
    for key, label, indent in BUDGET_LAYOUT:
        if key is None:
            out.append({"key": None, "label": label, "indent": indent})
            continue
        line = report._budget_lines.get(key)
        out.append(
            {
                "key": key,
                "label": label,
                "indent": indent,
                "fields": [
                    (name, field_label, form.value(f"budget-{key}_{name}"))
                    for name, field_label in (
                        ("initial", _("年初预算数")),
                        ("annual", _("全年预算数")),
                        ("executed", _("预算执行数")),
                    )
                ],
                "rate": payload["budget_rates"].get(key, ""),
                "rate_text": line.rate_text if line else "",
            }
        )
    return out


def task_rows(form: ReportForm, payload: dict) -> list[dict]:
    return [
        {
            "index": i,
            "p": f"task-{i}-",
            "v": _row_values(form, f"task-{i}-", TASK_INPUTS),
            "rate": payload["task_rates"].get(i, ""),
        }
        for i in range(form.task_count)
    ]


def empty_task_row() -> dict:
    return {"index": "__prefix__", "p": "task-__prefix__-", "v": {}, "rate": ""}


def narrative_sections(form: ReportForm) -> list[dict]:
    return [{"key": key, "title": title, "value": form.value(f"narrative_{key}")} for key, title in NARRATIVE_SECTIONS]
