"""Mid-year monitoring lights: every branch and every threshold edge (indicators.engine.monitoring)."""

from decimal import Decimal as D

import pytest

from indicators.engine.monitoring import (
    DEFAULT_RULES,
    GREEN,
    GREY,
    RED,
    YELLOW,
    MonitoringRules,
    budget_light,
    counts,
    row_light,
    worst,
)

E = D("50")  # 30 June


def quant(actual, target="100", sign=">=", expected=E, rules=DEFAULT_RULES, unit="%"):
    return row_light(
        kind="quantitative",
        sign=sign,
        target=None if target is None else D(target),
        actual=None if actual is None else D(actual),
        expected=expected,
        rules=rules,
        unit=unit,
    )


# ------------------------------------------------------------------ budget execution


@pytest.mark.parametrize(
    ("executed", "colour"),
    [
        ("100", GREEN),  # 100 %
        ("50", GREEN),  # exactly the expected progress
        ("40", GREEN),  # exactly at E − yellow margin (10): still green
        ("39.99", YELLOW),
        ("25", YELLOW),  # exactly at E − red margin (25): still yellow
        ("24.99", RED),
        ("0", RED),
        ("100.01", RED),  # more executed than budgeted
    ],
)
def test_budget_thresholds(executed, colour):
    light = budget_light(executed=D(executed), budget=D("100"), expected=E)
    assert light.colour == colour
    assert light.progress == D(executed)


def test_budget_rate_is_exact_and_shown_rounded():
    light = budget_light(executed=D("200"), budget=D("477.48"), expected=E)
    assert light.colour == GREEN
    assert light.progress == D("200") * 100 / D("477.48")
    assert (
        light.explanation == "执行 200.00 万元 ÷ 全年预算数 477.48 万元 = 41.89%，不低于 40%（预期进度 50% − 10），绿灯"
    )


def test_budget_explanations_of_yellow_red_and_over():
    yellow = budget_light(executed=D("30"), budget=D("100"), expected=E).explanation
    assert yellow == (
        "执行 30.00 万元 ÷ 全年预算数 100.00 万元 = 30.00%，低于 40%（预期进度 50% − 10），"
        "不低于 25%（预期进度 50% − 25），黄灯"
    )
    red = budget_light(executed=D("20"), budget=D("100"), expected=E).explanation
    assert red == "执行 20.00 万元 ÷ 全年预算数 100.00 万元 = 20.00%，低于 25%（预期进度 50% − 25），红灯"
    over = budget_light(executed=D("101"), budget=D("100"), expected=E).explanation
    assert over == "执行 101.00 万元 ÷ 全年预算数 100.00 万元 = 101.00%，超过全年预算数，红灯"


def test_budget_not_entered_blank_and_zero_budget_are_grey():
    assert budget_light(executed=None, budget=D("100"), expected=E) == budget_light(
        executed=None, budget=None, expected=E
    )
    missing = budget_light(executed=None, budget=D("100"), expected=E)
    assert (missing.colour, missing.explanation, missing.progress) == (GREY, "预算执行数未填报", None)
    blank = budget_light(executed=D("5"), budget=None, expected=E)
    assert (blank.colour, blank.explanation) == (GREY, "全年预算数空白，不亮灯")
    zero = budget_light(executed=D("5"), budget=D("0"), expected=E, budget_label="年初预算数")
    assert (zero.colour, zero.explanation) == (GREY, "年初预算数为 0.00 万元，不亮灯")


def test_budget_margins_come_from_the_rules():
    strict = MonitoringRules(yellow_margin=D("5"), red_margin=D("15"))
    assert budget_light(executed=D("45"), budget=D("100"), expected=E, rules=strict).colour == GREEN
    assert budget_light(executed=D("44.99"), budget=D("100"), expected=E, rules=strict).colour == YELLOW
    assert budget_light(executed=D("35"), budget=D("100"), expected=E, rules=strict).colour == YELLOW
    assert budget_light(executed=D("34.99"), budget=D("100"), expected=E, rules=strict).colour == RED


def test_later_point_raises_the_bar():
    # As of 30 September (75 %), 60 % executed is yellow; as of 30 June it is green.
    assert budget_light(executed=D("60"), budget=D("100"), expected=D("75")).colour == YELLOW
    assert budget_light(executed=D("60"), budget=D("100"), expected=E).colour == GREEN


# ------------------------------------------------------------------ quantitative rows, ≥ and =


@pytest.mark.parametrize("sign", [">=", "=", None, ""])
@pytest.mark.parametrize(
    ("actual", "colour"),
    [("20.5", GREEN), ("16.4", GREEN), ("16.39", YELLOW), ("10.25", YELLOW), ("10.24", RED), ("0", RED)],
)
def test_progress_thresholds(sign, actual, colour):
    # target 41: 16.4 is exactly 40 %, 10.25 exactly 25 %
    assert quant(actual, target="41", sign=sign, unit="个").colour == colour


def test_progress_explanation_with_a_unit():
    light = quant("18", target="41", unit="个")
    assert light.colour == GREEN
    assert light.explanation == "完成 18 个 ÷ 指标值 ≥41 个 = 43.90%，不低于 40%（预期进度 50% − 10），绿灯"
    eq = quant("30", target="100", sign="=")
    assert eq.colour == YELLOW and eq.explanation.startswith("完成 30% ÷ 指标值 =100% = 30.00%，低于 40%")


def test_a_unit_cell_holding_a_target_is_not_repeated():
    # The seed's = rows have "≥95%" in the 度量单位 column.
    assert quant("50", target="100", sign="=", unit="≥95%").explanation.startswith("完成 50 ÷ 指标值 =100 = 50.00%")


def test_over_the_target_is_green():
    assert quant("130").colour == GREEN


@pytest.mark.parametrize(
    ("sign", "actual", "colour"),
    [(">=", "0", GREEN), (">=", "3", GREEN), (">=", "-1", RED), ("=", "0", GREEN), ("=", "1", RED), ("=", "-1", RED)],
)
def test_zero_target(sign, actual, colour):
    assert quant(actual, target="0", sign=sign).colour == colour


@pytest.mark.parametrize("sign", [">=", "=", "<="])
def test_blank_target_is_grey(sign):
    light = quant("5", target=None, sign=sign)
    assert (light.colour, light.explanation) == (GREY, "指标值空白，不亮灯")


@pytest.mark.parametrize("sign", [">=", "=", "<="])
def test_negative_target_is_grey(sign):
    light = quant("-2", target="-5", sign=sign)
    assert light.colour == GREY and "不按进度亮灯" in light.explanation


@pytest.mark.parametrize("sign", [">=", "=", "<="])
def test_missing_actual_is_not_entered(sign):
    light = quant(None, sign=sign)
    assert (light.colour, light.explanation, light.progress) == (GREY, "未填报", None)


# ------------------------------------------------------------------ quantitative rows, ≤


@pytest.mark.parametrize(
    ("actual", "colour"),
    [
        ("0", GREEN),
        ("3", GREEN),  # 30 %
        ("6", GREEN),  # exactly E + yellow margin (60 %)
        ("6.01", YELLOW),
        ("7.5", YELLOW),  # exactly E + red margin (75 %)
        ("7.51", RED),
        ("10", RED),  # the whole annual allowance used by June
    ],
)
def test_le_thresholds_are_mirrored(actual, colour):
    assert quant(actual, target="10", sign="<=", unit="天").colour == colour


def test_le_exceeding_the_target_is_red_whatever_the_date():
    # As of 31 December (100 %) the mirrored thresholds would pass 110; exceeding stays red.
    light = quant("10.5", target="10", sign="<=", expected=D("100"), unit="天")
    assert light.colour == RED
    assert light.explanation == "完成 10.5 天 已超过指标值 ≤10 天，红灯"
    assert quant("10", target="10", sign="<=", expected=D("100"), unit="天").colour == GREEN


def test_le_explanations():
    assert quant("3", target="10", sign="<=", unit="天").explanation == (
        "完成 3 天 ÷ 指标值 ≤10 天 = 30.00%，不高于 60%（预期进度 50% + 10），绿灯"
    )
    assert quant("7", target="10", sign="<=", unit="天").explanation == (
        "完成 7 天 ÷ 指标值 ≤10 天 = 70.00%，高于 60%（预期进度 50% + 10），不高于 75%（预期进度 50% + 25），黄灯"
    )
    assert quant("8", target="10", sign="<=", unit="天").explanation == (
        "完成 8 天 ÷ 指标值 ≤10 天 = 80.00%，高于 75%（预期进度 50% + 25），红灯"
    )


@pytest.mark.parametrize(("actual", "colour"), [("0", GREEN), ("-1", GREEN), ("0.01", RED)])
def test_le_zero_target(actual, colour):
    assert quant(actual, target="0", sign="<=").colour == colour


# ------------------------------------------------------------------ qualitative and not applicable


def test_qualitative_rows_are_grey_unless_a_risk_is_stated():
    plain = row_light(kind="qualitative", sign=None, target=None, actual=None, expected=E, note="按计划推进")
    assert (plain.colour, plain.explanation) == (GREY, "定性指标，不按进度亮灯")
    risk = row_light(
        kind="qualitative", sign=None, target=None, actual=None, expected=E, note="制度修订滞后", at_risk=True
    )
    assert (risk.colour, risk.explanation) == (YELLOW, "部门说明存在风险：制度修订滞后，黄灯")
    bare = row_light(kind="qualitative", sign=None, target=None, actual=None, expected=E, at_risk=True)
    assert bare.explanation == "部门说明存在风险，黄灯"


def test_not_applicable_is_grey():
    light = row_light(kind="quantitative", sign=">=", target=D("10"), actual=D("0"), expected=E, applicable=False)
    assert (light.colour, light.explanation) == (GREY, "不适用，不亮灯")


# ------------------------------------------------------------------ summaries


def test_worst_and_counts():
    assert worst([GREEN, GREY, YELLOW]) == YELLOW
    assert worst([GREEN, RED, YELLOW]) == RED
    assert worst([GREY]) == GREY
    assert worst([]) == GREY
    assert counts([RED, GREEN, GREEN, GREY]) == {RED: 1, YELLOW: 0, GREEN: 2, GREY: 1}
