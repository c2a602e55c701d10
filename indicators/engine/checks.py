"""Template and table checks (domain.md §5) that need no scores.

`template_findings` is public: the admin runs it on a template alone. The table
checks recompute every rate and sum of the budget and task tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from indicators.engine import findings as F
from indicators.engine.fmt import num, pct, two
from indicators.engine.numbers import round_half_up
from indicators.engine.parse import parse_measure
from indicators.engine.types import (
    EXECUTION_LEVEL1,
    Budget,
    Finding,
    IndicatorRow,
    Level1Node,
    RuleSet,
    Task,
)
from indicators.engine.values import HUNDRED, TEN_THOUSAND, ZERO, as_items, clean_num, clean_text

_DEFAULT_FIXED = RuleSet().fixed_execution_weight

# --------------------------------------------------------------------------- template


def _is_execution_name(name: str) -> bool:
    """A level-3 name that measures budget execution (预算执行率, 资金执行率, 执行率)."""
    n = "".join(name.split())
    if "执行率" not in n:
        return False
    return n == "执行率" or "预算" in n or "资金" in n or "支出" in n


def _narrative_text(narrative: object) -> str:
    if isinstance(narrative, str):
        return narrative
    parts = []
    for item in as_items(narrative):
        if isinstance(item, tuple | list) and len(item) == 2:
            parts.append(clean_text(item[1]))
        else:
            parts.append(clean_text(item))
    return "\n".join(parts)


def template_findings(
    level1: Iterable[Level1Node],
    rows: Iterable[IndicatorRow],
    execution_weight: object,
    *,
    rules: RuleSet | None = None,
    weight_note: str | None = None,
    narrative: object = None,
) -> list[Finding]:
    """Weights and structure of a template (or of a report's indicator table).

    `weight_note` None means no report is at hand (the admin checking a template):
    weight moves are then reported as needing a statement rather than as unstated.
    """
    out: list[Finding] = []
    row_list = as_items(rows)
    nodes = list(as_items(level1))
    # Σ applicable row weights per level-1 name, in order of first appearance.
    sums: dict[str, Decimal] = {}
    first: dict[str, int] = {}
    names: list[tuple[int, str, str, bool]] = []
    for i, row in enumerate(row_list):
        try:
            l1 = clean_text(row.level1).strip()
            l3 = clean_text(row.level3).strip()
            applicable = row.applicable is not False
            w, _ = clean_num(row.weight)
        except AttributeError:
            continue
        if l1 not in first:
            first[l1] = i
            sums[l1] = ZERO
        if applicable and w is not None and w > 0:
            sums[l1] += w
        names.append((i, l1, l3, applicable))
    ew, _ = clean_num(execution_weight)
    _template_checks(out, nodes, sums, first, names, ew, rules, weight_note, narrative)
    return out


def _template_checks(
    out: list[Finding],
    nodes: list,
    sums: dict[str, Decimal],
    first: dict[str, int],
    names: list[tuple[int, str, str, bool]],
    ew: Decimal | None,
    rules: RuleSet | None,
    weight_note: str | None,
    narrative: object,
) -> None:
    """Shared by template_findings and score_report (which has the sums already)."""
    fixed = getattr(rules, "fixed_execution_weight", _DEFAULT_FIXED) if rules is not None else _DEFAULT_FIXED
    fixed, _ = clean_num(fixed)
    if fixed is not None and ew != fixed:
        out.append(
            F.finding(
                F.TEMPLATE_EXECUTION_WEIGHT,
                "template." + EXECUTION_LEVEL1,
                f"一级指标预算执行率分值为 {num(ew)}，规则规定固定为 {num(fixed)} 分",
            )
        )
    grand = ew if ew is not None and ew > 0 else ZERO
    parts = [f"预算执行率 {num(ew)}"]
    declared: dict[str, object] = {}
    dropped: list[tuple[str, Decimal | None]] = []
    changed: list[tuple[str, Decimal | None, Decimal]] = []
    for node in nodes:
        name = clean_text(getattr(node, "name", "")).strip()
        if not name or name in declared:
            continue
        declared[name] = node
        w, _ = clean_num(getattr(node, "weight", None))
        std, _ = clean_num(getattr(node, "standard_weight", None))
        applicable = getattr(node, "applicable", True) is not False
        children = sums.get(name, ZERO)
        if not applicable or ((w is None or w == 0) and std is not None and std > 0):
            dropped.append((name, std if std is not None else w))
            if children > 0:
                out.append(
                    F.finding(
                        F.TEMPLATE_WEIGHTS,
                        "template." + name,
                        f"{name} 未设置（不适用），但其下三级指标合计 {num(children)} 分",
                    )
                )
            continue
        if w is None:
            out.append(F.finding(F.TEMPLATE_WEIGHTS, "template." + name, f"{name} 分值空白"))
            w = ZERO
        elif children != w:
            out.append(
                F.finding(
                    F.TEMPLATE_WEIGHTS,
                    "template." + name,
                    f"{name} 分值 {num(w)}，其三级指标分值合计 {num(children)}，二者应相等",
                )
            )
        grand += w
        parts.append(f"{name} {num(w)}")
        if std is not None and std != w:
            changed.append((name, std, w))
    if declared:
        for name, i in first.items():
            if name not in declared:
                label = name or "（空白）"
                out.append(
                    F.finding(
                        F.TEMPLATE_UNKNOWN_LEVEL1,
                        f"indicators[{i}]",
                        f"一级指标“{label}”不在模板中，其三级指标合计 {num(sums[name])} 分",
                    )
                )
                grand += sums[name]
                parts.append(f"{label} {num(sums[name])}")
    else:
        for name, w in sums.items():
            grand += w
            parts.append(f"{name or '（空白）'} {num(w)}")
    if grand != HUNDRED:
        out.append(
            F.finding(
                F.TEMPLATE_WEIGHTS,
                "template",
                f"一级指标分值合计 {num(grand)}（{' + '.join(parts)}），应为 100",
            )
        )
    if dropped or changed:
        _weight_moves(out, dropped, changed, weight_note, narrative)
    _duplicates(out, names, ew)


def _weight_moves(out, dropped, changed, weight_note, narrative) -> None:
    text = _narrative_text(narrative)
    noted = weight_note is not None and bool(clean_text(weight_note).strip())
    receivers = [c for c in changed if c[1] is not None and c[2] > c[1]]
    moved_to = "、".join(f"{n}（{num(s)}→{num(w)} 分）" for n, s, w in receivers)

    def tail(stated: bool) -> tuple[str, str]:
        if weight_note is None:
            return "，报告中须予说明", F.INFO
        return ("，报告中已说明", F.INFO) if stated else ("，报告中未见说明", F.WARNING)

    for name, std in dropped:
        head = f"{name}（原 {num(std)} 分）未设置" if std is not None else f"{name} 未设置"
        head += f"，其分值已移至{moved_to}" if moved_to else "，其分值去向未标明"
        suffix, severity = tail(noted or name in text)
        out.append(F.finding(F.TEMPLATE_WEIGHT_MOVED, "template." + name, head + suffix, severity))
    if not dropped:
        for name, std, w in changed:
            stated = noted or any(name in s and "调整" in s for s in text.split("。"))
            suffix, severity = tail(stated)
            msg = f"{name} 分值由 {num(std)} 调整为 {num(w)} 分" + suffix
            out.append(F.finding(F.TEMPLATE_WEIGHT_MOVED, "template." + name, msg, severity))


def _duplicates(out: list[Finding], names: list[tuple[int, str, str, bool]], ew: Decimal | None) -> None:
    seen: dict[str, int] = {}
    execution_scored = ew is not None and ew > 0
    for i, l1, l3, applicable in names:
        key = "".join(l3.split())
        if not key:
            continue
        if key in seen:
            j = seen[key]
            out.append(
                F.finding(
                    F.TEMPLATE_DUPLICATE_NAME,
                    f"indicators[{i}]",
                    f"三级指标“{l3}”重复出现（第 {j + 1} 行 indicators[{j}] 同名），同一事项不应重复计分",
                )
            )
        else:
            seen[key] = i
        if execution_scored and applicable and _is_execution_name(key):
            out.append(
                F.finding(
                    F.TEMPLATE_DUPLICATE_MEASURE,
                    f"indicators[{i}]",
                    f"三级指标“{l3}”（{l1}）与一级指标预算执行率（{num(ew)} 分）度量同一事项，"
                    "执行率被重复计分且可能目标不同",
                )
            )


# --------------------------------------------------------------------------- tables

_ROW_LABELS = {
    "total": "部门预算总额",
    "fiscal": "财政性资金",
    "other": "其他资金",
    "basic": "基本支出",
    "project": "项目支出",
}
_FIELDS = (("initial", "年初预算数"), ("annual", "全年预算数"), ("executed", "执行数"))


def _printed_places(text: str) -> int:
    m = parse_measure(text)
    if m.value is None:
        return -1
    exp = m.value.as_tuple().exponent
    return min(max(-exp, 0), 8) if isinstance(exp, int) else -1


def _rate_check(out, where: str, label: str, executed, denom, rate_text: str) -> None:
    """Recompute a printed rate and compare it at the precision it was printed with."""
    if not rate_text or executed is None or denom is None or denom == 0:
        return
    printed = parse_measure(rate_text).value
    places = _printed_places(rate_text)
    if printed is None or places < 0:
        return
    rate = executed * HUNDRED / denom
    if round_half_up(rate, places) == printed:
        return
    hint = ""
    if places >= 2 and round_half_up(rate, 1) == printed:
        hint = f"；{rate_text.strip()} 是一位小数的结果补零，应为 {pct(rate)}"
    elif printed == HUNDRED and rate > HUNDRED:
        hint = "；疑似把超预算执行封顶为 100%"
    else:
        implied = printed * denom / HUNDRED
        hint = f"；印刷的执行率对应执行数约 {num(round_half_up(implied, 4))}，疑似由未取整的金额算出"
    out.append(
        F.finding(
            F.RATE_PRINTED,
            where,
            f"{label} 执行率印刷为 {rate_text.strip()}，按 {two(executed)} ÷ {two(denom)} 计算为 {pct(rate)}{hint}",
        )
    )


def _row_values(out: list[Finding], budget: Budget) -> dict[str, dict[str, Decimal | None]]:
    rows: dict[str, dict[str, Decimal | None]] = {}
    for r in as_items(getattr(budget, "rows", None)):
        key = clean_text(getattr(r, "row", "")).strip()
        if key not in _ROW_LABELS or key in rows:
            continue
        vals: dict[str, Decimal | None] = {}
        for field, label in _FIELDS:
            v, bad = clean_num(getattr(r, field, None))
            if bad:
                out.append(
                    F.finding(
                        F.VALUE_INVALID,
                        "budget." + key,
                        f"{_ROW_LABELS[key]} {label} 不是可用的数值，按空白处理",
                    )
                )
            vals[field] = v
        vals["rate_text"] = clean_text(getattr(r, "rate_text", ""))  # type: ignore[assignment]
        rows[key] = vals
    return rows


def table_findings(budget: Budget, tasks: Iterable[Task], rules: RuleSet | None = None) -> list[Finding]:
    """Rates, sums, over-execution and implausible amounts of the budget and task tables."""
    out: list[Finding] = []
    unit = clean_text(getattr(budget, "unit", "")).strip()
    rows = _row_values(out, budget)
    amounts: list[tuple[Decimal, str, str]] = []  # (value, where, label) for the 万元 checks

    for key, vals in rows.items():
        label = _ROW_LABELS[key]
        where = "budget." + key
        for field, flabel in _FIELDS:
            v = vals[field]
            if v is None:
                continue
            if v < 0:
                out.append(F.finding(F.AMOUNT_NEGATIVE, where, f"{label} {flabel} 为负数：{two(v)}"))
            amounts.append((v, where, f"{label} {flabel}"))
        executed, annual = vals["executed"], vals["annual"]
        denom = annual if annual is not None else vals["initial"]
        _rate_check(out, where, label, executed, denom, vals["rate_text"])  # type: ignore[arg-type]
        if executed is not None and annual is not None and annual > 0 and executed > annual:
            out.append(
                F.finding(
                    F.BUDGET_OVER,
                    where,
                    f"{label} 执行数 {two(executed)} 超过全年预算数 {two(annual)}"
                    f"（执行率 {pct(executed * HUNDRED / annual)}），属超预算执行",
                )
            )

    total = rows.get("total")
    if total is not None:
        for parts, where, what in (
            (("fiscal", "other"), "budget.sources", "资金来源"),
            (("basic", "project"), "budget.structure", "资金结构"),
        ):
            present = [p for p in parts if p in rows]
            if not present:
                continue
            for field, flabel in _FIELDS:
                t = total[field]
                figures = [(p, rows[p][field]) for p in present if rows[p][field] is not None]
                if t is None or not figures:
                    continue
                s = sum((v for _, v in figures), ZERO)
                if round_half_up(s) != round_half_up(t):
                    terms = " + ".join(f"{_ROW_LABELS[p]} {two(v)}" for p, v in figures)
                    out.append(
                        F.finding(
                            F.BUDGET_SUM,
                            where,
                            f"{what}：{terms} = {two(s)}，与部门预算总额{flabel} {two(t)} 不一致",
                        )
                    )

    _task_checks(out, tasks, rows, amounts)
    if unit == "万元":
        _unit_checks(out, amounts, total)
    return out


_TASK_FIELDS = (
    ("budget", "预算资金"),
    ("budget_fiscal", "其中财政资金"),
    ("executed", "预算执行数"),
    ("executed_fiscal", "执行数其中财政资金"),
)


def _task_checks(out, tasks, rows, amounts) -> None:
    task_list = as_items(tasks)
    if not task_list:
        return
    sums: dict[str, Decimal] = {f: ZERO for f, _ in _TASK_FIELDS}
    complete: dict[str, bool] = {f: True for f, _ in _TASK_FIELDS}
    for i, task in enumerate(task_list):
        where = f"tasks[{i}]"
        name = clean_text(getattr(task, "name", "")).strip() or f"任务{i + 1}"
        vals = {}
        for field, label in _TASK_FIELDS:
            v, bad = clean_num(getattr(task, field, None))
            if bad:
                out.append(F.finding(F.VALUE_INVALID, where, f"{name} {label} 不是可用的数值，按空白处理"))
            vals[field] = v
            if v is None:
                complete[field] = False
                continue
            sums[field] += v
            if v < 0:
                out.append(F.finding(F.AMOUNT_NEGATIVE, where, f"{name} {label} 为负数：{two(v)}"))
            amounts.append((v, where, f"{name} {label}"))
        b, e = vals["budget"], vals["executed"]
        _rate_check(out, where, name, e, b, clean_text(getattr(task, "rate_text", "")))
        if b is not None and e is not None and b > 0 and e > b:
            out.append(
                F.finding(
                    F.BUDGET_OVER,
                    where,
                    f"{name} 预算执行数 {two(e)} 超过预算资金 {two(b)}（执行率 {pct(e * HUNDRED / b)}）",
                )
            )
        for part, whole in (("budget_fiscal", "budget"), ("executed_fiscal", "executed")):
            p, w = vals[part], vals[whole]
            if p is not None and w is not None and p > w:
                out.append(
                    F.finding(
                        F.BUDGET_SUM,
                        where,
                        f"{name} 其中财政资金 {two(p)} 超过 {two(w)}",
                    )
                )
    total, fiscal = rows.get("total"), rows.get("fiscal")
    for field, row, rfield, label in (
        ("budget", total, "annual", "全年预算数"),
        ("executed", total, "executed", "执行数"),
        ("budget_fiscal", fiscal, "annual", "财政性资金全年预算数"),
        ("executed_fiscal", fiscal, "executed", "财政性资金执行数"),
    ):
        if row is None or not complete[field] or row[rfield] is None:
            continue
        if round_half_up(sums[field]) != round_half_up(row[rfield]):
            tlabel = dict(_TASK_FIELDS)[field]
            out.append(
                F.finding(
                    F.BUDGET_SUM,
                    "tasks",
                    f"各项任务{tlabel}合计 {two(sums[field])}，与预算表{label} {two(row[rfield])} 不一致",
                )
            )


def _unit_checks(out, amounts, total) -> None:
    """万元 figures that are 元: 10⁴ times the total, or 10⁴ times another figure."""
    ref = None
    if total is not None:
        ref = total["annual"] if total["annual"] is not None else total["executed"]
    flagged: set[tuple[str, str]] = set()
    index: dict[Decimal, tuple[str, str]] = {}
    for v, where, label in amounts:
        if v > 0 and (v, label) not in index:
            index.setdefault(v, (where, label))
    for v, where, label in amounts:
        if v <= 0 or (where, label) in flagged:
            continue
        if ref is not None and ref > 0 and v >= ref * TEN_THOUSAND:
            flagged.add((where, label))
            out.append(
                F.finding(
                    F.AMOUNT_UNIT,
                    where,
                    f"{label} {two(v)} 万元 超过部门预算总额 {two(ref)} 万元的一万倍，疑似以元填写",
                )
            )
            continue
        small = index.get(v / TEN_THOUSAND)
        if small is not None:
            flagged.add((where, label))
            out.append(
                F.finding(
                    F.AMOUNT_UNIT,
                    where,
                    f"{label} {two(v)} 恰为{small[1]} {two(v / TEN_THOUSAND)} 的一万倍，疑似以元填写",
                )
            )
