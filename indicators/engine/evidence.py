"""Checks of what a row's figures and words rest on (issue 14).

- a level-3 row whose target and actual are the budget's 全年预算数 and 执行数 scores execution
  a second time (the name-based check in checks.py catches rows called 预算执行率; this one
  catches the same thing under another name, and is not repeated for a row already reported);
- an execution row's reason stating an unspent share (剩余/未支付/未执行/尾款 x%) that is not
  100 − the rate;
- an execution row's actual printed as a rate that the budget table does not give at that
  precision;
- a full self score on a row with neither target nor actual (nothing to check it against).

Every input goes through clean_num/clean_text: whatever a file carried, no exception.
"""

from __future__ import annotations

import re
from decimal import Decimal

from indicators.engine import findings as F
from indicators.engine.checks import _is_execution_name
from indicators.engine.fmt import num, pct, two
from indicators.engine.narrative.values import _pct_matches
from indicators.engine.rows import _measure
from indicators.engine.types import Finding, IndicatorRow
from indicators.engine.values import HUNDRED, TEN_THOUSAND, ZERO, as_items, clean_num, clean_text

_FACTORS = ((Decimal(1), ""), (TEN_THOUSAND, "（以元填写）"), (Decimal("0.0001"), "（以万元填写）"))
_UNSPENT_WORDS = ("剩余", "未支付", "未执行", "尾款")
_PERCENT = re.compile(r"([0-9]+(?:\.[0-9]+)?) ?[%％]")
_CLAUSE_ENDS = re.compile("[，,。；;！!？?\n]")
# A percentage right after these is a rate, not the unspent share.
_RATE_WORDS = ("执行率", "完成率", "支付率", "到位率")


def _places(d: Decimal) -> int:
    exp = d.normalize().as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


def _value(number: object, text: str) -> Decimal | None:
    v = clean_num(number)[0]
    if v is None and text.strip():
        v = _measure(text).value  # parsed once per distinct text, shared with rows.py
    return v


def _rates(budget: object, rate: Decimal | None) -> list[Decimal]:
    """Every execution rate the budget table gives (total first): what an execution row may show."""
    rates = [rate] if rate is not None else []
    for r in as_items(getattr(budget, "rows", None)):
        executed, _ = clean_num(getattr(r, "executed", None))
        for denom_name in ("annual", "initial"):
            denom, _ = clean_num(getattr(r, denom_name, None))
            if executed is not None and denom is not None and denom > ZERO and executed >= ZERO:
                rates.append(executed * HUNDRED / denom)
    return rates


def _total_amounts(budget: object) -> tuple[list[tuple[Decimal, str]], Decimal | None]:
    for r in as_items(getattr(budget, "rows", None)):
        if getattr(r, "row", None) == "total":
            executed, _ = clean_num(getattr(r, "executed", None))
            denoms = []
            for name, label in (("annual", "全年预算数"), ("initial", "年初预算数")):
                d, _ = clean_num(getattr(r, name, None))
                if d is not None and d > ZERO and all(d != x for x, _ in denoms):
                    denoms.append((d, label))
            return denoms, executed
    return [], None


def evidence_findings(indicators: object, budget: object, rate: Decimal | None, reported: set[str]) -> list[Finding]:
    """`rate`: the execution rate of the 预算执行率 level 1 (None when not computed);
    `reported`: the `where`s already reported as scoring execution twice (by name).

    On the hot path (every row of every report): each check first looks at what is cheap to
    read and reads the rest only for the few rows it may concern.
    """
    out: list[Finding] = []
    ew, _ = clean_num(getattr(budget, "execution_weight", None))
    denoms, executed = _total_amounts(budget)
    # The actuals that may be the total's 执行数 (in the table's unit, 元 or 万元).
    executed_as = (
        tuple((executed * f, f, note) for f, note in _FACTORS)
        if ew is not None and ew > ZERO and executed is not None and denoms
        else ()
    )
    rates = None
    for i, row in enumerate(as_items(indicators)):
        if not isinstance(row, IndicatorRow):
            continue
        if row.applicable is False:
            continue
        actual_text, l3 = row.actual_text, row.level3
        if type(actual_text) is not str or type(l3) is not str:  # clean_text only for broken input, as rows.py
            actual_text, l3 = clean_text(actual_text), clean_text(l3)
        actual = None
        actual_read = False
        is_execution = _is_execution_name(l3) if l3 else False

        # Execution scored a second time, by amounts. Not repeated for a row the name-based
        # check reported: one finding says it, and that one names the level-1 it duplicates.
        if executed_as or is_execution:
            actual, actual_read = _value(row.actual, actual_text), True
        if executed_as and actual is not None:
            for x, f, note in executed_as:
                if actual == x:
                    where = f"indicators[{i}]"
                    if where not in reported:
                        target = _value(row.target, clean_text(row.target_text))
                        for denom, label in denoms:
                            if target is not None and target == denom * f:
                                out.append(
                                    F.finding(
                                        F.TEMPLATE_DUPLICATE_EXECUTION_AMOUNTS,
                                        where,
                                        f"{_name(row, l3, i)}：指标值 {num(target)} 和实际完成值 {num(actual)} "
                                        f"即部门预算总额的{label} {two(denom)} 和执行数 {two(executed)}{note}，"
                                        f"与一级指标预算执行率（{num(ew)} 分）重复计分",
                                    )
                                )
                                break
                    break

        if is_execution:
            if rates is None:
                rates = _rates(budget, rate)
            _execution_row(out, row, i, l3, actual, actual_text, rate, rates)

        # A full score with nothing to score it by: self score = weight > 0, no figure, no text.
        s = row.self_score
        w = row.weight
        has_target = row.target is not None or clean_text(row.target_text).strip()
        if s is None or w is None or has_target or actual_text.strip():
            continue
        if not actual_read:
            actual = _value(row.actual, actual_text)
        if actual is not None:
            continue
        w, _ = clean_num(w)
        s, _ = clean_num(s)
        if w is not None and w > ZERO and s == w:
            out.append(
                F.finding(
                    F.SCORE_NO_EVIDENCE,
                    f"indicators[{i}]",
                    f"{_name(row, l3, i)}：自评满分 {num(w)} 分，但指标值和实际完成值均空白，得分无据可查",
                )
            )
    return out


def _name(row: IndicatorRow, l3: str, i: int) -> str:
    return l3.strip() or clean_text(row.level2).strip() or clean_text(row.level1).strip() or f"第 {i + 1} 行"


def _execution_row(out, row, i, l3, actual, actual_text, rate, rates) -> None:
    """An execution row's printed rate and its reason's unspent share."""
    where = f"indicators[{i}]"
    name = _name(row, l3, i)
    unit = clean_text(row.unit).strip()
    if rate is not None and actual is not None and ("%" in unit or "%" in actual_text or "％" in actual_text):
        # Compared at the precision the row shows (86% agrees with 86.20%, not with 86.60%),
        # against every rate of the budget table (a row may measure 项目支出's).
        printed = _measure(actual_text).value if actual_text.strip() else None
        shown = printed if printed is not None else actual
        places = _places(shown)
        if places <= 6 and not any(_pct_matches(shown, places, r) for r in rates):
            out.append(
                F.finding(
                    F.RATE_PRINTED,
                    where,
                    f"{name}：实际完成值 {num(shown)}%，按预算表计算部门预算总额执行率为 {pct(rate)}，"
                    f"在所写精度上不一致",
                )
            )
    _reason_figures(out, where, name, clean_text(row.reason), rates, actual if "%" in unit else None)


def _reason_figures(out: list, where: str, name: str, reason: str, rates: list, row_rate: Decimal | None) -> None:
    """A stated unspent share (剩余3%) that is not 100 − any rate the table or the row gives."""
    if not reason or not any(w in reason for w in _UNSPENT_WORDS):
        return
    candidates = [r for r in ([row_rate] if row_rate is not None else []) + list(rates) if r <= HUNDRED]
    if not candidates:
        return
    start = 0
    for end_match in [*_CLAUSE_ENDS.finditer(reason), None]:
        end = end_match.start() if end_match is not None else len(reason)
        clause = reason[start:end]
        start = end + 1
        if not any(w in clause for w in _UNSPENT_WORDS):
            continue
        for m in _PERCENT.finditer(clause):
            if any(rw in clause[max(0, m.start() - 6) : m.start()] for rw in _RATE_WORDS):
                continue
            printed = Decimal(m.group(1))
            places = len(m.group(1).partition(".")[2])
            if any(_pct_matches(printed, places, HUNDRED - r) for r in candidates):
                continue
            r = candidates[0]
            out.append(
                F.finding(
                    F.REASON_FIGURE_CONTRADICTS,
                    where,
                    f"{name}：原因写“{clause.strip()}”，但执行率为 {pct(r)}，未执行部分为 {pct(HUNDRED - r)}",
                )
            )
            return
