"""Scoring one indicator row (domain.md §4): the quantitative and qualitative rules.

A target, B actual, w weight; every score rounded once, 2 places half up.
- ≥ and =: B ≥ A → w, else B/A × w (≥ 0). A = 0: under = full only if B = 0; under ≥
  any B ≥ 0 is full (nothing was asked for). A < 0: (1 − (A − B)/|A|) × w.
- ≤: B ≤ A → w; else linear (1 − (B − A)/A) × w, 0 from B ≥ 2A, or ratio A/B × w.
  A = 0 and B > 0 → 0; A < 0 → linear on |A| (a ratio of negatives means nothing).
- Over-achievement, the deviation deduction (≥, = with A > 0): B ≥ k × A (k = 1.3: 30% over) is
  flagged, needs a reason, and costs `overachievement_deduction` points (never below 0). Not applied
  to ≤ rows: doing better there means a lower cost or complaint rate, and B = 0 (no complaints) is
  the best result, not a target set too low; B ≤ A/k would penalise exactly that.
- No measured actual (blank, "完成", "≥80%") or no target: scored by the self score,
  clamped to 0..w, with an error finding.
- Qualitative: the self score must lie in its tier's range (met [t0, 100%], partial
  [t1, t0), unmet [0, t1) of w); outside it is clamped in, inferred when no tier.

Typed texts are parsed once per distinct text (parse_measure caches them), and
explanations are formatted only when read (`LazyRow`): a batch that stores totals and
findings never reads them.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from operator import attrgetter

from indicators.engine import findings as F
from indicators.engine.fmt import num, two
from indicators.engine.numbers import round_half_up
from indicators.engine.parse import OPERATOR_STARTS, OPERATOR_SUFFIXES, Measure, parse_measure
from indicators.engine.types import TIERS, Finding, IndicatorRow, RowResult
from indicators.engine.values import BAD, CENT, TINY_EXP, ZERO, clean_text, is_blank_reason
from indicators.engine.values import num as read_num

SIGN_SYMBOL = {">=": "≥", "<=": "≤", "=": "="}
TIER_NAMES = {
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
_KIND_ALIASES = {"定量": "quantitative", "定性": "qualitative", "定量指标": "quantitative", "定性指标": "qualitative"}
_SUSPICIOUS_UNIT_CHARS = frozenset("0123456789≥≤=<>＝＞＜≧≦")
_EMPTY_MEASURE = Measure(None, None, "", False)
ZERO2 = Decimal("0.00")  # a zero score, with the 2 places every score has

# Flags, shared tuples.
_NONE: tuple[str, ...] = ()
_SHORT = ("short",)
_NA = ("not_applicable",)
_NOT_SCORED = ("not_scored",)


def where_of(i: int) -> str:
    return f"indicators[{i}]"


# Cached although parse_measure is: a hit here is one C call instead of two Python calls, and
# every quantitative row comes here (~1.5 % fewer instructions a report).
@lru_cache(maxsize=8192)
def _measure(text: str) -> Measure:
    return parse_measure(text) if text else _EMPTY_MEASURE


@lru_cache(maxsize=1024)  # as _measure: units recur (%, 个, 天)
def _unit(unit: str) -> tuple[bool, str]:
    """(suspicious, stripped) for a 度量单位 cell."""
    u = unit.strip()
    return bool(u) and not _SUSPICIOUS_UNIT_CHARS.isdisjoint(u), u


@lru_cache(maxsize=1024)  # as _unit
def _label(unit: str) -> str:
    """How a unit follows a number: "94.5%", "41 个"."""
    return unit if not unit or unit[0] in "%‰" else " " + unit


# --------------------------------------------------------------------------- lazy rows

_fields = attrgetter("index", "level1", "level2", "level3", "weight", "score", "self_score", "explanation", "flags")
_new = object.__new__


class LazyRow(RowResult):
    """A RowResult whose explanation is formatted when first read.

    Reads, compares, hashes, copies and pickles like a RowResult; only the text is
    deferred (most batch scoring never reads it).
    """

    @property
    def explanation(self) -> str:  # type: ignore[override]
        d = self.__dict__
        text = d["_text"]
        if text is None:
            fn, args = d["_explain"]
            text = d["_text"] = fn(*args)
        return text

    @explanation.setter
    def explanation(self, value: str) -> None:  # used by RowResult.__init__ (replace, copy)
        d = self.__dict__
        d["_explain"] = None
        d["_text"] = value

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RowResult):
            return _fields(self) == _fields(other)
        return NotImplemented

    __hash__ = RowResult.__hash__

    def __repr__(self) -> str:  # read as what it stands for
        return "RowResult" + RowResult.__repr__(self)[len(type(self).__qualname__) :]


def make_row(i, l1, l2, l3, w, score, self_s, flags, explain) -> RowResult:
    """A row result; `explain` is a str or (function, args) formatted on first read."""
    # Lazy text and no frozen-dataclass __init__ buy about 15 % of the bench's rows/s (issue 15).
    r = _new(LazyRow)
    d = r.__dict__
    d["index"] = i
    d["level1"] = l1
    d["level2"] = l2
    d["level3"] = l3
    d["weight"] = w
    d["score"] = score
    d["self_score"] = self_s
    d["flags"] = flags
    # Both keys, always in this order: every row then shares one key table (a row
    # with a key of its own gets a dict of its own, which costs more than the row).
    if isinstance(explain, str):
        d["_explain"] = None
        d["_text"] = explain
    else:
        d["_explain"] = explain
        d["_text"] = None
    return r


# --------------------------------------------------------------------------- explanations
# Each takes exact values and formats them when the text is read.


def _x_met(B, A, u, sym, w):
    return f"{num(B)}{u} 达到 {sym}{num(A)}{u}，得满分 {num(w)}"


def _x_ratio(B, A, u, sym, w, score):
    head = f"{num(B)}{u} 未达到 {sym}{num(A)}{u}，按完成值与指标值之比计分：{num(B)} ÷ {num(A)} × {num(w)}"
    return head + (f" = {num(score)}" if score is not None else " ≤ 0，得 0 分")


def _x_gap(B, A, u, sym, w, score):
    head = (
        f"{num(B)}{u} 未达到 {sym}{num(A)}{u}，按差距与指标值绝对值之比扣分："
        f"(1 − ({num(A)} − {num(B)}) ÷ {num(-A)}) × {num(w)}"
    )
    return head + (f" = {num(score)}" if score is not None else " ≤ 0，得 0 分")


def _x_zero(sign, B, u, w, ok):
    if sign == "=":
        return f"指标值为 =0，完成值 {num(B)}{u}" + (f"，得满分 {num(w)}" if ok else " 不等于 0，得 0 分")
    return f"指标值为 ≥0，完成值 {num(B)}{u}" + (f" 不低于 0，得满分 {num(w)}" if ok else " 低于 0，得 0 分")


def _x_le_met(B, A, u, w):
    return f"{num(B)}{u} 未超过 ≤{num(A)}{u}，得满分 {num(w)}"


def _x_le_zero(B, u):
    return f"指标值为 ≤0，完成值 {num(B)}{u} 超过 0，得 0 分"


def _x_le_ratio(B, A, u, w, score):
    return f"{num(B)}{u} 超过 ≤{num(A)}{u}，按指标值与完成值之比计分：{num(A)} ÷ {num(B)} × {num(w)} = {num(score)}"


def _x_le_linear(B, A, u, w, score):
    note = "" if A > ZERO else "（指标值为负，按其绝对值）"
    if score is None:
        return f"{num(B)}{u} 超过 ≤{num(A)}{u} 达一倍及以上{note}，得 0 分"
    absA = A if A > ZERO else -A
    return (
        f"{num(B)}{u} 超过 ≤{num(A)}{u}，按超出比例扣分{note}："
        f"(1 − ({num(B)} − {num(A)}) ÷ {num(absA)}) × {num(w)} = {num(score)}"
    )


def _x_over(fn, args, k, deduct, score):
    base = fn(*args)
    if deduct:
        return base + f"；超额完成（≥{num(k)} 倍）扣 {num(deduct)} 分，计 {num(score)} 分"
    return base + f"；超额完成（≥{num(k)} 倍），须说明原因"


def _x_tier(label, self_s, lo, hi):
    return f"{label}，自评 {num(self_s)} 分在区间 {two(lo)}–{two(hi)} 内"


def _x_tier_out(label, self_s, span, score):
    return f"{label}，自评 {num(self_s)} 分超出区间 {span}，按 {num(score)} 分计"


def _x_tier_inferred(tier, score):
    return f"未选择档次，按自评 {num(score)} 分推定为{TIER_NAMES[tier]}"


def _x_self(what, score):
    return f"{what}，无法按规则计算，暂按自评 {num(score)} 分计"


def rule_text(explanation: str) -> str:
    """The rule part of an explanation, for messages quoting it."""
    return explanation.split("，", 1)[-1]


# --------------------------------------------------------------------------- rows


def score_row(i: int, row: IndicatorRow, rules, out: list[Finding]) -> RowResult:
    """Score row i by the compiled rules, appending its findings to out."""
    # The texts are str but in broken input: clean_text only then (~2 % fewer instructions a report).
    l1, l2, l3 = row.level1, row.level2, row.level3
    if type(l1) is not str or type(l2) is not str or type(l3) is not str:
        l1, l2, l3 = clean_text(l1), clean_text(l2), clean_text(l3)
    # A Decimal in range (the usual figure) is taken as it is, read_num's call only for the rest:
    # ~2 % fewer instructions a report (issue 15). The same in _quantitative.
    w = row.weight
    if type(w) is not Decimal or not w.is_finite() or not TINY_EXP <= w.adjusted() < 15:
        w = read_num(w)
    if row.applicable is False:
        return make_row(i, l1, l2, l3, None if w is BAD else w, None, None, _NA, "不适用，不计分")
    name = l3.strip() or l2.strip() or l1.strip() or f"第 {i + 1} 行"
    self_s = row.self_score
    if type(self_s) is not Decimal or not self_s.is_finite() or not TINY_EXP <= self_s.adjusted() < 15:
        self_s = read_num(self_s)
    if w is BAD:
        out.append(F.finding(F.VALUE_INVALID, where_of(i), f"{name}：分值不是可用的数值"))
        w = None
    if self_s is BAD:
        out.append(F.finding(F.VALUE_INVALID, where_of(i), f"{name}：自评得分不是可用的数值，按空白处理"))
        self_s = None
    if w is None:
        out.append(F.finding(F.WEIGHT_MISSING, where_of(i), f"{name}：分值空白，未计分"))
        return make_row(i, l1, l2, l3, None, None, self_s, _NOT_SCORED, "分值空白，未计分")
    if w < ZERO:
        out.append(F.finding(F.WEIGHT_INVALID, where_of(i), f"{name}：分值为负数（{num(w)}），未计分"))
        return make_row(i, l1, l2, l3, w, None, self_s, _NOT_SCORED, "分值为负数，未计分")
    if self_s is not None:
        if self_s > w:
            msg = f"{name}：自评 {num(self_s)} 分超过分值 {num(w)} 分"
            out.append(F.finding(F.SCORE_OVER_WEIGHT, where_of(i), msg))
        elif self_s < ZERO:
            out.append(F.finding(F.SCORE_NEGATIVE, where_of(i), f"{name}：自评得分为负数（{num(self_s)}）"))

    kind = row.kind
    if kind != "quantitative" and kind != "qualitative":
        kind = _kind_of(i, row, name, out)
    standing = self_s
    if kind == "quantitative":
        score, explain, flags, computed = _quantitative(i, row, name, w, self_s, rules, out)
        if computed:
            if self_s is None:
                if not rules.computed:
                    out.append(
                        F.finding(
                            F.SCORE_MISSING,
                            where_of(i),
                            f"{name}：自评得分空白（按规则应得 {num(score)} 分）",
                            F.WARNING,
                        )
                    )
            elif self_s != score and abs(self_s - score) > rules.tolerance:
                _differs(i, name, self_s, score, explain, rules, out)
            if rules.computed:
                standing = score
    else:
        score, explain, flags = _qualitative(i, row, name, w, self_s, rules, out)

    if (score is not None and score < w) or (standing is not None and standing < w):
        if "short" not in flags:
            flags = (*flags, "short")
        if "overachieved" not in flags and is_blank_reason(clean_text(row.reason)):
            got = score if score is not None else standing
            out.append(
                F.finding(
                    F.REASON_MISSING,
                    where_of(i),
                    f"{name}：得分 {num(got)} 低于分值 {num(w)}，须填写未完成原因分析",
                )
            )
    return make_row(i, l1, l2, l3, w, score, standing, flags, explain)


def _differs(i, name, self_s, score, explain, rules, out) -> None:
    text = explain if isinstance(explain, str) else explain[0](*explain[1])
    rule = rule_text(text)
    if rules.computed:
        msg = f"{name}：自评 {num(self_s)} 分，已按规则计算的 {num(score)} 分计（{rule}）"
        out.append(F.finding(F.SCORE_DIFFERS, where_of(i), msg, F.INFO))
    else:
        msg = f"{name}：自评 {num(self_s)} 分，按规则应得 {num(score)} 分（{rule}），相差 {two(abs(self_s - score))} 分"
        out.append(F.finding(F.SCORE_DIFFERS, where_of(i), msg))


def _kind_of(i, row, name, out) -> str:
    """The kind of a row whose kind is not one of KINDS (a finding unless obvious)."""
    given = clean_text(row.kind).strip()
    kind = _KIND_ALIASES.get(given)
    if kind:
        return kind
    kind = "quantitative" if row.sign or row.target is not None else "qualitative"
    if given or (kind == "qualitative" and row.tier is None):
        label = f"“{given}”" if given else "空白"
        out.append(
            F.finding(
                F.KIND_UNKNOWN,
                where_of(i),
                f"{name}：指标类型{label}无法识别，按" + ("定量" if kind == "quantitative" else "定性") + "指标计分",
            )
        )
    return kind


def _quantitative(i, row, name, w, self_s, rules, out):
    """(score, explain, flags, computed by the rule) of a quantitative row."""
    A, B = row.target, row.actual
    if type(A) is not Decimal or not A.is_finite() or not TINY_EXP <= A.adjusted() < 15:  # as in score_row
        A = read_num(A)
    if type(B) is not Decimal or not B.is_finite() or not TINY_EXP <= B.adjusted() < 15:
        B = read_num(B)
    if A is BAD:
        out.append(F.finding(F.VALUE_INVALID, where_of(i), f"{name}：指标值不是可用的数值，按空白处理"))
        A = None
    if B is BAD:
        out.append(F.finding(F.VALUE_INVALID, where_of(i), f"{name}：实际完成值不是可用的数值，按空白处理"))
        B = None
    target_text, actual_text, unit = row.target_text, row.actual_text, row.unit
    if type(target_text) is not str or type(actual_text) is not str or type(unit) is not str:  # as in score_row
        target_text, actual_text, unit = clean_text(target_text), clean_text(actual_text), clean_text(unit)
    tm = _measure(target_text)

    sign = row.sign
    sign_given = sign == ">=" or sign == "<=" or sign == "="
    if not sign_given:
        sign = _sign_of(i, name, sign, tm, out)
    if A is None:
        A = tm.value

    suspicious, unit = _unit(unit)
    if suspicious:
        t = target_text.strip()
        out.append(
            F.finding(
                F.UNIT_SUSPICIOUS,
                where_of(i),
                f"{name}：度量单位栏填写为“{unit}”，应只填单位（如 %）；符号和数值应在指标值栏",
            )
        )
        if tm.has_operator:
            out.append(
                F.finding(
                    F.TARGET_AMBIGUOUS,
                    where_of(i),
                    f"{name}：指标值“{t}”与度量单位栏“{unit}”给出两个目标，无法确定以哪个为准",
                )
            )
        unit = tm.unit
    elif tm.has_operator and sign_given and tm.sign != row.sign:
        out.append(
            F.finding(
                F.TARGET_TEXT_DIFFERS,
                where_of(i),
                f"{name}：指标值写作“{target_text.strip()}”，与指标性质“{SIGN_SYMBOL[row.sign]}”不一致",
            )
        )
    if not unit:
        unit = tm.unit
    tv = tm.value
    if tv is not None and A is not None and tv != A:
        out.append(
            F.finding(
                F.TARGET_TEXT_DIFFERS,
                where_of(i),
                f"{name}：指标值文字“{target_text.strip()}”与指标值 {num(A)} 不一致，按 {num(A)} 计分",
            )
        )

    # The actual: only parsed when it may carry an operator or stands in for a blank number.
    measured = True
    if actual_text:
        if actual_text[0] in OPERATOR_STARTS or actual_text.rstrip().endswith(OPERATOR_SUFFIXES):
            am = _measure(actual_text)
            if am.has_operator:
                if B is None and am.sign == "=":
                    B = am.value
                if B is None:
                    measured = False
                else:
                    out.append(
                        F.finding(
                            F.ACTUAL_OPERATOR,
                            where_of(i),
                            f"{name}：实际完成值写作“{actual_text.strip()}”，"
                            f"应填写实际测得的数值（如 {num(B)}{unit or am.unit}），不带比较符号",
                        )
                    )
            elif B is None:
                B = am.value
            if not unit:
                unit = am.unit
        elif B is None or not unit:
            am = _measure(actual_text)
            if B is None:
                B = am.value
            if not unit:
                unit = am.unit
    if B is None or A is None:
        score, explain, flags = _self_scored(i, name, w, self_s, A, actual_text.strip(), measured, out)
        return score, explain, flags, False

    u = _label(unit)
    if sign != "<=":
        sym = SIGN_SYMBOL[sign]
        flags = _NONE
        if A == ZERO:
            ok = B == ZERO if sign == "=" else B >= ZERO
            score = round_half_up(w) if ok else ZERO2
            explain = (_x_zero, (sign, B, u, w, ok))
            if not ok:
                flags = _SHORT
        elif B >= A:
            score = round_half_up(w)
            explain = (_x_met, (B, A, u, sym, w))
        else:
            if A > ZERO:
                raw = B * w / A
                fn = _x_ratio
            else:
                raw = (B - A - A) * w / -A  # (1 − (A − B)/|A|) × w
                fn = _x_gap
            if raw > ZERO:
                score = round_half_up(raw)
                explain = (fn, (B, A, u, sym, w, score))
            else:
                score = ZERO2
                explain = (fn, (B, A, u, sym, w, None))
            flags = _SHORT
        k = rules.over_k
        # Exact Decimal product: k = 1.3, A = 100 flags B = 130 and not 129.99. Not for ≤ rows (see top).
        if k is not None and A > ZERO and k * A <= B:
            over = _overachieved(i, row, name, A, B, unit, u, sym, k, score, explain, flags, rules, out)
            score, explain, flags = over
        return score, explain, flags, True
    if B <= A:
        return round_half_up(w), (_x_le_met, (B, A, u, w)), _NONE, True
    if A == ZERO:
        return ZERO2, (_x_le_zero, (B, u)), _SHORT, True
    if A > ZERO and not rules.linear:
        score = round_half_up(A * w / B)
        return score, (_x_le_ratio, (B, A, u, w, score)), _SHORT, True
    absA = A if A > ZERO else -A
    raw = (absA - B + A) * w / absA  # (1 − (B − A)/|A|) × w
    if raw > ZERO:
        score = round_half_up(raw)
        return score, (_x_le_linear, (B, A, u, w, score)), _SHORT, True
    return ZERO2, (_x_le_linear, (B, A, u, w, None)), _SHORT, True


def _sign_of(i, name, sign, tm, out) -> str:
    given = clean_text(sign).strip()
    s = parse_measure(given + "0").sign if given else None
    if s is None:
        s = tm.sign
    if s is None:
        s = ">="
        label = f"“{given}”" if given else "空白"
        out.append(F.finding(F.SIGN_UNKNOWN, where_of(i), f"{name}：指标性质{label}无法识别，按 ≥ 计分"))
    return s


def _overachieved(i, row, name, A, B, unit, u, sym, k, score, explain, flags, rules, out):
    flags = (*flags, "overachieved")
    out.append(
        F.finding(
            F.OVERACHIEVED,
            where_of(i),
            f"{name}：完成值 {num(B)}{u} 为指标值 {num(A)}{unit} 的 {num(round_half_up(B / A))} 倍"
            f"（≥{num(k)} 倍），属超额完成，指标值可能设置偏低",
        )
    )
    if is_blank_reason(clean_text(row.reason)):
        out.append(
            F.finding(
                F.OVERACHIEVED_UNEXPLAINED,
                where_of(i),
                f"{name}：超额完成（{num(B)}{u}，指标值 {sym}{num(A)}{u}）须说明原因",
            )
        )
    deduct = rules.over_deduct
    if deduct:
        raw = score - deduct
        score = round_half_up(raw) if raw > ZERO else ZERO2
    return score, (_x_over, (explain[0], explain[1], k, deduct, score)), flags


def _self_scored(i, name, w, self_s, A, actual_text, measured, out):
    """A quantitative row the rule cannot compute: scored by its self score."""
    if A is None:
        code, what, flag = F.TARGET_MISSING, "指标值空白或不是数值", "no_target"
    elif not actual_text:
        code, what, flag = F.ACTUAL_MISSING, "实际完成值空白", "not_measured"
    else:
        code, what, flag = F.ACTUAL_NOT_MEASURED, f"实际完成值“{actual_text}”不是测量值", "not_measured"
    if self_s is None:
        out.append(F.finding(code, where_of(i), f"{name}：{what}，无法按规则计分，且自评得分空白，未计分"))
        return None, f"{what}，且自评得分空白，未计分", (flag, "not_scored")
    s = self_s if self_s < w else w
    score = round_half_up(s) if s > ZERO else ZERO2
    out.append(F.finding(code, where_of(i), f"{name}：{what}，无法按规则计算和核实，暂按自评 {num(self_s)} 分计"))
    return score, (_x_self, (what, score)), (flag, "self_scored")


def _qualitative(i, row, name, w, self_s, rules, out):
    tier = row.tier
    if tier != "met" and tier != "partial" and tier != "unmet":
        given = clean_text(tier).strip()
        tier = _TIER_ALIASES.get(given)
        if tier is None and given:
            out.append(F.finding(F.TIER_UNKNOWN, where_of(i), f"{name}：完成档次“{given}”无法识别"))
    if tier is None:
        return _tier_inferred(i, name, w, self_s, rules, out)
    lo, hi, incl, label = rules.tier_range(tier, w)
    if self_s is None:
        out.append(
            F.finding(F.SCORE_MISSING, where_of(i), f"{name}：选择了“{TIER_NAMES[tier]}”但未填写自评得分，未计分")
        )
        return None, f"{label}，未填写自评得分，未计分", _NOT_SCORED
    if lo <= self_s and (self_s <= hi if incl else self_s < hi):
        return round_half_up(self_s), (_x_tier, (label, self_s, lo, hi)), _NONE
    if self_s < lo:
        s = lo
    else:
        s = hi if incl else hi - CENT
        if s < lo:
            s = lo
    score = round_half_up(s)
    span = f"{two(lo)}–{two(hi)}" + ("" if incl else f"（不含 {two(hi)}）")
    out.append(
        F.finding(
            F.TIER_OUT_OF_RANGE,
            where_of(i),
            f"{name}：自评 {num(self_s)} 分不在“{TIER_NAMES[tier]}”的分值区间 {span} 分内，按 {num(score)} 分计",
        )
    )
    return score, (_x_tier_out, (label, self_s, span, score)), ("out_of_range",)


def _tier_inferred(i, name, w, self_s, rules, out):
    if self_s is None:
        out.append(F.finding(F.SCORE_MISSING, where_of(i), f"{name}：未选择完成档次，也未填写自评得分，未计分"))
        return None, "未选择完成档次，也无自评得分，未计分", _NOT_SCORED
    s = self_s if self_s < w else w
    if s < ZERO:
        s = ZERO2
    tier = "unmet"
    for t in TIERS:
        if s >= rules.tier_range(t, w)[0]:
            tier = t
            break
    score = round_half_up(s)
    out.append(
        F.finding(
            F.TIER_INFERRED,
            where_of(i),
            f"{name}：未选择完成档次，按自评 {num(self_s)} 分推定为“{TIER_NAMES[tier]}”",
        )
    )
    return score, (_x_tier_inferred, (tier, score)), ("tier_inferred",)


def broken_row(i: int, row: object, out: list[Finding], exc: BaseException) -> RowResult:
    """What a row becomes when scoring it failed unexpectedly."""

    def text(attr: str) -> str:
        try:
            return clean_text(getattr(row, attr, ""))
        except Exception:
            return ""

    out.append(F.finding(F.ENGINE_INTERNAL, where_of(i), f"第 {i + 1} 行无法计分：{type(exc).__name__}"))
    return make_row(i, text("level1"), text("level2"), text("level3"), None, None, None, ("error",), "无法计分")


def not_a_row(i: int, out: list[Finding]) -> RowResult:
    out.append(F.finding(F.VALUE_INVALID, where_of(i), f"第 {i + 1} 行不是指标行，未计分"))
    return make_row(i, "", "", "", None, None, None, _NOT_SCORED, "不是指标行，未计分")


def tier_band(tier: str, hi_pct: Decimal, lo_pct: Decimal) -> str:
    if tier == "met":
        return f"{num(hi_pct)}%–100%"
    if tier == "partial":
        return f"{num(lo_pct)}%–{num(hi_pct)}%"
    return f"0–{num(lo_pct)}%"
