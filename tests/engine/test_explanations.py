"""Each rule branch explains its row's score in one line (formatted when first read, see
test_lazy_rows.py); the expected texts are those the engine wrote at 5a6c385, before issue 15's
readability pass."""

from decimal import Decimal as D

import pytest

from indicators.engine import score_report
from tests.engine.helpers import qual, quant, report, score_row

CASES = {
    "met": (quant(actual="96"), {}, "96 达到 ≥95，得满分 2", "2.00"),
    "ratio": (
        quant(self_score="1.99", reason="x", unit="%"),
        {},
        "94.5% 未达到 ≥95%，按完成值与指标值之比计分：94.5 ÷ 95 × 2 = 1.99",
        "1.99",
    ),
    "negative target": (
        quant(target="-10", actual="-12", reason="x"),
        {},
        "-12 未达到 ≥-10，按差距与指标值绝对值之比扣分：(1 − (-10 − -12) ÷ 10) × 2 = 1.6",
        "1.60",
    ),
    "= 0": (quant(sign="=", target="0", actual="1", reason="x"), {}, "指标值为 =0，完成值 1 不等于 0，得 0 分", "0.00"),
    "≤ met": (quant(sign="<=", target="5", actual="4", unit="天"), {}, "4 天 未超过 ≤5 天，得满分 2", "2.00"),
    "≤ linear": (
        quant(sign="<=", target="5", actual="6", unit="天", reason="x"),
        {},
        "6 天 超过 ≤5 天，按超出比例扣分：(1 − (6 − 5) ÷ 5) × 2 = 1.6",
        "1.60",
    ),
    "≤ ratio": (
        quant(sign="<=", target="5", actual="6", unit="天", reason="x"),
        {"reverse_formula": "ratio"},
        "6 天 超过 ≤5 天，按指标值与完成值之比计分：5 ÷ 6 × 2 = 1.67",
        "1.67",
    ),
    "≤ 0": (quant(sign="<=", target="0", actual="2", reason="x"), {}, "指标值为 ≤0，完成值 2 超过 0，得 0 分", "0.00"),
    "overachieved": (
        quant(target="10", actual="20", unit="个", reason="x"),
        {"overachievement_ratio": D("1.5"), "overachievement_deduction": D("1")},
        "20 个 达到 ≥10 个，得满分 2；超额完成（≥1.5 倍）扣 1 分，计 1 分",
        "1.00",
    ),
    "self scored": (
        quant(actual=None, actual_text="完成", self_score="2"),
        {},
        "实际完成值“完成”不是测量值，无法按规则计算，暂按自评 2 分计",
        "2.00",
    ),
    "tier": (qual(self_score="1.8"), {}, "达成年度指标（80%–100%），自评 1.8 分在区间 1.60–2.00 内", "1.80"),
    "tier out of range": (
        qual(tier="partial", self_score="2", reason="x"),
        {},
        "部分达成年度指标并具有一定效果（60%–80%），自评 2 分超出区间 1.20–1.60（不含 1.60），按 1.59 分计",
        "1.59",
    ),
    "tier inferred": (
        qual(tier=None, self_score="1.4", reason="x"),
        {},
        "未选择档次，按自评 1.4 分推定为部分达成年度指标并具有一定效果",
        "1.40",
    ),
}


@pytest.mark.parametrize(("row", "rules", "explanation", "score"), CASES.values(), ids=CASES.keys())
def test_each_branch_explains_its_score(row, rules, explanation, score):
    result, _ = score_row(row, **rules)
    assert result.explanation == explanation
    assert result.score == D(score)


def test_a_differing_self_score_quotes_the_rule_of_the_explanation():
    result = score_report(report(quant(self_score="1.5", reason="x", unit="%")))
    (differs,) = [f for f in result.findings if f.code == "score.differs"]
    assert "按完成值与指标值之比计分：94.5 ÷ 95 × 2 = 1.99" in differs.message
