"""S1: amounts in the text against the table's, and 元 written for 万元 or the reverse."""

from __future__ import annotations

from indicators.engine.narrative.checker import _Checker
from indicators.engine.narrative.codes import _ERROR, _WARNING, AMOUNT_UNKNOWN, UNIT_WAN, UNIT_YUAN
from indicators.engine.narrative.text import _MONEY_FACTOR, _Section
from indicators.engine.narrative.values import _WAN, _two

# Amounts that are thresholds, ranges, per-head or approximate figures, not table data.
_NOT_FACT_BEFORE = ("约", "近", "超", "逾", "每", "均", "-", "~", "～", "至", "到", "标准")
_NOT_FACT_AFTER = ("以上", "以下", "以内", "左右", "/", "每")
# Words in a clause that make an amount a budget amount (for amount_unknown).
_BUDGET_WORDS = ("预算", "批复", "到位", "执行", "支出", "拨付", "资金", "总额", "结余")


def check_amounts(c: _Checker, sec: _Section) -> None:
    text, t = sec.text, c.t
    if not sec.scan.money or not t.has_amounts():
        return
    for fig in sec.scan.money:
        if fig.value == 0:
            continue
        wan = fig.value * _MONEY_FACTOR[fig.unit]
        if t.amount(wan):
            continue
        quote = f"{fig.raw} {fig.unit}"
        if fig.unit == "万元" and (label := t.amount_label(wan / _WAN)):
            c.emit(
                sec,
                UNIT_YUAN,
                _ERROR,
                fig.raw,
                f"{sec.label}写“{quote}”，按表中数字应为 {_two(wan / _WAN)} 万元（{label}），疑为元误写为万元",
            )
            continue
        if fig.unit == "元" and (label := t.amount_label(wan * _WAN)):
            c.emit(
                sec,
                UNIT_WAN,
                _ERROR,
                fig.raw,
                f"{sec.label}写“{quote}”，按表中数字应为 {_two(wan * _WAN)} 万元（{label}），疑为万元误写为元",
            )
            continue
        before = text[max(0, fig.start - 2) : fig.start]
        after = text[fig.end : fig.end + 2]
        if before.endswith(_NOT_FACT_BEFORE) or after.startswith(_NOT_FACT_AFTER):
            continue
        start = sec.clause_start(fig.start)
        if not any(w in text[start : fig.start] for w in _BUDGET_WORDS):
            continue
        c.emit(
            sec,
            AMOUNT_UNKNOWN,
            _WARNING,
            fig.raw,
            f"{sec.label}写“{text[start : fig.end]}”，表中没有这个金额（按万元或按元都对不上），请核对",
        )
