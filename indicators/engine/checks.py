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
    NO_LEVEL1,
    Budget,
    Finding,
    IndicatorRow,
    Level1Node,
    RuleSet,
    Task,
)
from indicators.engine.values import BAD, HUNDRED, TEN_THOUSAND, ZERO, as_items, clean_num, clean_text
from indicators.engine.values import num as read_num

_DEFAULT_FIXED = RuleSet().fixed_execution_weight

# --------------------------------------------------------------------------- template


def _is_execution_name(name: str) -> bool:
    """A level-3 name that measures budget execution (预算执行率, 资金执行率, 执行率)."""
    if "率" not in name:  # most names: answered without the join below (every row, twice a report)
        return False
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
    na_sums: dict[str, Decimal] = {}
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
        if w is not None and w > ZERO:
            if applicable:
                sums[l1] += w
            else:
                na_sums[l1] = na_sums.get(l1, ZERO) + w
        names.append((i, l1, l3, applicable))
    ew, _ = clean_num(execution_weight)
    rescale = getattr(rules, "not_applicable", "move") == "rescale"
    _template_checks(out, nodes, sums, first, names, ew, rules, weight_note, narrative, na_sums if rescale else None)
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
    na_sums: dict[str, Decimal] | None = None,
) -> None:
    """Shared by template_findings and score_report (which has the sums already).

    `na_sums` (weights of not-applicable rows per level-1 name) is given under the rule
    "rescale": dropped weight then still counts towards the parent's weight and the 100,
    since the total is rescaled instead of the weight being moved.
    """
    na = na_sums if na_sums is not None else {}
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
    grand = ew if ew is not None and ew > ZERO else ZERO
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
        if not applicable and na_sums is not None:
            # Rescaled, not moved: the dropped weight is still part of the 100.
            gone = std if std is not None else w
            if gone is not None and gone > ZERO:
                grand += gone
                parts.append(f"{name}（不适用）{num(gone)}")
            if children > ZERO:
                out.append(
                    F.finding(
                        F.TEMPLATE_WEIGHTS,
                        "template." + name,
                        f"{name} 不适用，但其下三级指标合计 {num(children)} 分",
                    )
                )
            continue
        children += na.get(name, ZERO)
        if not applicable or ((w is None or w == ZERO) and std is not None and std > ZERO):
            dropped.append((name, std if std is not None else w))
            if children > ZERO:
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
                label = name or NO_LEVEL1
                if not name:  # rows under no level-1 label count straight into the total
                    grand += sums[name] + na.get(name, ZERO)
                    parts.append(f"{label} {num(sums[name] + na.get(name, ZERO))}")
                    continue
                out.append(
                    F.finding(
                        F.TEMPLATE_UNKNOWN_LEVEL1,
                        f"indicators[{i}]",
                        f"一级指标“{label}”不在模板中，其三级指标合计 {num(sums[name])} 分",
                    )
                )
                grand += sums[name] + na.get(name, ZERO)
                parts.append(f"{label} {num(sums[name] + na.get(name, ZERO))}")
    else:
        for name in first:
            w = sums.get(name, ZERO) + na.get(name, ZERO)
            grand += w
            parts.append(f"{name or NO_LEVEL1} {num(w)}")
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
    execution_scored = ew is not None and ew > ZERO
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


def _same_shown(a: Decimal, b: Decimal) -> bool:
    """Equal as the table shows amounts (2 places); exact equality first, it is the usual case."""
    return a == b or round_half_up(a) == round_half_up(b)


def _rate_check(out, where: str, label: str, executed, denom, rate_text: str) -> None:
    """Recompute a printed rate and compare it at the precision it was printed with."""
    if not rate_text or executed is None or denom is None or denom == ZERO:
        return
    printed = parse_measure(rate_text).value
    if printed is None:
        return
    exp = printed.as_tuple().exponent
    places = min(-exp, 8) if exp < 0 else 0
    if denom > ZERO and executed >= ZERO:
        # Half up: the rate rounds to `printed` iff printed − ½ulp ≤ rate < printed + ½ulp.
        # Checked by multiplying out, a long division only when it does not.
        half = Decimal(5).scaleb(-places - 1)
        x = executed * HUNDRED
        if (printed - half) * denom <= x < (printed + half) * denom:
            return
    rate = executed * HUNDRED / denom
    if round_half_up(rate, places) == printed:
        return
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


def _read(out: list[Finding], where: str, name: str, column: str, x: object) -> Decimal | None:
    v = read_num(x)
    if v is BAD:
        out.append(F.finding(F.VALUE_INVALID, where, f"{name} {column} 不是可用的数值，按空白处理"))
        return None
    return v


def _row_values(out: list[Finding], budget: Budget) -> dict[str, tuple]:
    """key -> (initial, annual, executed, rate_text) of the budget rows, first of each key."""
    rows: dict[str, tuple] = {}
    for r in as_items(getattr(budget, "rows", None)):
        key = getattr(r, "row", "")
        if not isinstance(key, str):
            key = clean_text(key)
        key = key.strip()
        if key not in _ROW_LABELS or key in rows:
            continue
        where = "budget." + key
        label = _ROW_LABELS[key]
        rows[key] = (
            _read(out, where, label, "年初预算数", getattr(r, "initial", None)),
            _read(out, where, label, "全年预算数", getattr(r, "annual", None)),
            _read(out, where, label, "执行数", getattr(r, "executed", None)),
            clean_text(getattr(r, "rate_text", "")),
        )
    return rows


# (value, where, row or task name, column) of every amount, for the 万元 checks.
_Amounts = list[tuple[Decimal, str, str, str]]


def table_findings(budget: Budget, tasks: Iterable[Task], rules: RuleSet | None = None) -> list[Finding]:
    """Rates, sums, over-execution and implausible amounts of the budget and task tables."""
    out: list[Finding] = []
    unit = clean_text(getattr(budget, "unit", "")).strip()
    rows = _row_values(out, budget)
    amounts: _Amounts = []

    for key, values in rows.items():
        label = _ROW_LABELS[key]
        where = "budget." + key
        for v, (_, flabel) in zip(values, _FIELDS, strict=False):
            if v is None:
                continue
            if v < ZERO:
                out.append(F.finding(F.AMOUNT_NEGATIVE, where, f"{label} {flabel} 为负数：{two(v)}"))
            amounts.append((v, where, label, flabel))
        initial, annual, executed, rate_text = values
        _rate_check(out, where, label, executed, annual if annual is not None else initial, rate_text)
        if executed is not None and annual is not None and annual > ZERO and executed > annual:
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
            for f, (_, flabel) in enumerate(_FIELDS):
                t = total[f]
                figures = [(p, rows[p][f]) for p in present if rows[p][f] is not None]
                if t is None or not figures:
                    continue
                s = figures[0][1] if len(figures) == 1 else figures[0][1] + figures[1][1]
                if not _same_shown(s, t):
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


_TASK_FIELDS = ("预算资金", "其中财政资金", "预算执行数", "执行数其中财政资金")
# Task column -> (budget row, its column, label) that the column's sum must equal.
_TASK_TOTALS = (
    ("total", 1, "全年预算数"),
    ("fiscal", 1, "财政性资金全年预算数"),
    ("total", 2, "执行数"),
    ("fiscal", 2, "财政性资金执行数"),
)


def _task_checks(out: list[Finding], tasks: object, rows: dict[str, tuple], amounts: _Amounts) -> None:
    task_list = as_items(tasks)
    if not task_list:
        return
    sums = [ZERO, ZERO, ZERO, ZERO]
    complete = [True, True, True, True]
    for i, task in enumerate(task_list):
        where = f"tasks[{i}]"
        name = clean_text(getattr(task, "name", "")).strip() or f"任务{i + 1}"
        values = (
            _read(out, where, name, "预算资金", getattr(task, "budget", None)),
            _read(out, where, name, "其中财政资金", getattr(task, "budget_fiscal", None)),
            _read(out, where, name, "预算执行数", getattr(task, "executed", None)),
            _read(out, where, name, "执行数其中财政资金", getattr(task, "executed_fiscal", None)),
        )
        for f, v in enumerate(values):
            if v is None:
                complete[f] = False
                continue
            sums[f] += v
            if v < ZERO:
                out.append(F.finding(F.AMOUNT_NEGATIVE, where, f"{name} {_TASK_FIELDS[f]} 为负数：{two(v)}"))
            amounts.append((v, where, name, _TASK_FIELDS[f]))
        b, bf, e, ef = values
        _rate_check(out, where, name, e, b, clean_text(getattr(task, "rate_text", "")))
        if b is not None and e is not None and b > ZERO and e > b:
            out.append(
                F.finding(
                    F.BUDGET_OVER,
                    where,
                    f"{name} 预算执行数 {two(e)} 超过预算资金 {two(b)}（执行率 {pct(e * HUNDRED / b)}）",
                )
            )
        for part, whole in ((bf, b), (ef, e)):
            if part is not None and whole is not None and part > whole:
                out.append(F.finding(F.BUDGET_SUM, where, f"{name} 其中财政资金 {two(part)} 超过 {two(whole)}"))
    for f, (key, column, label) in enumerate(_TASK_TOTALS):
        row = rows.get(key)
        if row is None or not complete[f] or row[column] is None:
            continue
        if not _same_shown(sums[f], row[column]):
            out.append(
                F.finding(
                    F.BUDGET_SUM,
                    "tasks",
                    f"各项任务{_TASK_FIELDS[f]}合计 {two(sums[f])}，与预算表{label} {two(row[column])} 不一致",
                )
            )


def _unit_checks(out: list[Finding], amounts: _Amounts, total: tuple | None) -> None:
    """万元 figures that are 元: 10⁴ times the total, or exactly 10⁴ times another figure."""
    limit = ref = None
    if total is not None:
        ref = total[1] if total[1] is not None else total[2]
        if ref is not None and ref > ZERO:
            limit = ref * TEN_THOUSAND
    positive = [a for a in amounts if a[0] > ZERO]
    if not positive:
        return
    # Only a figure at least 10⁴ times the smallest can be 10⁴ times another; in a sane
    # table there is none, and no Decimal gets hashed (that is slow).
    floor = min(a[0] for a in positive) * TEN_THOUSAND
    for v, where, name, column in positive:
        if limit is not None and v >= limit:
            out.append(
                F.finding(
                    F.AMOUNT_UNIT,
                    where,
                    f"{name} {column} {two(v)} 万元 超过部门预算总额 {two(ref)} 万元的一万倍，疑似以元填写",
                )
            )
            continue
        if v < floor:
            continue
        target = v.scaleb(-4)  # exact: only the exponent moves
        small = next((a for a in positive if a[0] == target), None)
        if small is not None:
            out.append(
                F.finding(
                    F.AMOUNT_UNIT,
                    where,
                    f"{name} {column} {two(v)} 恰为{small[2]} {small[3]} {two(small[0])} 的一万倍，疑似以元填写",
                )
            )
