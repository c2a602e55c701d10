"""Mid-year monitoring lights (绩效运行监控): a figure to date against the expected progress.

Plain Python over Decimal, like the scoring engine; every light carries the words that explain
it. E is the monitoring point's expected progress in percent (50 as of 30 June); the rule set
gives two margins in percentage points, yellow (default 10) and red (default 25).

- Budget execution to date: rate = executed to date ÷ budget × 100 (the rule set's
  denominator). Green if rate ≥ E − yellow margin, yellow if rate ≥ E − red margin, red below.
  A rate above 100 % (more executed than budgeted) is red. Nothing entered: grey 未填报; no
  budget or a budget of 0: grey. Amounts are shown with 2 places (万元).
- Quantitative row, sign ≥ or = (a blank sign reads as ≥): progress = actual to date ÷ target
  × 100 against the same thresholds. Target 0: under ≥ green when actual ≥ 0, under = green
  only when actual = 0, red otherwise.
- Quantitative row, sign ≤ (costs, complaint rates: the figure should stay low): usage =
  actual ÷ target × 100, thresholds mirrored: green if usage ≤ E + yellow margin, yellow if
  ≤ E + red margin, red above; exceeding the target is red whatever the date. Target 0: green
  when actual ≤ 0, red otherwise.
- A quantitative row with a blank or negative target is not lit (grey): no progress to measure.
- Qualitative row: not lit (grey) unless the department marks a risk, then yellow with its note.
- A row with nothing entered: grey 未填报; a row that does not apply: grey.

Every comparison is on the exact values; percentages are rounded (half up) only when shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from indicators.engine.fmt import num, pct, two

GREEN = "green"
YELLOW = "yellow"
RED = "red"
GREY = "grey"
COLOURS = (RED, YELLOW, GREEN, GREY)  # worst first: the order of a sorted view
SEVERITY = {RED: 3, YELLOW: 2, GREEN: 1, GREY: 0}

ZERO = Decimal("0")
HUNDRED = Decimal("100")
NOT_ENTERED = "未填报"


@dataclass(frozen=True)
class MonitoringRules:
    """The rule set's margins, in percentage points below (above, for ≤) the expected progress."""

    yellow_margin: Decimal = Decimal("10")
    red_margin: Decimal = Decimal("25")


DEFAULT_RULES = MonitoringRules()


@dataclass(frozen=True)
class Light:
    colour: str  # one of COLOURS
    explanation: str  # one line in Chinese
    progress: Decimal | None = None  # in percent, unrounded: the rate or progress compared


def _u(unit: str) -> str:
    """How a unit follows a number ("48%", "20 个"); a unit cell holding a target ("≥95%") is dropped."""
    unit = (unit or "").strip()
    if not unit or unit == "定性指标" or any(c.isdigit() or c in "≥≤=<>" for c in unit):
        return ""
    return unit if unit[0] in "%‰" else " " + unit


def _behind(value: Decimal, what: str, expected: Decimal, rules: MonitoringRules) -> Light:
    """A figure that should keep up with the expected progress (budget, ≥ and = rows)."""
    green_at = expected - rules.yellow_margin
    yellow_at = expected - rules.red_margin
    head = f"{what} = {pct(value)}"
    if value >= green_at:
        why = f"不低于 {num(green_at)}%（预期进度 {num(expected)}% − {num(rules.yellow_margin)}），绿灯"
        return Light(GREEN, f"{head}，{why}", value)
    if value >= yellow_at:
        why = (
            f"低于 {num(green_at)}%（预期进度 {num(expected)}% − {num(rules.yellow_margin)}），"
            f"不低于 {num(yellow_at)}%（预期进度 {num(expected)}% − {num(rules.red_margin)}），黄灯"
        )
        return Light(YELLOW, f"{head}，{why}", value)
    why = f"低于 {num(yellow_at)}%（预期进度 {num(expected)}% − {num(rules.red_margin)}），红灯"
    return Light(RED, f"{head}，{why}", value)


def _ahead(value: Decimal, what: str, expected: Decimal, rules: MonitoringRules) -> Light:
    """A figure that should stay low (≤ rows): running ahead of the expected progress is the risk."""
    green_to = expected + rules.yellow_margin
    yellow_to = expected + rules.red_margin
    head = f"{what} = {pct(value)}"
    if value <= green_to:
        why = f"不高于 {num(green_to)}%（预期进度 {num(expected)}% + {num(rules.yellow_margin)}），绿灯"
        return Light(GREEN, f"{head}，{why}", value)
    if value <= yellow_to:
        why = (
            f"高于 {num(green_to)}%（预期进度 {num(expected)}% + {num(rules.yellow_margin)}），"
            f"不高于 {num(yellow_to)}%（预期进度 {num(expected)}% + {num(rules.red_margin)}），黄灯"
        )
        return Light(YELLOW, f"{head}，{why}", value)
    why = f"高于 {num(yellow_to)}%（预期进度 {num(expected)}% + {num(rules.red_margin)}），红灯"
    return Light(RED, f"{head}，{why}", value)


def budget_light(
    *,
    executed: Decimal | None,
    budget: Decimal | None,
    expected: Decimal,
    rules: MonitoringRules = DEFAULT_RULES,
    budget_label: str = "全年预算数",
    unit: str = "万元",
) -> Light:
    """The light of budget execution to date (executed and budget in the same unit)."""
    if executed is None:
        return Light(GREY, f"预算执行数{NOT_ENTERED}")
    if budget is None:
        return Light(GREY, f"{budget_label}空白，不亮灯")
    if budget <= ZERO:
        return Light(GREY, f"{budget_label}为 {two(budget)} {unit}，不亮灯")
    rate = executed * HUNDRED / budget
    what = f"执行 {two(executed)} {unit} ÷ {budget_label} {two(budget)} {unit}"
    if rate > HUNDRED:
        return Light(RED, f"{what} = {pct(rate)}，超过{budget_label}，红灯", rate)
    return _behind(rate, what, expected, rules)


def row_light(
    *,
    kind: str,
    sign: str | None,
    target: Decimal | None,
    actual: Decimal | None,
    expected: Decimal,
    rules: MonitoringRules = DEFAULT_RULES,
    unit: str = "",
    note: str = "",
    at_risk: bool = False,
    applicable: bool = True,
) -> Light:
    """The light of one indicator row: its actual to date against its (annual) target."""
    if not applicable:
        return Light(GREY, "不适用，不亮灯")
    if kind != "quantitative":
        note = (note or "").strip()
        if at_risk:
            return Light(YELLOW, f"部门说明存在风险：{note}，黄灯" if note else "部门说明存在风险，黄灯")
        return Light(GREY, "定性指标，不按进度亮灯")
    if actual is None:
        return Light(GREY, NOT_ENTERED)
    u = _u(unit)
    if target is None:
        return Light(GREY, "指标值空白，不亮灯")
    if sign == "<=":
        if target == ZERO:
            if actual <= ZERO:
                return Light(GREEN, f"指标值为 ≤0，完成 {num(actual)}{u} 未超过，绿灯")
            return Light(RED, f"指标值为 ≤0，完成 {num(actual)}{u} 已超过，红灯")
        if target < ZERO:
            return Light(GREY, f"指标值为负数（≤{num(target)}{u}），不按进度亮灯")
        if actual > target:
            return Light(RED, f"完成 {num(actual)}{u} 已超过指标值 ≤{num(target)}{u}，红灯", actual * HUNDRED / target)
        what = f"完成 {num(actual)}{u} ÷ 指标值 ≤{num(target)}{u}"
        return _ahead(actual * HUNDRED / target, what, expected, rules)
    sym = "=" if sign == "=" else "≥"
    if target == ZERO:
        ok = actual == ZERO if sign == "=" else actual >= ZERO
        if ok:
            return Light(GREEN, f"指标值为 {sym}0，完成 {num(actual)}{u}，绿灯")
        return Light(RED, f"指标值为 {sym}0，完成 {num(actual)}{u}，红灯")
    if target < ZERO:
        return Light(GREY, f"指标值为负数（{sym}{num(target)}{u}），不按进度亮灯")
    what = f"完成 {num(actual)}{u} ÷ 指标值 {sym}{num(target)}{u}"
    return _behind(actual * HUNDRED / target, what, expected, rules)


def worst(colours: Iterable[str]) -> str:
    """The most severe colour (red, yellow, green), grey when nothing is lit."""
    return max(colours, key=SEVERITY.__getitem__, default=GREY)


def counts(colours: Iterable[str]) -> dict[str, int]:
    tally = dict.fromkeys(COLOURS, 0)
    for colour in colours:
        tally[colour] += 1
    return tally
