"""Every explanation the engine writes has an English template, and English pages show it.

The engine is driven through each branch that explains a score (rows, 预算执行率, the total,
the reviewer total); each text must match a template of reports/web/engine_explain.py, and
each template must be reached, so a changed wording or a dead template fails here.
"""

import re
from decimal import Decimal as D

import pytest
from django.utils import translation

from indicators.engine import Budget, BudgetRow, ReportInput, RuleSet, reviewer_total, score_report
from indicators.engine.rows import broken_row
from reports.web import engine_explain
from tests.engine.helpers import budget, qual, quant, report

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# Data in ASCII, so that any Chinese left under English is the engine's.
NAMES = {"level1": "Output", "level2": "Quantity", "level3": "Row"}


def q(**kw):
    return quant(**{**NAMES, "reason": "r", **kw})


def ql(**kw):
    return qual(**{**NAMES, "level1": "Outcome", "reason": "r", **kw})


def amounts(annual="100", executed="100", initial=None, weight="10"):
    return budget(annual=annual, executed=executed, initial=initial, weight=weight)


STEP = {"execution_method": "step", "execution_step_per": D("5"), "execution_step_deduct": D("2")}
OVER = {"overachievement_ratio": D("1.5")}

ROWS = [
    (q(actual="96"), {}),
    (q(actual="94.5", unit="%"), {}),
    (q(actual="-5"), {}),
    (q(target="-10", actual="-12"), {}),
    (q(target="-10", actual="-30"), {}),
    (q(sign="=", target="0", actual="0"), {}),
    (q(sign="=", target="0", actual="1"), {}),
    (q(target="0", actual="1"), {}),
    (q(target="0", actual="-1"), {}),
    (q(sign="<=", target="5", actual="4", unit=" days"), {}),
    (q(sign="<=", target="0", actual="2"), {}),
    (q(sign="<=", target="5", actual="6"), {"reverse_formula": "ratio"}),
    (q(sign="<=", target="5", actual="11"), {}),
    (q(sign="<=", target="-5", actual="6"), {}),
    (q(sign="<=", target="5", actual="6"), {}),
    (q(sign="<=", target="-5", actual="-4"), {}),
    (q(target="10", actual="20"), {**OVER, "overachievement_deduction": D("1")}),
    (q(target="10", actual="20"), OVER),
    (q(target=None, actual="5", self_score="2"), {}),
    (q(actual=None, self_score="2"), {}),
    (q(actual=None, actual_text="done", self_score="2"), {}),
    (q(target=None, actual="5"), {}),
    (q(actual=None), {}),
    (q(actual=None, actual_text="done"), {}),
    (ql(self_score="1.8"), {}),
    (ql(tier="partial", self_score="2"), {}),
    (ql(self_score=None), {}),
    (ql(tier=None, self_score="1.4"), {}),
    (ql(tier=None, self_score=None), {}),
    (q(applicable=False), {}),
    (q(weight=None), {}),
    (q(weight="-1"), {}),
]

BUDGETS = [
    (Budget(execution_weight=None, rows=(BudgetRow("total", annual=D("100"), executed=D("90")),)), {}),
    (amounts(annual=None, executed="100"), {}),
    (amounts(executed=None), {}),
    (amounts(annual=None, executed=None), {}),
    (amounts(annual="0"), {}),
    (amounts(annual="-5"), {}),
    (amounts(), {}),
    (amounts(executed="98"), STEP),
    (amounts(executed="90"), STEP),
    (amounts(executed="10"), STEP),
    (amounts(executed="110"), {**STEP, "execution_cap": False}),
    (amounts(executed="200"), {**STEP, "execution_cap": False}),
    (amounts(executed="90", initial="100"), {"execution_denominator": "initial"}),
    (amounts(executed="110"), {}),
    (amounts(executed="110"), {"execution_cap": False}),
]

CAPS = {"total_caps_by_execution": ((D("80"), D("10")),)}


def results():
    """(input, result) of every branch, plus the totals' branches."""
    for row, rules in ROWS:
        r = report(row, rules=RuleSet(**rules))
        yield r, score_report(r)
    for b, rules in BUDGETS:
        r = report(q(actual="96"), rules=RuleSet(**rules), budget=b)
        yield r, score_report(r)
    flat = report(q(actual="96", level1=""), rules=RuleSet(not_applicable="rescale"))
    yield flat, score_report(flat)
    dropped = report(
        q(actual="96"), q(actual="96", level3="Dropped", applicable=False), rules=RuleSet(not_applicable="rescale")
    )
    yield dropped, score_report(dropped)
    for executed, weight in (("50", "2"), ("50", "20")):
        capped = report(q(actual="96", weight=weight), rules=RuleSet(**CAPS), budget=amounts(executed=executed))
        yield capped, score_report(capped)
    unscored = report(q(actual="96"), budget=amounts(annual=None, executed=None))
    yield unscored, score_report(unscored)


def explanations():
    texts = []
    for r, result in results():
        texts += [row.explanation for row in result.rows]
        texts += [result.execution_explanation, result.total_explanation]
        texts.append(reviewer_total(r, result, (D("1"),) * len(result.rows))[2])
    texts.append(broken_row(0, object(), [], ValueError()).explanation)
    texts.append(score_report(ReportInput(indicators=("not a row",))).rows[0].explanation)
    return [t for t in texts if t]


TEXTS = explanations()


def test_every_explanation_has_a_template():
    unknown = [t for t in TEXTS if not engine_explain.is_known(t)]
    assert unknown == []


def test_every_template_is_reached():
    used = set()
    for text in TEXTS:
        for part in [text, *text.split("；")]:
            part = engine_explain._NOTE.sub("", part)
            used |= {t for p, t in engine_explain.PATTERNS if p.match(part)}
    assert [t for t in engine_explain.EXPLANATIONS if t not in used] == []


def test_english_explanations_keep_the_figures_and_have_no_chinese():
    with translation.override("en"):
        english = {t: engine_explain.explanation_text(t) for t in TEXTS}
    left = {t: e for t, e in english.items() if CJK.search(e)}
    assert left == {}
    with translation.override("en"):
        assert engine_explain.explanation_text("96 达到 ≥95，得满分 2") == "96 meets ≥95: full marks, 2"
        assert (
            engine_explain.explanation_text("无法识别的说明") == "Scored by the rules (the working is shown in Chinese)"
        )


def test_chinese_is_the_engines_own_text():
    with translation.override("zh-hans"):
        assert all(engine_explain.explanation_text(t) == t for t in TEXTS)


@pytest.mark.parametrize(
    ("text", "english"),
    [
        (
            "94.5% 未达到 ≥95%，按完成值与指标值之比计分：94.5 ÷ 95 × 2 = 1.99",
            "94.5% is short of ≥95%: scored as actual ÷ target: 94.5 ÷ 95 × 2 = 1.99",
        ),
        (
            "部分达成年度指标并具有一定效果（60%–80%），自评 2 分超出区间 1.20–1.60（不含 1.60），按 1.59 分计",
            "Annual target partly met, with some effect (60%–80%): the self score 2 is outside 1.20–1.60"
            " (excluding 1.60); counted as 1.59",
        ),
        (
            "审核总分 = 预算执行率 10 + 产出指标 2 = 12（1 项采用审核得分，其余按规则得分）",
            "Reviewer total = Budget execution rate 10 + 产出指标 2 = 12"
            " (rows at the reviewer's score: 1; the rest at the rules')",
        ),
    ],
)
def test_english_wording(text, english):
    with translation.override("en"):
        assert engine_explain.explanation_text(text) == english
