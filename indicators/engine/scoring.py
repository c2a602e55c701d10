"""Scoring a report by a rule set (domain.md §4) and reporting what does not add up.

`score_report` never raises: whatever a form or file carried, it returns a result,
and what it could not use or does not believe becomes a Finding. Row scores and
the execution score are rounded once, 2 places half up, from exact stored
values; subtotals and totals are sums of those rounded scores.

Which score a row's `self_score` in the result holds: with
quantitative_scores "self-checked", what the department typed; with "computed",
the rule's score for measured quantitative rows (the typed one, if different,
becomes an info finding), and what was typed elsewhere.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from indicators.engine import findings as F
from indicators.engine.checks import _template_checks, table_findings, template_findings
from indicators.engine.fmt import num, pct, two
from indicators.engine.numbers import round_half_up
from indicators.engine.parse import Measure, parse_measure
from indicators.engine.types import (
    EXECUTION_LEVEL1,
    KINDS,
    SIGNS,
    TIERS,
    Budget,
    Finding,
    IndicatorRow,
    Level1Result,
    Level2Result,
    ReportInput,
    ReportResult,
    RowResult,
    RuleSet,
)
from indicators.engine.values import (
    CENT,
    HUNDRED,
    ZERO,
    as_items,
    clean_num,
    clean_text,
    is_blank_reason,
)

__all__ = ["grade_for", "score_report", "template_findings"]

_DEFAULT_RULES = RuleSet()
_GRADES = ("优", "良", "中", "差")
_SIGN_SYMBOL = {">=": "≥", "<=": "≤", "=": "="}
_TIER_NAMES = {
    "met": "达成年度指标",
    "partial": "部分达成年度指标并具有一定效果",
    "unmet": "未达成年度指标且效果较差",
}
_TIER_ALIASES = {
    "达成": "met",
    "达成年度指标": "met",
    "达成预期指标": "met",
    "部分达成": "partial",
    "部分达成年度指标并具有一定效果": "partial",
    "部分达成预期指标并具有一定效果": "partial",
    "未达成": "unmet",
    "未达成年度指标且效果较差": "unmet",
    "未达成预期指标且效果较差": "unmet",
}
_KIND_ALIASES = {
    "定量": "quantitative",
    "定性": "qualitative",
    "定量指标": "quantitative",
    "定性指标": "qualitative",
}
_EMPTY_MEASURE = Measure(None, None, "", False)
_SUSPICIOUS_UNIT_CHARS = frozenset("0123456789≥≤=<>＝＞＜≧≦")


# --------------------------------------------------------------------------- rules


class _Rules:
    """A RuleSet checked once and turned into ready-to-use constants."""

    __slots__ = (
        "bands",
        "cap",
        "caps",
        "computed",
        "denominator",
        "findings",
        "fixed_execution",
        "linear",
        "over_deduct",
        "over_k",
        "rules",
        "step_deduct",
        "step_per",
        "tier_hi",
        "tier_lo",
        "tiers_pct",
        "tolerance",
    )

    def __init__(self, rs: object) -> None:
        bad: list[str] = []
        d = _DEFAULT_RULES

        def opt(name: str, allowed: tuple[str, ...]) -> str:
            v = getattr(rs, name, getattr(d, name))
            if v in allowed:
                return v
            bad.append(f"{name}={v!r}")
            return getattr(d, name)

        def dec(name: str, lo: Decimal | None = None, hi: Decimal | None = None, none_ok: bool = False):
            v = getattr(rs, name, getattr(d, name))
            if v is None and none_ok:
                return None
            x, _ = clean_num(v)
            if x is None or (lo is not None and x < lo) or (hi is not None and x > hi):
                bad.append(f"{name}={v!r}")
                return getattr(d, name)
            return x

        self.rules = rs if isinstance(rs, RuleSet) else d
        self.denominator = opt("execution_denominator", ("annual", "initial"))
        cap = getattr(rs, "execution_cap", d.execution_cap)
        if not isinstance(cap, bool):
            bad.append(f"execution_cap={cap!r}")
            cap = d.execution_cap
        self.cap = cap
        method = opt("execution_method", ("proportional", "step"))
        self.step_per = self.step_deduct = None
        if method == "step":
            per, _ = clean_num(getattr(rs, "execution_step_per", None))
            deduct, _ = clean_num(getattr(rs, "execution_step_deduct", None))
            if per is None or per <= 0 or deduct is None or deduct < 0:
                bad.append("execution_step（需每档百分点 > 0、扣分 ≥ 0）")
            else:
                self.step_per, self.step_deduct = per, deduct
        caps = []
        try:
            for pair in as_items(getattr(rs, "total_caps_by_execution", ())):
                below, top = (clean_num(x)[0] for x in pair)
                if below is None or top is None or top < 0:
                    bad.append(f"total_caps_by_execution 中的 {pair!r}")
                else:
                    caps.append((below, top))
        except (TypeError, ValueError):
            bad.append("total_caps_by_execution")
        self.caps = tuple(caps)
        self.linear = opt("reverse_formula", ("linear", "ratio")) == "linear"
        self.over_k = dec("overachievement_ratio", lo=ZERO, none_ok=True)
        if self.over_k is not None and self.over_k <= 0:
            self.over_k = None
        self.over_deduct = dec("overachievement_deduction", lo=ZERO)
        tiers = getattr(rs, "qualitative_tiers", d.qualitative_tiers)
        try:
            hi, lo = (clean_num(x)[0] for x in tiers)
            if hi is None or lo is None or not (ZERO <= lo <= hi <= HUNDRED):
                raise ValueError
        except (TypeError, ValueError):
            bad.append(f"qualitative_tiers={tiers!r}")
            hi, lo = d.qualitative_tiers
        self.tiers_pct = (hi, lo)
        self.tier_hi, self.tier_lo = hi / HUNDRED, lo / HUNDRED
        bands = getattr(rs, "grade_bands", d.grade_bands)
        try:
            b = tuple(clean_num(x)[0] for x in bands)
            if len(b) != 3 or None in b or not (b[0] >= b[1] >= b[2]):
                raise ValueError
        except (TypeError, ValueError):
            bad.append(f"grade_bands={bands!r}")
            b = d.grade_bands
        self.bands = b
        self.computed = opt("quantitative_scores", ("computed", "self-checked")) == "computed"
        self.tolerance = dec("tolerance", lo=ZERO)
        self.fixed_execution = dec("fixed_execution_weight", lo=ZERO, none_ok=True)
        self.findings = tuple(
            F.finding(F.RULES_INVALID, "rules", f"评分规则 {item} 无效，按默认规则计算") for item in bad
        )


_rules_cache: dict[object, _Rules] = {}


def _compile(rs: object) -> _Rules:
    try:
        return _rules_cache[rs]
    except KeyError:
        compiled = _Rules(rs)
        if len(_rules_cache) > 256:
            _rules_cache.clear()
        _rules_cache[rs] = compiled
        return compiled
    except TypeError:  # unhashable garbage inside the rule set
        return _Rules(rs)


def grade_for(total: Decimal | None, bands: tuple[Decimal, Decimal, Decimal] = _DEFAULT_RULES.grade_bands) -> str:
    """Half-open bands: [b0, ∞) 优, [b1, b0) 良, [b2, b1) 中, below 差 (89.999 is 良)."""
    if total is None:
        return ""
    if total >= bands[0]:
        return "优"
    if total >= bands[1]:
        return "良"
    if total >= bands[2]:
        return "中"
    return "差"


# --------------------------------------------------------------------------- execution


def _execution(budget: object, R: _Rules, out: list[Finding]):
    """(rate in percent, score, explanation) of the level-1 预算执行率."""
    w, bad = clean_num(getattr(budget, "execution_weight", None))
    if bad or w is None or w < 0:
        out.append(F.finding(F.WEIGHT_MISSING, "budget.total", "预算执行率分值空白或无效，未计分"))
        return None, None, "预算执行率分值空白或无效，未计分"
    total = None
    for r in as_items(getattr(budget, "rows", None)):
        if getattr(r, "row", None) == "total":
            total = r
            break
    field, label = ("initial", "年初预算数") if R.denominator == "initial" else ("annual", "全年预算数")
    denom, _ = clean_num(getattr(total, field, None))
    executed, _ = clean_num(getattr(total, "executed", None))
    if denom is None or executed is None:
        what = "预算总额" + ("（" + label + "）" if denom is None else "执行数")
        if denom is None and executed is None:
            what = f"部门预算总额的{label}和执行数"
        msg = f"{what}空白，预算执行率未计分"
        out.append(F.finding(F.BUDGET_BLANK, "budget.total", msg))
        return None, None, msg
    if denom == 0:
        msg = f"部门预算总额的{label}为 0，执行率无法计算，未计分"
        out.append(F.finding(F.BUDGET_ZERO, "budget.total", msg))
        return None, None, msg
    if denom < 0 or executed < 0:
        return None, None, "预算金额为负数，执行率无法计分"
    rate = executed * HUNDRED / denom
    base = f"预算执行率 = {two(executed)} ÷ {two(denom)}（{label}）= {pct(rate)}"
    if R.step_per is not None:
        short = HUNDRED - rate
        if short < 0:
            short = ZERO if R.cap else -short
        steps = short // R.step_per
        raw = w - steps * R.step_deduct
        if raw < 0:
            raw = ZERO
        score = round_half_up(raw)
        if steps == 0:
            how = "，未满一档不扣分" if short > 0 else ""
            return rate, score, f"{base}{how}，得满分 {num(w)}"
        off = "超出" if rate > HUNDRED else "低于"
        return (
            rate,
            score,
            (
                f"{base}，{off} 100% {num(short)} 个百分点，"
                f"每满 {num(R.step_per)} 个百分点扣 {num(R.step_deduct)} 分"
                f"（不足一档的部分不扣）：{num(w)} − {num(steps)} × {num(R.step_deduct)} = {num(score)}"
                + ("（最低 0 分）" if raw == 0 else "")
            ),
        )
    r = rate / HUNDRED
    if rate <= HUNDRED:
        score = round_half_up(r * w)
        if rate == HUNDRED:
            return rate, score, f"{base}，得满分 {num(w)}"
        return rate, score, f"{base}，按执行率 × {num(w)} 计分：{num(score)}"
    if R.cap:
        score = round_half_up(w)
        return rate, score, f"{base}，超过 100% 按 100% 计，得满分 {num(w)}"
    raw = (2 - r) * w
    if raw < 0:
        raw = ZERO
    score = round_half_up(raw)
    return rate, score, f"{base}，超出 100% 的部分视为偏差：(1 − |1 − {pct(rate)}|) × {num(w)} = {num(score)}"


# --------------------------------------------------------------------------- rows


def _unit_label(unit: str) -> str:
    if not unit:
        return ""
    return unit if unit[0] in "%‰" else " " + unit


def _kind_of(row, sign_raw, target, tier) -> tuple[str, bool]:
    kind = row.kind
    if kind in KINDS:
        return kind, True
    k = _KIND_ALIASES.get(clean_text(kind).strip())
    if k:
        return k, True
    blank = kind is None or kind == ""
    if sign_raw or target is not None:
        return "quantitative", blank
    if tier is not None:
        return "qualitative", blank
    return "qualitative", False


def _quantitative(i, row, name, w, self_s, R, out):
    """(score, explanation, flags, computed) of a quantitative row."""
    where = f"indicators[{i}]"
    A, badA = clean_num(row.target)
    B, badB = clean_num(row.actual)
    if badA:
        out.append(F.finding(F.VALUE_INVALID, where, f"{name}：指标值不是可用的数值，按空白处理"))
    if badB:
        out.append(F.finding(F.VALUE_INVALID, where, f"{name}：实际完成值不是可用的数值，按空白处理"))
    target_text = clean_text(row.target_text).strip()
    actual_text = clean_text(row.actual_text).strip()
    unit = clean_text(row.unit).strip()
    tm = parse_measure(target_text) if target_text else _EMPTY_MEASURE
    am = parse_measure(actual_text) if actual_text else _EMPTY_MEASURE

    sign = row.sign
    if sign not in SIGNS:
        given = clean_text(sign).strip()
        sign = parse_measure(given + "0").sign if given else None
        if sign is None:
            sign = tm.sign
        if sign is None:
            sign = ">="
            out.append(
                F.finding(
                    F.SIGN_UNKNOWN,
                    where,
                    f"{name}：指标性质{('“' + given + '”') if given else '空白'}无法识别，按 ≥ 计分",
                )
            )
    if A is None and tm.value is not None:
        A = tm.value

    if unit and not _SUSPICIOUS_UNIT_CHARS.isdisjoint(unit):
        out.append(
            F.finding(
                F.UNIT_SUSPICIOUS,
                where,
                f"{name}：度量单位栏填写为“{unit}”，应只填单位（如 %）；符号和数值应在指标值栏",
            )
        )
        if tm.has_operator:
            out.append(
                F.finding(
                    F.TARGET_AMBIGUOUS,
                    where,
                    f"{name}：指标值“{target_text}”与度量单位栏“{unit}”给出两个目标，无法确定以哪个为准",
                )
            )
        unit = tm.unit or am.unit
    elif tm.has_operator and tm.sign is not None and row.sign in SIGNS and tm.sign != row.sign:
        out.append(
            F.finding(
                F.TARGET_TEXT_DIFFERS,
                where,
                f"{name}：指标值写作“{target_text}”，与指标性质“{_SIGN_SYMBOL[row.sign]}”不一致",
            )
        )
    if not unit:
        unit = tm.unit or am.unit
    if tm.value is not None and A is not None and tm.value != A and target_text:
        out.append(
            F.finding(
                F.TARGET_TEXT_DIFFERS,
                where,
                f"{name}：指标值文字“{target_text}”与指标值 {num(A)} 不一致，按 {num(A)} 计分",
            )
        )

    u = _unit_label(unit)
    sym = _SIGN_SYMBOL[sign]
    measured = True
    if am.has_operator:
        if B is None and am.sign == "=":
            B = am.value
        if B is None:
            measured = False
        else:
            out.append(
                F.finding(
                    F.ACTUAL_OPERATOR,
                    where,
                    f"{name}：实际完成值写作“{actual_text}”，应填写实际测得的数值（如 {num(B)}{unit}），不带比较符号",
                )
            )
    elif B is None and am.value is not None:
        B = am.value
    if B is None or A is None:
        return _self_scored(where, name, w, self_s, A, actual_text, measured, out)

    flags: tuple[str, ...] = ()
    full = round_half_up(w)
    b_txt, a_txt = num(B) + u, sym + num(A) + u
    if sign != "<=":
        if A == 0:
            if sign == "=":
                ok = B == 0
                expl = f"指标值为 =0，完成值 {b_txt}" + ("，得满分 " + num(w) if ok else " 不等于 0，得 0 分")
            else:
                ok = B >= 0
                expl = f"指标值为 ≥0，完成值 {b_txt}" + (" 不低于 0，得满分 " + num(w) if ok else " 低于 0，得 0 分")
            score = full if ok else ZERO
        elif B >= A:
            score = full
            expl = f"{b_txt} 达到 {a_txt}，得满分 {num(w)}"
        else:
            if A > 0:
                raw = B * w / A
                formula = f"按完成值与指标值之比计分：{num(B)} ÷ {num(A)} × {num(w)}"
            else:
                raw = (B - A - A) * w / -A  # (1 − (A − B)/|A|) × w
                formula = f"按差距与指标值绝对值之比扣分：(1 − ({num(A)} − {num(B)}) ÷ {num(-A)}) × {num(w)}"
            if raw <= 0:
                score = ZERO
                expl = f"{b_txt} 未达到 {a_txt}，{formula} ≤ 0，得 0 分"
            else:
                score = round_half_up(raw)
                expl = f"{b_txt} 未达到 {a_txt}，{formula} = {num(score)}"
            flags = ("short",)
        k = R.over_k
        if k is not None and A > 0 and k * A <= B:
            flags = (*flags, "overachieved")
            deduct = R.over_deduct
            times = round_half_up(B / A)
            out.append(
                F.finding(
                    F.OVERACHIEVED,
                    where,
                    f"{name}：完成值 {b_txt} 为指标值 {num(A)}{unit} 的 {num(times)} 倍"
                    f"（≥{num(k)} 倍），属超额完成，"
                    "指标值可能设置偏低",
                )
            )
            if is_blank_reason(clean_text(row.reason)):
                out.append(
                    F.finding(
                        F.OVERACHIEVED_UNEXPLAINED,
                        where,
                        f"{name}：超额完成（{b_txt}，指标值 {a_txt}）须说明原因",
                    )
                )
            if deduct:
                raw = score - deduct
                score = round_half_up(raw) if raw > 0 else ZERO
                expl += f"；超额完成（≥{num(k)} 倍）扣 {num(deduct)} 分，计 {num(score)} 分"
            else:
                expl += f"；超额完成（≥{num(k)} 倍），须说明原因"
    else:
        if B <= A:
            score = full
            expl = f"{b_txt} 未超过 {a_txt}，得满分 {num(w)}"
        else:
            flags = ("short",)
            if A == 0:
                score = ZERO
                expl = f"指标值为 ≤0，完成值 {b_txt} 超过 0，得 0 分"
            elif A > 0 and not R.linear:
                score = round_half_up(A * w / B)
                expl = f"{b_txt} 超过 {a_txt}，按指标值与完成值之比计分：{num(A)} ÷ {num(B)} × {num(w)} = {num(score)}"
            else:
                absA = A if A > 0 else -A
                raw = (absA - B + A) * w / absA  # (1 − (B − A)/|A|) × w
                note = "" if A > 0 else "（指标值为负，按其绝对值）"
                if raw <= 0:
                    score = ZERO
                    expl = f"{b_txt} 超过 {a_txt} 达一倍及以上{note}，得 0 分"
                else:
                    score = round_half_up(raw)
                    expl = (
                        f"{b_txt} 超过 {a_txt}，按超出比例扣分{note}："
                        f"(1 − ({num(B)} − {num(A)}) ÷ {num(absA)}) × {num(w)} = {num(score)}"
                    )
    return score, expl, flags, True


def _self_scored(where, name, w, self_s, A, actual_text, measured, out):
    """A quantitative row the rule cannot compute: scored by its self score."""
    if A is None:
        code, what = F.TARGET_MISSING, "指标值空白或不是数值"
        flag = "no_target"
    elif not actual_text:
        code, what = F.ACTUAL_MISSING, "实际完成值空白"
        flag = "not_measured"
    else:
        code, what = F.ACTUAL_NOT_MEASURED, f"实际完成值“{actual_text}”不是测量值"
        flag = "not_measured"
    if self_s is None:
        out.append(F.finding(code, where, f"{name}：{what}，无法按规则计分，且自评得分空白，未计分"))
        return None, f"{what}，且自评得分空白，未计分", (flag, "not_scored"), False
    s = self_s if self_s < w else w
    if s < 0:
        s = ZERO
    score = round_half_up(s)
    out.append(F.finding(code, where, f"{name}：{what}，无法按规则计算和核实，暂按自评 {num(self_s)} 分计"))
    return score, f"{what}，无法按规则计算，暂按自评 {num(score)} 分计", (flag, "self_scored"), False


def _tier_range(tier: str, w: Decimal, R: _Rules) -> tuple[Decimal, Decimal, bool]:
    """(low, high, high included) of a tier in points."""
    if tier == "met":
        return R.tier_hi * w, w, True
    if tier == "partial":
        return R.tier_lo * w, R.tier_hi * w, False
    return ZERO, R.tier_lo * w, False


def _qualitative(i, row, name, w, self_s, R, out):
    where = f"indicators[{i}]"
    tier = row.tier
    if tier not in TIERS:
        given = clean_text(tier).strip()
        tier = _TIER_ALIASES.get(given)
        if tier is None and given:
            out.append(F.finding(F.TIER_UNKNOWN, where, f"{name}：完成档次“{given}”无法识别"))
    hi_pct, lo_pct = R.tiers_pct
    if tier is None:
        if self_s is None:
            out.append(F.finding(F.SCORE_MISSING, where, f"{name}：未选择完成档次，也未填写自评得分，未计分"))
            return None, "未选择完成档次，也无自评得分，未计分", ("not_scored",)
        s = self_s if self_s < w else w
        if s < 0:
            s = ZERO
        for t in TIERS:
            lo, hi, incl = _tier_range(t, w, R)
            if s >= lo:
                tier = t
                break
        else:
            tier = "unmet"
        score = round_half_up(s)
        out.append(
            F.finding(
                F.TIER_INFERRED,
                where,
                f"{name}：未选择完成档次，按自评 {num(self_s)} 分推定为“{_TIER_NAMES[tier]}”",
            )
        )
        return score, f"未选择档次，按自评 {num(score)} 分推定为{_TIER_NAMES[tier]}", ("tier_inferred",)
    lo, hi, incl = _tier_range(tier, w, R)
    if tier == "met":
        band = f"{num(hi_pct)}%–100%"
    elif tier == "partial":
        band = f"{num(lo_pct)}%–{num(hi_pct)}%"
    else:
        band = f"0–{num(lo_pct)}%"
    span = f"{two(lo)}–{two(hi)}" + ("" if incl else f"（不含 {two(hi)}）")
    label = f"{_TIER_NAMES[tier]}（{band}）"
    if self_s is None:
        out.append(F.finding(F.SCORE_MISSING, where, f"{name}：选择了“{_TIER_NAMES[tier]}”但未填写自评得分，未计分"))
        return None, f"{label}，未填写自评得分，未计分", ("not_scored",)
    if lo <= self_s and (self_s <= hi if incl else self_s < hi):
        score = round_half_up(self_s)
        return score, f"{label}，自评 {num(self_s)} 分在区间 {two(lo)}–{two(hi)} 内", ()
    if self_s < lo:
        s = lo
    else:
        s = hi if incl else hi - CENT
        if s < lo:
            s = lo
    score = round_half_up(s)
    out.append(
        F.finding(
            F.TIER_OUT_OF_RANGE,
            where,
            f"{name}：自评 {num(self_s)} 分不在“{_TIER_NAMES[tier]}”的分值区间 {span} 分内，按 {num(score)} 分计",
        )
    )
    return score, f"{label}，自评 {num(self_s)} 分超出区间 {span}，按 {num(score)} 分计", ("out_of_range",)


def _row(i: int, row, R: _Rules, out: list[Finding]) -> RowResult:
    where = f"indicators[{i}]"
    l1 = clean_text(row.level1)
    l2 = clean_text(row.level2)
    l3 = clean_text(row.level3)
    name = l3.strip() or l2.strip() or l1.strip() or f"第 {i + 1} 行"
    w, bad_w = clean_num(row.weight)
    self_s, bad_s = clean_num(row.self_score)
    if row.applicable is False:
        return RowResult(i, l1, l2, l3, w, None, None, "不适用，不计分", ("not_applicable",))
    if bad_w:
        out.append(F.finding(F.VALUE_INVALID, where, f"{name}：分值不是可用的数值"))
    if bad_s:
        out.append(F.finding(F.VALUE_INVALID, where, f"{name}：自评得分不是可用的数值，按空白处理"))
    if w is None:
        out.append(F.finding(F.WEIGHT_MISSING, where, f"{name}：分值空白，未计分"))
        return RowResult(i, l1, l2, l3, None, None, self_s, "分值空白，未计分", ("not_scored",))
    if w < 0:
        out.append(F.finding(F.WEIGHT_INVALID, where, f"{name}：分值为负数（{num(w)}），未计分"))
        return RowResult(i, l1, l2, l3, w, None, self_s, "分值为负数，未计分", ("not_scored",))
    if self_s is not None:
        if self_s > w:
            out.append(F.finding(F.SCORE_OVER_WEIGHT, where, f"{name}：自评 {num(self_s)} 分超过分值 {num(w)} 分"))
        elif self_s < 0:
            out.append(F.finding(F.SCORE_NEGATIVE, where, f"{name}：自评得分为负数（{num(self_s)}）"))

    kind, known = _kind_of(row, row.sign, row.target, row.tier)
    if not known:
        given = clean_text(row.kind).strip()
        out.append(
            F.finding(
                F.KIND_UNKNOWN,
                where,
                f"{name}：指标类型{('“' + given + '”') if given else '空白'}无法识别，按"
                + ("定量" if kind == "quantitative" else "定性")
                + "指标计分",
            )
        )
    standing = self_s
    if kind == "quantitative":
        score, expl, flags, computed = _quantitative(i, row, name, w, self_s, R, out)
        if computed:
            if self_s is None:
                if not R.computed:
                    out.append(
                        F.finding(
                            F.SCORE_MISSING,
                            where,
                            f"{name}：自评得分空白（按规则应得 {num(score)} 分）",
                            F.WARNING,
                        )
                    )
            elif abs(self_s - score) > R.tolerance:
                rule = expl.split("，", 1)[-1]
                if R.computed:
                    msg = f"{name}：自评 {num(self_s)} 分，已按规则计算的 {num(score)} 分计（{rule}）"
                    out.append(F.finding(F.SCORE_DIFFERS, where, msg, F.INFO))
                else:
                    msg = (
                        f"{name}：自评 {num(self_s)} 分，按规则应得 {num(score)} 分（{rule}），"
                        f"相差 {two(abs(self_s - score))} 分"
                    )
                    out.append(F.finding(F.SCORE_DIFFERS, where, msg))
            if R.computed:
                standing = score
    else:
        score, expl, flags = _qualitative(i, row, name, w, self_s, R, out)

    short = (score is not None and score < w) or (standing is not None and standing < w)
    if short:
        if "short" not in flags:
            flags = (*flags, "short")
        if is_blank_reason(clean_text(row.reason)) and "overachieved" not in flags:
            got = score if score is not None else standing
            out.append(
                F.finding(
                    F.REASON_MISSING,
                    where,
                    f"{name}：得分 {num(got)} 低于分值 {num(w)}，须填写未完成原因分析",
                )
            )
    return RowResult(i, l1, l2, l3, w, score, standing, expl, flags)


def _broken_row(i: int, row: object, out: list[Finding], exc: BaseException) -> RowResult:
    def text(attr: str) -> str:
        try:
            return clean_text(getattr(row, attr, ""))
        except Exception:
            return ""

    out.append(F.finding(F.ENGINE_INTERNAL, f"indicators[{i}]", f"第 {i + 1} 行无法计分：{type(exc).__name__}"))
    return RowResult(i, text("level1"), text("level2"), text("level3"), None, None, None, "无法计分", ("error",))


# --------------------------------------------------------------------------- report


def score_report(report: ReportInput) -> ReportResult:
    """Score a report; never raises (failures become `engine.internal` findings)."""
    try:
        result = _score(report)
    except Exception as exc:  # the last guard: a result, never a traceback
        result = ReportResult(
            execution_rate=None,
            execution_score=None,
            execution_explanation="",
            level1=(),
            level2=(),
            rows=(),
            total=ZERO,
            self_total=ZERO,
            grade="",
            self_grade="",
            findings=(F.finding(F.ENGINE_INTERNAL, "report", f"报告无法计分：{type(exc).__name__}"),),
        )
    return _with_narrative(report, result)


def _with_narrative(report: ReportInput, result: ReportResult) -> ReportResult:
    try:
        from indicators.engine import narrative

        extra = narrative.narrative_findings(report, result)
        extra = tuple(f for f in as_items(extra) if isinstance(f, Finding))
    except Exception as exc:
        extra = (F.finding(F.ENGINE_INTERNAL, "narrative", f"报告文字核对出错：{type(exc).__name__}"),)
    if not extra:
        return result
    return replace(result, findings=result.findings + extra)


def _score(report: ReportInput) -> ReportResult:
    R = _compile(getattr(report, "rules", None) or _DEFAULT_RULES)
    out: list[Finding] = list(R.findings)
    budget = getattr(report, "budget", None) or Budget()

    rate, exec_score, exec_expl = _execution(budget, R, out)

    rows: list[RowResult] = []
    indicators = as_items(getattr(report, "indicators", None))
    for i, row in enumerate(indicators):
        if not isinstance(row, IndicatorRow):
            out.append(F.finding(F.VALUE_INVALID, f"indicators[{i}]", f"第 {i + 1} 行不是指标行，未计分"))
            rows.append(RowResult(i, "", "", "", None, None, None, "不是指标行，未计分", ("not_scored",)))
            continue
        try:
            rows.append(_row(i, row, R, out))
        except Exception as exc:
            rows.append(_broken_row(i, row, out, exc))

    # Subtotals: sums of rounded row scores, weights as Σ children.
    l1_acc: dict[str, list] = {}
    l2_acc: dict[tuple[str, str], list] = {}
    sums: dict[str, Decimal] = {}
    first: dict[str, int] = {}
    names: list[tuple[int, str, str, bool]] = []
    for r in rows:
        l1 = r.level1.strip()
        applicable = "not_applicable" not in r.flags
        names.append((r.index, l1, r.level3.strip(), applicable))
        if l1 not in first:
            first[l1] = r.index
            sums[l1] = ZERO
        if not applicable:
            continue
        w = r.weight if r.weight is not None and r.weight > 0 else ZERO
        s = r.score if r.score is not None else ZERO
        ss = r.self_score if r.self_score is not None else ZERO
        sums[l1] += w
        acc = l1_acc.get(l1)
        if acc is None:
            l1_acc[l1] = [w, s, ss]
        else:
            acc[0] += w
            acc[1] += s
            acc[2] += ss
        key = (l1, r.level2.strip())
        acc = l2_acc.get(key)
        if acc is None:
            l2_acc[key] = [w, s, ss]
        else:
            acc[0] += w
            acc[1] += s
            acc[2] += ss

    nodes = as_items(getattr(report, "level1", None))
    order: list[str] = []
    for node in nodes:
        name = clean_text(getattr(node, "name", "")).strip()
        if name and name not in order and (name in l1_acc or getattr(node, "applicable", True) is not False):
            order.append(name)
    order.extend(n for n in l1_acc if n not in order)
    level1 = tuple(Level1Result(n, *l1_acc.get(n, (ZERO, ZERO, ZERO))) for n in order)
    level2 = tuple(Level2Result(k[0], k[1], *v) for k, v in l2_acc.items())

    _template_checks(
        out,
        list(nodes),
        sums,
        first,
        names,
        clean_num(getattr(budget, "execution_weight", None))[0],
        R.rules,
        clean_text(getattr(report, "weight_note", "")),
        getattr(report, "narrative", ()),
    )
    out.extend(table_findings(budget, as_items(getattr(report, "tasks", ())), R.rules))

    # Totals, caps, grades.
    budget_self, bad = clean_num(getattr(budget, "self_score", None))
    if bad:
        out.append(F.finding(F.VALUE_INVALID, "budget.total", "预算执行率自评得分不是可用的数值，按空白处理"))
    if exec_score is not None:
        if R.computed:
            if budget_self is not None and abs(budget_self - exec_score) > R.tolerance:
                out.append(
                    F.finding(
                        F.SCORE_DIFFERS,
                        "budget.total",
                        f"预算执行率：自评 {num(budget_self)} 分，已按规则计算的 {num(exec_score)} 分计",
                        F.INFO,
                    )
                )
            budget_self = exec_score
        elif budget_self is None:
            out.append(
                F.finding(
                    F.SCORE_MISSING,
                    "budget.total",
                    f"预算执行率自评得分空白（按规则应得 {num(exec_score)} 分）",
                    F.WARNING,
                )
            )
        elif abs(budget_self - exec_score) > R.tolerance:
            out.append(
                F.finding(
                    F.SCORE_DIFFERS,
                    "budget.total",
                    f"预算执行率：自评 {num(budget_self)} 分，按规则应得 {num(exec_score)} 分（{exec_expl}）",
                )
            )
    ew, _ = clean_num(getattr(budget, "execution_weight", None))
    if budget_self is not None and ew is not None and budget_self > ew:
        out.append(
            F.finding(
                F.SCORE_OVER_WEIGHT,
                "budget.total",
                f"预算执行率自评 {num(budget_self)} 分超过分值 {num(ew)} 分",
            )
        )

    total = exec_score if exec_score is not None else ZERO
    self_total = budget_self if budget_self is not None else ZERO
    terms = [f"{EXECUTION_LEVEL1} {num(exec_score) if exec_score is not None else '未计分'}"]
    for r1 in level1:
        total += r1.score
        self_total += r1.self_score
        terms.append(f"{r1.name} {num(r1.score)}")
    total_expl = f"总分 = {' + '.join(terms)} = {num(total)}"

    cap = None
    if rate is not None:
        for below, top in R.caps:
            if rate < below and (cap is None or top < cap[1]):
                cap = (below, top)
    if cap is not None:
        below, top = cap
        if total > top:
            total_expl += f"；预算执行率 {pct(rate)} 低于 {num(below)}%，总分不超过 {num(top)} 分，计 {num(top)} 分"
            out.append(
                F.finding(
                    F.TOTAL_CAPPED,
                    "total",
                    f"预算执行率 {pct(rate)} 低于 {num(below)}%，总分由 {num(total)} 分封顶为 {num(top)} 分",
                )
            )
            total = top
        else:
            total_expl += f"；预算执行率 {pct(rate)} 低于 {num(below)}%，总分上限 {num(top)} 分（未超过）"
        if self_total > top:
            self_total = top

    grade = grade_for(total, R.bands)
    self_grade = grade_for(self_total, R.bands)
    tol = R.tolerance
    if abs(total - self_total) > tol:
        out.append(
            F.finding(
                F.TOTAL_DIFFERS,
                "total",
                f"按规则计算总分 {num(total)} 分，自评得分合计 {num(self_total)} 分，"
                f"相差 {two(abs(total - self_total))} 分",
            )
        )
    if grade != self_grade:
        out.append(
            F.finding(
                F.GRADE_DIFFERS,
                "total",
                f"按规则计算为“{grade}”（{num(total)} 分），自评合计为“{self_grade}”",
            )
        )
    published, bad = clean_num(getattr(report, "self_total", None))
    if bad:
        out.append(F.finding(F.VALUE_INVALID, "total", "报告填写的自评总分不是可用的数值"))
    if published is not None and abs(published - self_total) > tol:
        out.append(
            F.finding(
                F.SELF_TOTAL_MISMATCH,
                "total",
                f"报告填写自评总分 {num(published)} 分，各项自评得分合计 {num(self_total)} 分",
            )
        )
    published_grade = clean_text(getattr(report, "self_grade", "")).strip()
    if published_grade:
        basis = published if published is not None else self_total
        expected = grade_for(basis, R.bands)
        if published_grade != expected:
            out.append(
                F.finding(
                    F.SELF_GRADE_MISMATCH,
                    "total",
                    f"报告填写自评等级“{published_grade}”，按 {num(basis)} 分应为“{expected}”",
                )
            )

    return ReportResult(
        execution_rate=rate,
        execution_score=exec_score,
        execution_explanation=exec_expl,
        level1=level1,
        level2=level2,
        rows=tuple(rows),
        total=total,
        self_total=self_total,
        grade=grade,
        self_grade=self_grade,
        findings=tuple(out),
        total_explanation=total_expl,
    )
