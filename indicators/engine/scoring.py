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

import dataclasses
from decimal import Decimal

from indicators.engine import findings as F
from indicators.engine.checks import _template_checks, table_findings, template_findings
from indicators.engine.evidence import evidence_findings
from indicators.engine.fmt import num, pct, two
from indicators.engine.narrative import narrative_findings
from indicators.engine.numbers import round_half_up
from indicators.engine.rows import TIER_NAMES, broken_row, not_a_row, score_row, tier_band
from indicators.engine.types import (
    EXECUTION_LEVEL1,
    NO_LEVEL1,
    Budget,
    Finding,
    IndicatorRow,
    Level1Result,
    Level2Result,
    ReportInput,
    ReportResult,
    RowResult,
    RuleSet,
    build,
)
from indicators.engine.values import HUNDRED, ZERO, as_items, clean_num, clean_text

__all__ = ["grade_for", "reviewer_total", "score_report", "template_findings"]

_DEFAULT_RULES = RuleSet()


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
        "labels",
        "linear",
        "over_deduct",
        "over_k",
        "rescale",
        "rules",
        "source",
        "step_deduct",
        "step_per",
        "tier_hi",
        "tier_lo",
        "tiers_pct",
        "tolerance",
    )

    def __init__(self, rs: object) -> None:
        bad: list[str] = []
        default = _DEFAULT_RULES

        def opt(name: str, allowed: tuple[str, ...]) -> str:
            v = getattr(rs, name, getattr(default, name))
            if v in allowed:
                return v
            bad.append(f"{name}={v!r}")
            return getattr(default, name)

        def dec(name: str, lo: Decimal | None = None, hi: Decimal | None = None, none_ok: bool = False):
            v = getattr(rs, name, getattr(default, name))
            if v is None and none_ok:
                return None
            x, _ = clean_num(v)
            if x is None or (lo is not None and x < lo) or (hi is not None and x > hi):
                bad.append(f"{name}={v!r}")
                return getattr(default, name)
            return x

        self.source = rs
        self.rules = rs if isinstance(rs, RuleSet) else default
        self.denominator = opt("execution_denominator", ("annual", "initial"))
        cap = getattr(rs, "execution_cap", default.execution_cap)
        if not isinstance(cap, bool):
            bad.append(f"execution_cap={cap!r}")
            cap = default.execution_cap
        self.cap = cap
        method = opt("execution_method", ("proportional", "step"))
        self.step_per = self.step_deduct = None
        if method == "step":
            per, _ = clean_num(getattr(rs, "execution_step_per", None))
            deduct, _ = clean_num(getattr(rs, "execution_step_deduct", None))
            if per is None or per <= ZERO or deduct is None or deduct < ZERO:
                bad.append("execution_step（需每档百分点 > 0、扣分 ≥ 0）")
            else:
                self.step_per, self.step_deduct = per, deduct
        caps = []
        try:
            for pair in as_items(getattr(rs, "total_caps_by_execution", ())):
                below, top = (clean_num(x)[0] for x in pair)
                if below is None or top is None or top < ZERO:
                    bad.append(f"total_caps_by_execution 中的 {pair!r}")
                else:
                    caps.append((below, top))
        except (TypeError, ValueError):
            bad.append("total_caps_by_execution")
        self.caps = tuple(caps)
        self.linear = opt("reverse_formula", ("linear", "ratio")) == "linear"
        self.over_k = dec("overachievement_ratio", lo=ZERO, none_ok=True)
        if self.over_k is not None and self.over_k <= ZERO:
            self.over_k = None
        self.over_deduct = dec("overachievement_deduction", lo=ZERO)
        tiers = getattr(rs, "qualitative_tiers", default.qualitative_tiers)
        try:
            hi, lo = (clean_num(x)[0] for x in tiers)
            if hi is None or lo is None or not (ZERO <= lo <= hi <= HUNDRED):
                raise ValueError
        except (TypeError, ValueError):
            bad.append(f"qualitative_tiers={tiers!r}")
            hi, lo = default.qualitative_tiers
        self.tiers_pct = (hi, lo)
        self.tier_hi, self.tier_lo = hi / HUNDRED, lo / HUNDRED
        bands = getattr(rs, "grade_bands", default.grade_bands)
        try:
            b = tuple(clean_num(x)[0] for x in bands)
            if len(b) != 3 or None in b or not (b[0] >= b[1] >= b[2]):
                raise ValueError
        except (TypeError, ValueError):
            bad.append(f"grade_bands={bands!r}")
            b = default.grade_bands
        self.bands = b
        self.computed = opt("quantitative_scores", ("computed", "self-checked")) == "computed"
        self.tolerance = dec("tolerance", lo=ZERO)
        self.fixed_execution = dec("fixed_execution_weight", lo=ZERO, none_ok=True)
        self.rescale = opt("not_applicable", ("move", "rescale")) == "rescale"
        self.findings = tuple(
            F.finding(F.RULES_INVALID, "rules", f"评分规则 {item} 无效，按默认规则计算") for item in bad
        )
        self.labels = {t: f"{TIER_NAMES[t]}（{tier_band(t, hi, lo)}）" for t in TIER_NAMES}

    def tier_range(self, tier: str, w: Decimal) -> tuple[Decimal, Decimal, bool, str]:
        """(low, high, high included, label) of a qualitative tier, in points of weight w.

        Not cached by weight: hashing a Decimal costs more than the two products.
        """
        if tier == "met":
            return self.tier_hi * w, w, True, self.labels[tier]
        if tier == "partial":
            return self.tier_lo * w, self.tier_hi * w, False, self.labels[tier]
        return ZERO, self.tier_lo * w, False, self.labels[tier]


_rules_cache: dict[object, _Rules] = {}


def _compile(rs: object) -> _Rules:
    """The checked rule set, cached by equality (most reports of a round share one)."""
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


def _execution(budget: object, rules: _Rules, out: list[Finding]):
    """(rate in percent, score, explanation) of the level-1 预算执行率."""
    w, bad = clean_num(getattr(budget, "execution_weight", None))
    if bad or w is None or w < ZERO:
        out.append(F.finding(F.WEIGHT_MISSING, "budget.total", "预算执行率分值空白或无效，未计分"))
        return None, None, "预算执行率分值空白或无效，未计分"
    total = None
    for r in as_items(getattr(budget, "rows", None)):
        if getattr(r, "row", None) == "total":
            total = r
            break
    field, label = ("initial", "年初预算数") if rules.denominator == "initial" else ("annual", "全年预算数")
    denom, _ = clean_num(getattr(total, field, None))
    executed, _ = clean_num(getattr(total, "executed", None))
    if denom is None or executed is None:
        what = "预算总额" + ("（" + label + "）" if denom is None else "执行数")
        if denom is None and executed is None:
            what = f"部门预算总额的{label}和执行数"
        msg = f"{what}空白，预算执行率未计分"
        out.append(F.finding(F.BUDGET_BLANK, "budget.total", msg))
        return None, None, msg
    if denom == ZERO:
        msg = f"部门预算总额的{label}为 0，执行率无法计算，未计分"
        out.append(F.finding(F.BUDGET_ZERO, "budget.total", msg))
        return None, None, msg
    if denom < ZERO or executed < ZERO:
        return None, None, "预算金额为负数，执行率无法计分"
    rate = executed * HUNDRED / denom
    base = f"预算执行率 = {two(executed)} ÷ {two(denom)}（{label}）= {pct(rate)}"
    if rules.step_per is not None:
        short = HUNDRED - rate
        if short < ZERO:
            short = ZERO if rules.cap else -short
        steps = short // rules.step_per
        raw = w - steps * rules.step_deduct
        if raw < ZERO:
            raw = ZERO
        score = round_half_up(raw)
        if steps == ZERO:
            how = "，未满一档不扣分" if short > ZERO else ""
            return rate, score, f"{base}{how}，得满分 {num(w)}"
        off = "超出" if rate > HUNDRED else "低于"
        return (
            rate,
            score,
            (
                f"{base}，{off} 100% {num(short)} 个百分点，"
                f"每满 {num(rules.step_per)} 个百分点扣 {num(rules.step_deduct)} 分"
                f"（不足一档的部分不扣）：{num(w)} − {num(steps)} × {num(rules.step_deduct)} = {num(score)}"
                + ("（最低 0 分）" if raw == ZERO else "")
            ),
        )
    r = rate / HUNDRED
    if rate <= HUNDRED:
        score = round_half_up(r * w)
        if rate == HUNDRED:
            return rate, score, f"{base}，得满分 {num(w)}"
        return rate, score, f"{base}，按执行率 × {num(w)} 计分：{num(score)}"
    if rules.cap:
        score = round_half_up(w)
        return rate, score, f"{base}，超过 100% 按 100% 计，得满分 {num(w)}"
    raw = (2 - r) * w
    if raw < ZERO:
        raw = ZERO
    score = round_half_up(raw)
    return rate, score, f"{base}，超出 100% 的部分视为偏差：(1 − |1 − {pct(rate)}|) × {num(w)} = {num(score)}"


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
        extra = narrative_findings(report, result)
        extra = tuple([f for f in extra if isinstance(f, Finding)])
    except Exception as exc:
        extra = (F.finding(F.ENGINE_INTERNAL, "narrative", f"报告文字核对出错：{type(exc).__name__}"),)
    if not extra:
        return result
    return dataclasses.replace(result, findings=result.findings + extra)


def _score(report: ReportInput) -> ReportResult:
    rules = _compile(getattr(report, "rules", None) or _DEFAULT_RULES)
    out: list[Finding] = list(rules.findings)
    budget = getattr(report, "budget", None) or Budget()
    rate, exec_score, exec_expl = _execution(budget, rules, out)
    rows = _score_rows(report, rules, out)
    sub = _Subtotals(rows)
    nodes = as_items(getattr(report, "level1", None))
    level1 = tuple(_level1(name, *sub.level1.get(name, (ZERO, ZERO, ZERO))) for name in _level1_order(nodes, sub))
    level2 = tuple(_level2(l1, l2, *sums) for (l1, l2), sums in sub.level2.items())
    _report_checks(report, budget, nodes, sub, rules, rate, out)
    budget_self = _budget_self_score(budget, rules, exec_score, exec_expl, out)
    total, self_total, total_expl = _totals(budget, nodes, level1, sub, rules, rate, exec_score, budget_self, out)
    grade = grade_for(total, rules.bands)
    self_grade = grade_for(self_total, rules.bands)
    _grade_checks(report, rules, total, self_total, grade, self_grade, out)
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


def _level1(name: str, weight: Decimal, score: Decimal, self_score: Decimal) -> Level1Result:
    return build(Level1Result, name=name, weight=weight, score=score, self_score=self_score)


def _level2(level1: str, name: str, weight: Decimal, score: Decimal, self_score: Decimal) -> Level2Result:
    return build(Level2Result, level1=level1, name=name, weight=weight, score=score, self_score=self_score)


def _score_rows(report: ReportInput, rules: _Rules, out: list[Finding]) -> list[RowResult]:
    rows: list[RowResult] = []
    for i, row in enumerate(as_items(getattr(report, "indicators", None))):
        if not isinstance(row, IndicatorRow):
            rows.append(not_a_row(i, out))
            continue
        try:
            rows.append(score_row(i, row, rules, out))
        except Exception as exc:
            rows.append(broken_row(i, row, out, exc))
    return rows


class _Subtotals:
    """Sums of rounded row scores (blank counts 0) per level 2 and level 1; weights as Σ children.

    level2: (level-1 name, level-2 name) -> [weight, score, self score]; level1: name -> the same.
    first: level-1 name -> index of its first row; names: (index, level 1, level 3, applicable)
    of every row; na_sums: weights of the not-applicable rows per level-1 name (dropped under
    rule "rescale"); weights: level-1 name -> Σ weights of its applicable rows.
    """

    def __init__(self, rows: list[RowResult]) -> None:
        self.level2: dict[tuple[str, str], list[Decimal]] = {}
        self.first: dict[str, int] = {}
        self.names: list[tuple[int, str, str, bool]] = []
        self.na_sums: dict[str, Decimal] = {}
        # One loop over the rows, not a method call a row: it runs for every row of every report.
        for row in rows:
            l1 = row.level1.strip()
            applicable = "not_applicable" not in row.flags
            self.names.append((row.index, l1, row.level3.strip(), applicable))
            self.first.setdefault(l1, row.index)
            w = row.weight
            if not applicable:
                self.na_sums[l1] = self.na_sums.get(l1, ZERO) + (w if w is not None and w > ZERO else ZERO)
                continue
            if w is None or w < ZERO:
                w = ZERO
            score = row.score if row.score is not None else ZERO
            self_score = row.self_score if row.self_score is not None else ZERO
            # _accumulate inlined: a call a row cost ~3 % of the bench's rows/s.
            key = (l1, row.level2.strip())
            sums = self.level2.get(key)
            if sums is None:
                self.level2[key] = [w, score, self_score]
            else:
                sums[0] += w
                sums[1] += score
                sums[2] += self_score
        self.level1: dict[str, list[Decimal]] = {}
        for (l1, _), (w, score, self_score) in self.level2.items():
            _accumulate(self.level1, l1, w, score, self_score)
        self.weights = {name: self.level1[name][0] if name in self.level1 else ZERO for name in self.first}


def _accumulate(acc: dict, key: object, w: Decimal, score: Decimal, self_score: Decimal) -> None:
    sums = acc.get(key)
    if sums is None:
        acc[key] = [w, score, self_score]
    else:
        sums[0] += w
        sums[1] += score
        sums[2] += self_score


def _level1_order(nodes: tuple, sub: _Subtotals) -> list[str]:
    """The template's level-1 names in its order (not-applicable empty ones left out), then the rows' others."""
    order: list[str] = []
    for node in nodes:
        name = clean_text(getattr(node, "name", "")).strip()
        if name and name not in order and (name in sub.level1 or getattr(node, "applicable", True) is not False):
            order.append(name)
    order.extend(n for n in sub.level1 if n not in order)
    return order


def _report_checks(
    report: ReportInput, budget: object, nodes: tuple, sub: _Subtotals, rules: _Rules, rate, out: list[Finding]
) -> None:
    """Template weights and structure, the budget and task tables, the evidence in the rows."""
    _template_checks(
        out,
        list(nodes),
        sub.weights,
        sub.first,
        sub.names,
        clean_num(getattr(budget, "execution_weight", None))[0],
        rules.rules,
        clean_text(getattr(report, "weight_note", "")),
        getattr(report, "narrative", ()),
        sub.na_sums if rules.rescale else None,
    )
    out.extend(table_findings(budget, as_items(getattr(report, "tasks", ())), rules.rules))
    by_name = {f.where for f in out if f.code == F.TEMPLATE_DUPLICATE_MEASURE}
    out.extend(evidence_findings(getattr(report, "indicators", None), budget, rate, by_name))


def _budget_self_score(budget: object, rules: _Rules, exec_score, exec_expl: str, out: list[Finding]):
    """The self score of 预算执行率 that counts (the rule's under "computed"), with its findings."""
    budget_self, bad = clean_num(getattr(budget, "self_score", None))
    if bad:
        out.append(F.finding(F.VALUE_INVALID, "budget.total", "预算执行率自评得分不是可用的数值，按空白处理"))
    if exec_score is not None:
        if rules.computed:
            if budget_self is not None and abs(budget_self - exec_score) > rules.tolerance:
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
        elif abs(budget_self - exec_score) > rules.tolerance:
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

    return budget_self


def _totals(
    budget: object,
    nodes: tuple,
    level1: tuple[Level1Result, ...],
    sub: _Subtotals,
    rules: _Rules,
    rate,
    exec_score,
    budget_self,
    out: list[Finding],
) -> tuple[Decimal, Decimal, str]:
    """(total, self total, explanation): the sum, rescaled to 100 under rule "rescale", then capped."""
    ew, _ = clean_num(getattr(budget, "execution_weight", None))
    total = exec_score if exec_score is not None else ZERO
    self_total = budget_self if budget_self is not None else ZERO
    terms = [f"{EXECUTION_LEVEL1} {num(exec_score) if exec_score is not None else '未计分'}"]
    for r1 in level1:
        total += r1.score
        self_total += r1.self_score
        terms.append(f"{r1.name or NO_LEVEL1} {num(r1.score)}")
    total_expl = f"总分 = {' + '.join(terms)} = {num(total)}"

    if rules.rescale and (sub.na_sums or any(getattr(n, "applicable", True) is False for n in nodes)):
        # 按百分制折算: the weights still in play, 预算执行率 included, count as 100.
        in_play = (ew if ew is not None and ew > ZERO else ZERO) + sum((r1.weight for r1 in level1), ZERO)
        if in_play <= ZERO:
            out.append(
                F.finding(F.TOTAL_RESCALE_EMPTY, "total", "所有指标均不适用，适用指标分值合计为 0，无法按百分制折算")
            )
        elif in_play != HUNDRED:
            raw = total
            total = round_half_up(raw * HUNDRED / in_play)
            self_total = round_half_up(self_total * HUNDRED / in_play)
            total_expl += f"；按百分制折算：{two(raw)} ÷ {num(in_play)} × 100 = {two(total)}"
            out.append(
                F.finding(
                    F.TOTAL_RESCALED,
                    "total",
                    f"不适用指标不计分，适用指标分值合计 {num(in_play)} 分，总分按百分制折算为 {two(total)} 分",
                )
            )

    cap = None
    if rate is not None:
        for below, top in rules.caps:
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

    return total, self_total, total_expl


def _grade_checks(
    report: ReportInput, rules: _Rules, total, self_total, grade: str, self_grade: str, out: list[Finding]
) -> None:
    """The computed total and grade against the self scores and what the report printed."""
    tol = rules.tolerance
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
        expected = grade_for(basis, rules.bands)
        if published_grade != expected:
            out.append(
                F.finding(
                    F.SELF_GRADE_MISMATCH,
                    "total",
                    f"报告填写自评等级“{published_grade}”，按 {num(basis)} 分应为“{expected}”",
                )
            )


# --------------------------------------------------------------------------- the reviewer's total


def reviewer_total(
    report: ReportInput, result: ReportResult, scores: tuple[Decimal | None, ...]
) -> tuple[Decimal, str, str]:
    """(total, grade, explanation) with the reviewer's row scores standing in for the rule's.

    `scores` has one entry per indicator row (None: the reviewer gave none, the rule's score
    counts); 预算执行率 keeps the rule's score. The sum goes through the same rescaling and caps
    as the rule total, so with no reviewer score the two are equal.
    """
    rules = _compile(getattr(report, "rules", None) or _DEFAULT_RULES)
    rows = []
    given = 0
    for row in result.rows:
        score = scores[row.index] if row.index < len(scores) else None
        if score is not None and "not_applicable" not in row.flags:
            given += 1
            row = dataclasses.replace(row, score=round_half_up(score))
        rows.append(row)
    sub = _Subtotals(rows)
    nodes = as_items(getattr(report, "level1", None))
    level1 = tuple(_level1(name, *sub.level1.get(name, (ZERO, ZERO, ZERO))) for name in _level1_order(nodes, sub))
    budget = getattr(report, "budget", None) or Budget()
    exec_score = result.execution_score
    total, _self, expl = _totals(budget, nodes, level1, sub, rules, result.execution_rate, exec_score, exec_score, [])
    total = round_half_up(total)
    expl = expl.replace("总分", "审核总分", 1) + f"（{given} 项采用审核得分，其余按规则得分）"
    return total, grade_for(total, rules.bands), expl
