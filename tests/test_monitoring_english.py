"""Every explanation a monitoring light can have has an English template (figures kept)."""

import re
from decimal import Decimal as D

import pytest
from django.utils import translation

from indicators.engine.monitoring import MonitoringRules, budget_light, row_light
from reports.web import engine_explain

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
E = D("50")
RULES = MonitoringRules(yellow_margin=D("10"), red_margin=D("25"))


def lights():
    out = []
    for executed, budget, label in [
        (None, D("100"), "全年预算数"),
        (D("5"), None, "全年预算数"),
        (D("5"), D("0"), "年初预算数"),
        (D("120"), D("100"), "全年预算数"),
        (D("45"), D("100"), "全年预算数"),
        (D("30"), D("100"), "全年预算数"),
        (D("10"), D("100"), "全年预算数"),
    ]:
        out.append(budget_light(executed=executed, budget=budget, expected=E, rules=RULES, budget_label=label))
    rows = [
        {"kind": "quantitative", "sign": ">=", "target": D("100"), "actual": D(a), "unit": "个"}
        for a in ("45", "30", "10")
    ] + [
        {"kind": "quantitative", "sign": "<=", "target": D("100"), "actual": D(a), "unit": "%"}
        for a in ("55", "70", "90", "120")
    ]
    rows += [{"kind": "quantitative", "sign": "<=", "target": D("0"), "actual": D(a)} for a in ("0", "2")] + [
        {"kind": "quantitative", "sign": s, "target": D("0"), "actual": D(a)} for s in (">=", "=") for a in ("0", "-1")
    ]
    rows += [{"kind": "quantitative", "sign": s, "target": D("-5"), "actual": D("1")} for s in ("<=", ">=")] + [
        {"kind": "quantitative", "sign": ">=", "target": None, "actual": D("1")},
        {"kind": "quantitative", "sign": ">=", "target": D("1"), "actual": None},
        {"kind": "qualitative", "sign": None, "target": None, "actual": None},
        {"kind": "qualitative", "sign": None, "target": None, "actual": None, "at_risk": True},
        {"kind": "qualitative", "sign": None, "target": None, "actual": None, "at_risk": True, "note": "项目延期"},
        {"kind": "quantitative", "sign": ">=", "target": D("1"), "actual": D("1"), "applicable": False},
    ]
    out += [row_light(expected=E, rules=RULES, **row) for row in rows]
    return [light.explanation for light in out]


TEXTS = lights()


def test_every_light_has_an_english_template_and_no_chinese_left():
    with translation.override("en"):
        english = {t: engine_explain.light_text(t) for t in TEXTS}
    unmatched = engine_explain.gettext(engine_explain.UNMATCHED)
    assert [t for t, e in english.items() if e == unmatched] == []
    # Left in Chinese: the data (a row's unit 个, the department's note) and 万元, as the findings print it.
    data = re.compile("个|项目延期|万元")
    assert {t: e for t, e in english.items() if CJK.search(data.sub("", e))} == {}


def test_every_light_template_is_reached():
    used = set()
    for text in TEXTS:
        for patterns in (engine_explain.LIGHT_PATTERNS,):
            used |= {t for p, t in patterns if p.match(text)}
        head = engine_explain._LIGHT_HEAD.match(text)
        if head:
            used |= {t for p, t in engine_explain.LIGHT_WHAT_PATTERNS if p.match(head["what"])}
            used |= {t for p, t in engine_explain.LIGHT_WHY_PATTERNS if p.match(head["why"])}
    every = engine_explain.LIGHTS + engine_explain.LIGHT_WHAT + engine_explain.LIGHT_WHY
    assert [t for t in every if t not in used] == []


@pytest.mark.parametrize(
    ("text", "english"),
    [
        (
            "执行 30.00 万元 ÷ 全年预算数 100.00 万元 = 30.00%，低于 40%（预期进度 50% − 10），"
            "不低于 25%（预期进度 50% − 25），黄灯",
            "Executed 30.00 万元 ÷ adjusted annual budget 100.00 万元 = 30.00%: below 40% (expected progress 50%"
            " − 10) but not below 25% (expected progress 50% − 25): yellow",
        ),
        ("完成 120% 已超过指标值 ≤100%，红灯", "Actual 120% already exceeds the target ≤100%: red"),
    ],
)
def test_english_wording(text, english):
    with translation.override("en"):
        assert engine_explain.light_text(text) == english
    with translation.override("zh-hans"):
        assert engine_explain.light_text(text) == text
