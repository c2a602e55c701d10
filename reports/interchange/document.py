"""perfeval.report/1 documents: validation and conversion to the engine's input.

No database here: `score_report` checks a file from anywhere with this module alone.
"""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from departments.models import BudgetLine
from indicators import engine
from indicators.engine import findings as F
from indicators.engine.types import NO_LEVEL1
from reports.models import Report, ReportIndicator, ReportTask
from reports.services.bounds import bound_error

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
    """The document ready to store, or DocumentError naming every bad row.

    Refuses only what cannot be stored: schema errors (non-numbers in number fields,
    unknown enum values, missing identity keys) and numbers beyond their columns. Weights
    that don't add up and blank scores are the engine's findings, not refusals.
    """
    # jsonschema takes ~0.1 s to import, and every process imports this module; only reading a document in needs it
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema())
    errors = []
    for err in sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path]):
        errors.append(f"{_where(err.absolute_path)}：{_schema_message(err)}")
    if errors:
        raise DocumentError(errors)
    doc = normalize(doc)
    errors = bound_errors(doc)
    if errors:
        raise DocumentError(errors)
    return doc


def validate_lenient(doc: Any) -> tuple[dict, list[engine.Finding]]:
    """The document ready to score, and what had to be left blank to read it.

    For checking a file from anywhere: refuses only what is not a perfeval.report/1 document
    (not an object, another format, a table that is not a list); a value of the wrong type or
    beyond its limits becomes blank with an error finding, and missing keys are blank.
    """
    # jsonschema takes ~0.1 s to import, and every process imports this module; only reading a document in needs it
    import jsonschema

    if not isinstance(doc, dict):
        raise DocumentError([_("文档应为 JSON 对象（{…}），不是 perfeval.report/1 文档。")])
    if doc.get("format") != FORMAT:
        raise DocumentError([f"format：应为 “{FORMAT}”"])
    doc = copy.deepcopy(doc)
    validator = jsonschema.Draft202012Validator(_relaxed_schema())
    findings: list[engine.Finding] = []
    blanked: set[tuple] = set()
    for _pass in range(8):  # each pass blanks at least one value, or climbs a level
        errors = sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path])
        if not errors:
            break
        for err in errors:
            path = tuple(err.absolute_path)
            while path in blanked and path:
                path = path[:-1]
            if not path or path in (("budget",), ("indicators",), ("budget", "rows")):
                raise DocumentError([f"{_where(err.absolute_path)}：{_schema_message(err)}"])
            if _blank(doc, path):
                blanked.add(path)
                where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
                message = f"{_where(path)}：{_schema_message(err)}，按空白处理"
                findings.append(F.finding(F.VALUE_INVALID, where, message))
    else:
        raise DocumentError([f"{_where(e.absolute_path)}：{_schema_message(e)}" for e in validator.iter_errors(doc)])
    doc.setdefault("department", {})
    doc.setdefault("budget", {}).setdefault("rows", [])
    doc.setdefault("indicators", [])
    return normalize(doc), findings


@cache
def _relaxed_schema() -> dict:
    """The schema without required keys or minimum lengths: what lenient reading checks."""

    def relax(node):
        if isinstance(node, dict):
            return {k: relax(v) for k, v in node.items() if k not in ("required", "minLength")}
        if isinstance(node, list):
            return [relax(v) for v in node]
        return node

    return relax(schema())


def _blank(doc: dict, path: tuple) -> bool:
    """Blank the value at path (absent from an object, an empty row in a list)."""
    parent = doc
    for part in path[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return False
    key = path[-1]
    if isinstance(parent, dict) and key in parent:
        del parent[key]
        return True
    if isinstance(parent, list) and isinstance(key, int) and key < len(parent):
        parent[key] = {}
        return True
    return False


def normalize(doc: dict) -> dict:
    """After validation: null is absent, levels filled down as merged cells read, kinds inferred."""
    doc = _without_nulls(doc)
    doc["indicators"] = fill_levels(doc.get("indicators", []))
    for row in doc["indicators"]:
        if not row.get("kind"):
            row["kind"] = "quantitative" if row.get("sign") or row.get("target") is not None else "qualitative"
    return doc


def mark_levels(rows: list[dict]) -> list[dict]:
    """The inverse of fill_levels, for files we write: （无一级指标） where a row under no level-1
    indicator follows one under a named one (a blank would continue that name)."""
    above1 = above2 = ""
    out = []
    for row in rows:
        level1, level2 = row.get("level1", ""), row.get("level2", "")
        if not level1 and (above1 or (not level2 and above2)):
            row = {**row, "level1": NO_LEVEL1}
        above1, above2 = level1, level2
        out.append(row)
    return out


def _without_nulls(value):
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value if v is not None]  # a null row is no row
    return value


def fill_levels(rows: list[dict]) -> list[dict]:
    """Level names as a table with merged cells means them.

    A blank level-1 cell continues the row above (none above: the row stands under no level-1
    indicator; （无一级指标） says so explicitly anywhere); a blank level-2 cell continues the row
    above only when its level-1 cell was blank too, since a new level-1 name starts a new block.
    Every row gets level1/level2/level3.
    """
    level1 = level2 = ""
    out = []
    for row in rows:
        row = dict(row)
        own1 = (row.get("level1") or "").strip()
        own2 = (row.get("level2") or "").strip()
        if own1 == NO_LEVEL1:  # written where a blank would continue the name above
            level1, level2 = "", ""
        elif own1:
            level1, level2 = row["level1"], ""
        if own2:
            level2 = row["level2"]
        row["level1"], row["level2"] = level1, level2
        row["level3"] = row.get("level3") or ""
        out.append(row)
    return out


def bound_errors(doc: dict) -> list[str]:
    """Every number that would not fit its database column, by row (see reports.services.bounds)."""
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


_TYPE_NAMES = {
    "string": "文本",
    "number": "数字",
    "integer": "整数",
    "boolean": "true/false",
    "object": "对象 {…}",
    "array": "列表 […]",
    "null": "null",
}


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float, Decimal)):
        return "数字"
    return _TYPE_NAMES.get({str: "string", dict: "object", list: "array"}.get(type(value), ""), type(value).__name__)


def _schema_message(err) -> str:
    validator = err.validator
    if validator == "required":
        missing = [name for name in err.validator_value if name not in (err.instance or {})]
        return "缺少必填项 " + "、".join(missing)
    defs = schema()["$defs"]
    decimal = validator == "pattern" or (
        validator in ("oneOf", "anyOf") and err.schema in (defs["decimal"], defs["decimal_or_null"])
    )
    if decimal:
        return f"“{err.instance}”不是数字"
    if validator == "oneOf" and err.context:
        # text_or_null and the like: the reason is the non-null branch's
        return _schema_message(err.context[0])
    if validator == "type":
        wanted = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        names = "或".join(_TYPE_NAMES.get(w, w) for w in wanted if w != "null")
        return f"类型应为{names}，实际为{_type_name(err.instance)}"
    if validator == "enum":
        choices = "、".join(str(v) for v in err.validator_value if v is not None)
        return f"“{err.instance}”不是可选值（{choices}）"
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


def or_default(value: Decimal | None, default: Decimal) -> Decimal:
    """A blank figure as the default; 0 stays 0 (`or` would take it for blank)."""
    return default if value is None else value


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
        fixed_execution_weight=_fixed_weight(rules.get("fixed_execution_weight"), defaults.fixed_execution_weight),
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


def _fixed_weight(value: Any, default: Decimal | None) -> Decimal | None:
    """false: not fixed (null is absent in the format, so it cannot say so); absent: the default."""
    if value is False:
        return None
    return default if value is None else dec(value)


def rules_to_document(rules: engine.RuleSet) -> dict:
    step = None
    if rules.execution_step_per is not None or rules.execution_step_deduct is not None:
        step = {"per": num(rules.execution_step_per), "deduct": num(rules.execution_step_deduct)}
    return {
        "execution_denominator": rules.execution_denominator,
        "execution_cap": rules.execution_cap,
        "fixed_execution_weight": False if rules.fixed_execution_weight is None else num(rules.fixed_execution_weight),
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
            row=r.get("row", ""),
            initial=to_wanyuan(dec(r.get("initial")), unit),
            annual=to_wanyuan(dec(r.get("annual")), unit),
            executed=to_wanyuan(dec(r.get("executed")), unit),
            rate_text=r.get("rate_text", ""),
        )
        for r in budget["rows"]
    )
    tasks = tuple(
        engine.Task(
            name=t.get("name", ""),
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
            level1=r.get("level1", ""),
            level2=r.get("level2", ""),
            level3=r.get("level3", ""),
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
            execution_weight=or_default(dec(budget.get("execution_weight")), Decimal("10")),  # 0 is a weight
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
