"""perfeval.report/1 documents: validation and conversion to the engine's input.

No database here: `score_report` checks a file from anywhere with this module alone.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from indicators import engine
from indicators.engine.types import EXECUTION_LEVEL1

FORMAT = "perfeval.report/1"
SCHEMA_PATH = Path(__file__).with_name("schema.json")
YUAN_PER_WANYUAN = Decimal("10000")
MONEY_KEYS = ("initial", "annual", "executed")
TASK_MONEY_KEYS = ("budget", "budget_fiscal", "executed", "executed_fiscal")


class DocumentError(ValueError):
    """A document that cannot be imported; `errors` name the row of each problem."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def load(path_or_text: str | Path) -> dict:
    """Read a document from a path; bad JSON becomes a DocumentError in Chinese."""
    try:
        text = Path(path_or_text).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DocumentError(["文件不是 UTF-8 编码的文本。"]) from None
    except OSError as exc:
        raise DocumentError([f"无法读取文件：{exc.strerror or exc}"]) from None
    return loads(text)


MAX_NUMBER_CHARS = 60  # far beyond any column (24 digits); int() of 4,300+ digits raises anyway
MAX_DEPTH = 50  # the format nests 4 deep; json's recursion would die at about 1,000


class _NumberTooLong(ValueError):
    pass


def _number(text: str, convert):
    if len(text) > MAX_NUMBER_CHARS:
        raise _NumberTooLong(text)
    return convert(text)


_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET_RE = re.compile(r"[\[\]{}]")


def _too_deep(text: str) -> bool:
    depth = 0
    for m in _BRACKET_RE.finditer(_STRING_RE.sub("", text)):
        if m.group() in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        else:
            depth -= 1
    return False


def _no_constant(text: str):
    raise ValueError(text)  # NaN, Infinity: not numbers a report can hold


def loads(text: str) -> dict:
    """JSON text as a document, bounded: numbers stay Decimal up to a length, nesting has a limit."""
    if _too_deep(text):
        raise DocumentError(
            [_("JSON 嵌套过深（超过 %(depth)s 层），不是 perfeval.report/1 文档。") % {"depth": MAX_DEPTH}]
        )
    try:
        return json.loads(
            text,
            parse_float=lambda t: _number(t, Decimal),
            parse_int=lambda t: _number(t, int),
            parse_constant=_no_constant,
        )
    except _NumberTooLong as exc:
        message = _("JSON 中的数字“%(number)s…”位数过多（超过 %(limit)s 个字符），不是有效的数值。")
        raise DocumentError([message % {"number": str(exc)[:20], "limit": MAX_NUMBER_CHARS}]) from None
    except json.JSONDecodeError as exc:
        raise DocumentError([f"JSON 格式错误：第 {exc.lineno} 行第 {exc.colno} 列，{exc.msg}"]) from None
    except (RecursionError, ValueError):
        raise DocumentError([_("JSON 无法读取（嵌套过深或数字过大）。")]) from None


def _where(path) -> str:
    parts = list(path)
    labels = []
    for i, part in enumerate(parts):
        if isinstance(part, int) and i > 0 and parts[i - 1] in ("indicators", "tasks", "rows", "level1"):
            labels.append(f"第 {part + 1} 行")
        else:
            labels.append(str(part))
    return " › ".join(labels) if labels else "文档"


def validate(doc: Any) -> dict:
    """Return the document ready to use, or raise DocumentError naming every bad row."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema())
    errors = []
    for err in sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path]):
        errors.append(f"{_where(err.absolute_path)}：{_schema_message(err)}")
    if errors:
        raise DocumentError(errors)
    errors = bound_errors(doc) or weight_errors(doc)
    if errors:
        raise DocumentError(errors)
    return doc


def bound_errors(doc: dict) -> list[str]:
    """Every number that would not fit its database column, by row (see reports.bounds)."""
    from departments.models import BudgetLine
    from reports.bounds import bound_error
    from reports.models import Report, ReportIndicator, ReportTask

    errors: list[str] = []

    def check(where: str, model, name: str, value) -> None:
        message = bound_error(model, name, value)
        if message:
            errors.append(f"{where} › {name}：“{str(value)[:40]}”{message}")

    unit = doc["budget"].get("unit", "万元")
    for i, row in enumerate(doc["budget"]["rows"]):
        for attr in ("initial", "annual", "executed"):
            check(f"budget › rows › 第 {i + 1} 行", BudgetLine, attr, to_wanyuan(dec(row.get(attr)), unit))
    check("budget", Report, "execution_self_score", doc["budget"].get("self_score"))
    check("文档", Report, "declared_total", doc.get("self_total"))
    for i, task in enumerate(doc.get("tasks", ())):
        for attr in ("budget", "budget_fiscal", "executed", "executed_fiscal"):
            check(f"tasks › 第 {i + 1} 行", ReportTask, attr, to_wanyuan(dec(task.get(attr)), unit))
    for i, row in enumerate(doc["indicators"]):
        for attr in ("target", "actual", "weight", "self_score"):
            check(f"indicators › 第 {i + 1} 行", ReportIndicator, attr, row.get(attr))
    return errors


def _schema_message(err) -> str:
    validator = err.validator
    if validator == "required":
        missing = [name for name in err.validator_value if name not in (err.instance or {})]
        return "缺少必填项 " + "、".join(missing)
    if (
        validator in ("pattern", "oneOf")
        and isinstance(err.instance, (int, float, Decimal))
        and not isinstance(err.instance, bool)
    ):
        return f'数字须写成字符串（如 "{err.instance}"），以免精度损失'
    if validator == "pattern" or (validator == "oneOf" and isinstance(err.instance, str)):
        return f"“{err.instance}”不是数字"
    if validator == "type":
        return f"类型应为 {err.validator_value}，实际为 {type(err.instance).__name__}"
    if validator == "enum":
        return f"“{err.instance}”不是可选值（{'、'.join(str(v) for v in err.validator_value)}）"
    if validator == "const":
        return f"应为 “{err.validator_value}”"
    if validator in ("maxLength", "maxItems"):
        return f"超过长度上限 {err.validator_value}"
    if validator == "minLength":
        return "不能为空"
    return err.message


def dec(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def weight_errors(doc: dict) -> list[str]:
    """A tree whose weights don't add up is refused at import (the engine only warns)."""
    errors: list[str] = []
    execution_weight = dec(doc["budget"].get("execution_weight")) or Decimal("10")
    rows = doc["indicators"]
    sums: dict[str, Decimal] = {}
    for i, row in enumerate(rows):
        if row.get("applicable", True) is False:
            continue
        weight = dec(row.get("weight"))
        if weight is None:
            errors.append(f"indicators › 第 {i + 1} 行（{row['level3']}）：缺少分值")
            continue
        if weight < 0:
            errors.append(f"indicators › 第 {i + 1} 行（{row['level3']}）：分值不能为负数")
        sums[row["level1"]] = sums.get(row["level1"], Decimal("0")) + weight
    declared = doc.get("level1")
    if declared:
        names = {node["name"] for node in declared}
        for name in sums:
            if name not in names:
                errors.append(f"indicators：一级指标“{name}”未在 level1 中声明")
        for i, node in enumerate(declared):
            weight = dec(node.get("weight"))
            if node.get("applicable", True) is False or weight is None:
                continue
            got = sums.get(node["name"], Decimal("0"))
            if got != weight:
                errors.append(
                    f"level1 › 第 {i + 1} 行（{node['name']}）：三级指标分值合计 {_fmt(got)}，"
                    f"与一级指标分值 {_fmt(weight)} 不符"
                )
        level1_total = sum(
            (dec(n.get("weight")) or Decimal("0") for n in declared if n.get("applicable", True) is not False),
            Decimal("0"),
        )
    else:
        level1_total = sum(sums.values(), Decimal("0"))
    total = level1_total + execution_weight
    if total != Decimal("100"):
        errors.append(
            f"指标体系：{EXECUTION_LEVEL1} {_fmt(execution_weight)} 分加各一级指标 {_fmt(level1_total)} 分"
            f"合计 {_fmt(total)} 分，应为 100 分"
        )
    return errors


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def to_wanyuan(value: Decimal | None, unit: str) -> Decimal | None:
    if value is None or unit == "万元":
        return value
    return value / YUAN_PER_WANYUAN


def rules_from_document(rules: dict | None) -> engine.RuleSet:
    rules = rules or {}
    defaults = engine.RuleSet()
    step = rules.get("execution_step") or {}
    tiers = rules.get("qualitative_tiers")
    bands = rules.get("grade_bands")
    return engine.RuleSet(
        execution_denominator=rules.get("execution_denominator", defaults.execution_denominator),
        execution_cap=rules.get("execution_cap", defaults.execution_cap),
        execution_method=rules.get("execution_method", defaults.execution_method),
        execution_step_per=dec(step.get("per")),
        execution_step_deduct=dec(step.get("deduct")),
        total_caps_by_execution=tuple(
            (Decimal(below), Decimal(cap)) for below, cap in (rules.get("total_caps_by_execution") or ())
        ),
        reverse_formula=rules.get("reverse_formula", defaults.reverse_formula),
        overachievement_ratio=dec(rules.get("overachievement_ratio")),
        overachievement_deduction=dec(rules.get("overachievement_deduction")) or Decimal("0"),
        qualitative_tiers=tuple(Decimal(t) for t in tiers) if tiers else defaults.qualitative_tiers,
        grade_bands=tuple(Decimal(b) for b in bands) if bands else defaults.grade_bands,
        quantitative_scores=rules.get("quantitative_scores", defaults.quantitative_scores),
        tolerance=dec(rules.get("tolerance")) or defaults.tolerance,
        not_applicable=rules.get("not_applicable") or defaults.not_applicable,
    )


def rules_to_document(rules: engine.RuleSet) -> dict:
    step = None
    if rules.execution_step_per is not None or rules.execution_step_deduct is not None:
        step = {"per": num(rules.execution_step_per), "deduct": num(rules.execution_step_deduct)}
    return {
        "execution_denominator": rules.execution_denominator,
        "execution_cap": rules.execution_cap,
        "execution_method": rules.execution_method,
        "execution_step": step,
        "total_caps_by_execution": [[num(a), num(b)] for a, b in rules.total_caps_by_execution] or None,
        "reverse_formula": rules.reverse_formula,
        "overachievement_ratio": num(rules.overachievement_ratio),
        "overachievement_deduction": num(rules.overachievement_deduction),
        "qualitative_tiers": [num(t) for t in rules.qualitative_tiers],
        "grade_bands": [num(b) for b in rules.grade_bands],
        "quantitative_scores": rules.quantitative_scores,
        "tolerance": num(rules.tolerance),
        "not_applicable": rules.not_applicable,
    }


def num(value: Decimal | None) -> str | None:
    """A Decimal as the format writes it: exact, without exponent or trailing zeros."""
    if value is None:
        return None
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def money(value: Decimal | None) -> str | None:
    """An amount in 万元: at least 2 places, more only where the figure has them."""
    if value is None:
        return None
    text = num(value)
    whole, _dot, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


def to_engine_input(doc: dict) -> engine.ReportInput:
    """The document as the engine reads it; amounts in 万元 whatever the file's unit."""
    budget = doc["budget"]
    unit = budget.get("unit", "万元")
    rows = tuple(
        engine.BudgetRow(
            row=r["row"],
            initial=to_wanyuan(dec(r.get("initial")), unit),
            annual=to_wanyuan(dec(r.get("annual")), unit),
            executed=to_wanyuan(dec(r.get("executed")), unit),
            rate_text=r.get("rate_text", ""),
        )
        for r in budget["rows"]
    )
    tasks = tuple(
        engine.Task(
            name=t["name"],
            content=t.get("content", ""),
            budget=to_wanyuan(dec(t.get("budget")), unit),
            budget_fiscal=to_wanyuan(dec(t.get("budget_fiscal")), unit),
            executed=to_wanyuan(dec(t.get("executed")), unit),
            executed_fiscal=to_wanyuan(dec(t.get("executed_fiscal")), unit),
            completion=t.get("completion", ""),
            rate_text=t.get("rate_text", ""),
        )
        for t in doc.get("tasks", ())
    )
    indicators = tuple(
        engine.IndicatorRow(
            level1=r["level1"],
            level2=r.get("level2", ""),
            level3=r["level3"],
            kind=r.get("kind", "qualitative"),
            sign=r.get("sign"),
            target=dec(r.get("target")),
            target_text=r.get("target_text", ""),
            unit=r.get("unit", ""),
            actual=dec(r.get("actual")),
            actual_text=r.get("actual_text", ""),
            tier=r.get("tier"),
            weight=dec(r.get("weight")),
            self_score=dec(r.get("self_score")),
            reason=r.get("reason", ""),
            applicable=r.get("applicable", True),
        )
        for r in doc["indicators"]
    )
    level1 = tuple(
        engine.Level1Node(
            name=n["name"],
            weight=dec(n.get("weight")),
            standard_weight=dec(n.get("standard_weight")),
            applicable=n.get("applicable", True),
        )
        for n in doc.get("level1", ())
    )
    header = doc.get("header", {})
    narrative = doc.get("narrative", {})
    return engine.ReportInput(
        rules=rules_from_document(doc.get("rules")),
        budget=engine.Budget(
            unit="万元",
            execution_weight=dec(budget.get("execution_weight")) or Decimal("10"),
            rows=rows,
            self_score=dec(budget.get("self_score")),
        ),
        tasks=tasks,
        indicators=indicators,
        level1=level1,
        weight_note=doc.get("weight_note", ""),
        goal=header.get("goal", ""),
        goal_completion=header.get("goal_completion", ""),
        narrative=tuple((key, narrative.get(key, "")) for key in "12345678"),
        self_total=dec(doc.get("self_total")),
        self_grade=doc.get("self_grade", ""),
    )
