"""Properties over generated reports: scores stay in their bounds, sums are sums, grades follow
totals, and nothing a form or file can carry makes score_report raise."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.engine import (
    Budget,
    BudgetRow,
    IndicatorRow,
    Level1Node,
    ReportInput,
    ReportResult,
    RuleSet,
    Task,
    grade_for,
    score_report,
)
from indicators.engine.fmt import num
from indicators.engine.numbers import round_half_up
from indicators.engine.types import KINDS, SIGNS, TIERS

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ZERO = D(0)


def dec2(lo: int, hi: int) -> st.SearchStrategy[D]:
    """Decimals with 2 places in [lo, hi], as typed in a form."""
    return st.integers(lo * 100, hi * 100).map(lambda c: D(c).scaleb(-2))


@st.composite
def rule_sets(draw) -> RuleSet:
    tiers = sorted(draw(st.lists(dec2(0, 100), min_size=2, max_size=2)), reverse=True)
    bands = sorted(draw(st.lists(dec2(0, 100), min_size=3, max_size=3)), reverse=True)
    return RuleSet(
        execution_denominator=draw(st.sampled_from(("annual", "initial"))),
        execution_cap=draw(st.booleans()),
        execution_method=draw(st.sampled_from(("proportional", "step"))),
        execution_step_per=draw(dec2(1, 20)),
        execution_step_deduct=draw(dec2(0, 5)),
        total_caps_by_execution=tuple(draw(st.lists(st.tuples(dec2(0, 100), dec2(0, 100)), max_size=3))),
        reverse_formula=draw(st.sampled_from(("linear", "ratio"))),
        overachievement_ratio=draw(st.none() | dec2(1, 3)),
        overachievement_deduction=draw(dec2(0, 5)),
        qualitative_tiers=(tiers[0], tiers[1]),
        grade_bands=(bands[0], bands[1], bands[2]),
        quantitative_scores=draw(st.sampled_from(("computed", "self-checked"))),
        tolerance=draw(dec2(0, 1)),
        not_applicable=draw(st.sampled_from(("move", "rescale"))),
    )


LEVEL1 = ("投入管理指标", "产出指标", "效益指标", "满意度指标")
TEXTS = ("", "完成", "≥80%", "=94.5%", "41个", "≤3天", "按时")
# Tree shapes (CONVENTIONS 1, 3): a flat list (no level 1 or 2), level 3 under level 1 only,
# a group of rows with no level-1 label, the usual 3 levels; mixed within one report too.
SHAPES = ("flat", "two", "unlabelled", "three")


def _levels(draw, shape: str) -> tuple[str, str]:
    if shape == "flat":
        return "", ""
    if shape == "two":
        return draw(st.sampled_from(LEVEL1)), ""
    if shape == "unlabelled":
        return "", draw(st.sampled_from(("甲", "乙")))
    return draw(st.sampled_from(LEVEL1)), draw(st.sampled_from(("甲", "乙")))


def _or_none(strategy):
    return st.none() | strategy


@st.composite
def valid_reports(draw) -> ReportInput:
    """Weights adding to 100 (10 + 90) in a tree of 1–3 levels, None in the optional texts."""
    rules = draw(rule_sets())
    rescale = rules.not_applicable == "rescale"
    shapes = draw(st.sampled_from((*((s,) for s in SHAPES), SHAPES)))
    n = draw(st.integers(1, 12))
    cuts = sorted(draw(st.lists(st.integers(0, 9000), min_size=n - 1, max_size=n - 1)))
    weights = [D(b - a).scaleb(-2) for a, b in zip([0, *cuts], [*cuts, 9000], strict=True)]
    rows = []
    for i, w in enumerate(weights):
        kind = draw(st.sampled_from(KINDS))
        level1, level2 = _levels(draw, draw(st.sampled_from(shapes)))
        rows.append(
            IndicatorRow(
                level1=level1,
                level2=level2,
                level3=f"指标{i}",
                kind=kind,
                sign=draw(st.sampled_from(SIGNS)) if kind == "quantitative" else None,
                target=draw(st.none() | dec2(-50, 500)),
                target_text=draw(_or_none(st.sampled_from(TEXTS))),
                unit=draw(_or_none(st.sampled_from(("", "%", "个", "万元")))),
                actual=draw(st.none() | dec2(-50, 1000)),
                actual_text=draw(_or_none(st.sampled_from(TEXTS))),
                tier=draw(st.none() | st.sampled_from(TIERS)),
                weight=w,
                self_score=draw(st.none() | st.integers(0, int(w * 100)).map(lambda c: D(c).scaleb(-2))),
                reason=draw(_or_none(st.sampled_from(("", "原因", "剩余3%尾款未付")))),
                # Under "move" a dropped row's weight must have moved (only 0-weight rows drop);
                # under "rescale" any row may drop, its weight still part of the 100.
                applicable=draw(st.booleans()) if (w == 0 or rescale) else True,
            )
        )
    sums: dict[str, D] = {}
    for r in rows:
        sums[r.level1] = sums.get(r.level1, ZERO) + r.weight
    annual = draw(st.none() | dec2(0, 1000))
    budget = Budget(
        unit=draw(st.sampled_from(("万元", "元", None))),
        execution_weight=D("10"),
        rows=(
            BudgetRow("total", annual, annual, draw(st.none() | dec2(0, 2000)), rate_text=draw(_or_none(st.just("")))),
        ),
        self_score=draw(st.none() | dec2(0, 10)),
    )
    return ReportInput(
        rules=rules,
        budget=budget,
        indicators=tuple(rows),
        # rows with level 1 "" count straight into the total: no node is declared for them
        level1=tuple(Level1Node(k, v) for k, v in sums.items() if k),
        weight_note=draw(_or_none(st.just(""))),
        goal=draw(_or_none(st.just("目标"))),
        narrative=draw(_or_none(st.just((("4", "预算执行率为86%。"),)))),
        self_total=draw(_or_none(dec2(0, 100))),
        self_grade=draw(_or_none(st.sampled_from(("", "优", "良")))),
    )


def expected_total(res: ReportResult, rules: RuleSet, execution_weight: D = D("10")) -> D:
    """The total re-derived from the result's parts: Σ, then 按百分制折算, then the cap."""
    total = (res.execution_score or ZERO) + sum((x.score for x in res.level1), ZERO)
    if any(f.code == "total.rescaled" for f in res.findings):
        in_play = execution_weight + sum((x.weight for x in res.level1), ZERO)
        total = round_half_up(total * 100 / in_play)
    if res.execution_rate is not None:
        tops = [top for below, top in rules.total_caps_by_execution if res.execution_rate < below]
        if tops and total > min(tops):
            total = min(tops)
    return total


@SETTINGS
@given(valid_reports())
def test_scores_are_bounded_and_sums_are_sums(report: ReportInput):
    res = score_report(report)
    assert len(res.rows) == len(report.indicators)
    for row in res.rows:
        if row.score is not None:
            assert ZERO <= row.score <= row.weight
            assert row.score == row.score.quantize(D("0.01"))
        assert row.explanation
    if res.execution_score is not None:
        assert ZERO <= res.execution_score <= D("10")
    for l1 in res.level1:
        mine = [r for r in res.rows if r.level1 == l1.name and "not_applicable" not in r.flags]
        assert l1.score == sum((r.score or ZERO for r in mine), ZERO)
        assert l1.weight == sum((r.weight for r in mine), ZERO)
        assert l1.self_score == sum((r.self_score or ZERO for r in mine), ZERO)
    for l2 in res.level2:
        mine = [r for r in res.rows if (r.level1, r.level2) == (l2.level1, l2.name) and "not_applicable" not in r.flags]
        assert l2.score == sum((r.score or ZERO for r in mine), ZERO)
    summed = (res.execution_score or ZERO) + sum((x.score for x in res.level1), ZERO)
    assert f"= {num(summed)}" in res.total_explanation  # the sum before 按百分制折算 and the cap
    if report.rules.not_applicable == "move":
        assert res.total <= summed
    assert res.total == expected_total(res, report.rules)
    assert ZERO <= res.total <= D("100")
    assert res.grade == grade_for(res.total, report.rules.grade_bands)
    assert res.self_grade == grade_for(res.self_total, report.rules.grade_bands)
    assert not [f for f in res.findings if f.code in ("engine.internal", "template.weights", "rules.invalid")]


# ----------------------------------------------------------------------------- None everywhere


@st.composite
def nullable_reports(draw) -> ReportInput:
    """Any tree shape, None possible in every optional field of rows, budget rows and tasks."""
    shapes = draw(st.sampled_from((*((s,) for s in SHAPES), SHAPES)))
    rows = []
    for i in range(draw(st.integers(0, 8))):
        level1, level2 = _levels(draw, draw(st.sampled_from(shapes)))
        rows.append(
            IndicatorRow(
                level1=level1,
                level2=level2,
                level3=draw(st.sampled_from((f"指标{i}", "预算执行率", ""))),
                kind=draw(_or_none(st.sampled_from(KINDS))),
                sign=draw(_or_none(st.sampled_from(SIGNS))),
                target=draw(_or_none(dec2(-50, 500))),
                target_text=draw(_or_none(st.sampled_from(TEXTS))),
                unit=draw(_or_none(st.sampled_from(("%", "万元")))),
                actual=draw(_or_none(dec2(-50, 1000))),
                actual_text=draw(_or_none(st.sampled_from(TEXTS))),
                tier=draw(_or_none(st.sampled_from(TIERS))),
                weight=draw(_or_none(dec2(0, 50))),
                self_score=draw(_or_none(dec2(0, 50))),
                reason=draw(_or_none(st.sampled_from(("原因", "剩余3%尾款未付")))),
                applicable=draw(st.sampled_from((True, False, None))),
            )
        )
    budget_rows = tuple(
        BudgetRow(
            key,
            initial=draw(_or_none(dec2(0, 1000))),
            annual=draw(_or_none(dec2(0, 1000))),
            executed=draw(_or_none(dec2(0, 1000))),
            rate_text=draw(_or_none(st.sampled_from(("86%", "86.20%")))),
        )
        for key in draw(st.lists(st.sampled_from(("total", "fiscal", "basic", "project")), unique=True))
    )
    tasks = tuple(
        Task(
            name=draw(st.sampled_from(("机关运行", "项目"))),
            content=draw(_or_none(st.just("内容"))),
            budget=draw(_or_none(dec2(0, 500))),
            budget_fiscal=draw(_or_none(dec2(0, 500))),
            executed=draw(_or_none(dec2(0, 500))),
            executed_fiscal=draw(_or_none(dec2(0, 500))),
            completion=draw(_or_none(st.just("完成"))),
            rate_text=draw(_or_none(st.sampled_from(("86%", "")))),
        )
        for _ in range(draw(st.integers(0, 3)))
    )
    return ReportInput(
        rules=draw(rule_sets()),
        budget=Budget(
            unit=draw(_or_none(st.just("万元"))),
            execution_weight=draw(_or_none(dec2(0, 20))),
            rows=budget_rows,
            self_score=draw(_or_none(dec2(0, 20))),
        ),
        tasks=tasks,
        indicators=tuple(rows),
        level1=tuple(
            Level1Node(name, draw(_or_none(dec2(0, 60))), draw(_or_none(dec2(0, 60))), draw(st.booleans()))
            for name in draw(st.lists(st.sampled_from(LEVEL1), unique=True, max_size=3))
        ),
        weight_note=draw(_or_none(st.just("可持续性指标不适用"))),
        goal=None,
        goal_completion=None,
        narrative=draw(_or_none(st.just((("3", None), ("4", "预算执行率为86%。"))))),
        self_total=draw(_or_none(dec2(0, 100))),
        self_grade=draw(_or_none(st.just("优"))),
    )


@SETTINGS
@given(nullable_reports())
def test_nulls_in_every_optional_place_are_scored(report: ReportInput):
    res = score_report(report)
    assert isinstance(res, ReportResult)
    assert not [f for f in res.findings if f.code == "engine.internal"]
    assert len(res.rows) == len(report.indicators)
    for row in res.rows:
        if row.score is not None:
            assert row.weight is not None and ZERO <= row.score <= row.weight
    ew = report.budget.execution_weight if report.budget.execution_weight is not None else ZERO
    assert res.total == expected_total(res, report.rules, ew)
    assert res.total >= ZERO


# ----------------------------------------------------------------------------- garbage

garbage = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(("", " ", "≥80%", "=", "完成", "1,234.5万元", "NaN", "-0", "1e999", "met", ">=", "元")),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from((D("1e30"), D("-1e30"), D("1e-30"), D("0"), D("-0"), D("sNaN"), D("1E+999999"))),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True),
    st.booleans(),
    st.tuples(st.integers(), st.text(max_size=3)),
)


def _build(cls, fields):
    return st.builds(cls, **{f: garbage for f in fields})


garbage_rows = _build(
    IndicatorRow,
    (
        "level1", "level2", "level3", "kind", "sign", "target", "target_text", "unit",
        "actual", "actual_text", "tier", "weight", "self_score", "reason", "applicable",
    ),
)  # fmt: skip
garbage_rules = _build(
    RuleSet,
    (
        "execution_denominator", "execution_cap", "execution_method", "execution_step_per",
        "execution_step_deduct", "total_caps_by_execution", "reverse_formula", "overachievement_ratio",
        "overachievement_deduction", "qualitative_tiers", "grade_bands", "quantitative_scores",
        "tolerance", "fixed_execution_weight", "not_applicable",
    ),
)  # fmt: skip
garbage_budget_rows = st.builds(
    BudgetRow,
    row=st.sampled_from(("total", "fiscal", "other", "basic", "project", "x")) | garbage,
    initial=garbage,
    annual=garbage,
    executed=garbage,
    rate_text=garbage,
)
garbage_budget = st.builds(
    Budget,
    unit=garbage,
    execution_weight=garbage,
    rows=st.lists(garbage_budget_rows | garbage, max_size=6).map(tuple) | garbage,
    self_score=garbage,
)
garbage_tasks = _build(Task, ("name", "content", "budget", "budget_fiscal", "executed", "executed_fiscal", "rate_text"))
garbage_nodes = _build(Level1Node, ("name", "weight", "standard_weight", "applicable"))


def _list(strategy):
    return st.lists(strategy | garbage, max_size=6).map(tuple) | garbage


garbage_reports = st.builds(
    ReportInput,
    rules=garbage_rules | garbage,
    budget=garbage_budget | garbage,
    tasks=_list(garbage_tasks),
    indicators=_list(garbage_rows),
    level1=_list(garbage_nodes),
    weight_note=garbage,
    goal=garbage,
    goal_completion=garbage,
    narrative=st.lists(st.tuples(st.sampled_from("12345678"), st.text(max_size=30) | garbage)).map(tuple) | garbage,
    self_total=garbage,
    self_grade=garbage,
)


@SETTINGS
@given(garbage_reports)
def test_any_input_gives_a_result(report: ReportInput):
    res = score_report(report)
    assert isinstance(res, ReportResult)
    assert all(f.severity in ("error", "warning", "info") for f in res.findings)
    # The engine's own code copes with everything; only another module may fail inside it.
    internal = [f for f in res.findings if f.code == "engine.internal" and f.where != "narrative"]
    assert internal == []
