"""S2: execution rates in the text against the table's budget rows and tasks."""

from __future__ import annotations

from indicators.engine.narrative.checker import _Checker
from indicators.engine.narrative.codes import _ERROR, RATE_DIFFERS
from indicators.engine.narrative.text import _Section
from indicators.engine.narrative.values import _pct_matches, _places, _two

# Words that say "the department's budget" before 执行率 without naming a row.
_TOTAL_FILLERS = (
    "部门整体",
    "我单位",
    "本单位",
    "单位",
    "部门",
    "整体",
    "总体",
    "全年",
    "年度",
    "其中",
    "预算",
    "资金",
    "总",
    "的",
)
_ROW_WORDS = (
    ("基本支出", "basic"),
    ("项目支出", "project"),
    ("财政性资金", "fiscal"),
    ("财政资金", "fiscal"),
    ("财政拨款", "fiscal"),
    ("其他资金", "other"),
    ("部门预算", "total"),
    ("预算总额", "total"),
    ("部门整体", "total"),
    ("整体预算", "total"),
    ("总体预算", "total"),
)


def check_rates(c: _Checker, sec: _Section) -> None:
    text, t = sec.text, c.t
    prev_end = -1
    for fig in sec.scan.rates:
        region_start = max(sec.sentence_start(fig.start), prev_end)
        prev_end = fig.end
        if fig.unit or text.startswith(("以上", "以下", "以内", "左右"), fig.end):
            continue  # a target or a bound, not a result
        places = _places(fig.raw)
        found: dict[str, int] = {}
        if sec.row_words is None:
            sec.row_words = [(w, k) for w, k in (*_ROW_WORDS, *c.t.task_words) if w in text]
        for word, key in sec.row_words:
            i = text.rfind(word, region_start, fig.start)
            if i >= 0 and i > found.get(key, -1):
                found[key] = i
        if not found:
            clause = text[sec.clause_start(fig.start) : fig.start]
            for filler in _TOTAL_FILLERS:
                clause = clause.replace(filler, "")
            if clause:
                continue  # 执行率 of something the table does not hold
            found = {"total": fig.start}
        keys = sorted(found, key=found.__getitem__)
        if len(keys) >= 2:
            keys.append("total")  # a listing followed by one rate: likely the total's
        if any(
            any(_pct_matches(fig.value, places, r) for r in t.row_rates(key))
            # Repeating the table's printed rate: the table check reports that one.
            or t.printed_rate(key) == fig.value
            for key in keys
        ):
            continue
        key = keys[-1] if len(keys) == 1 else max(found, key=found.__getitem__)
        rates = t.row_rates(key)
        if not rates:
            continue
        label = t.row_label(key)
        start = found[key] if fig.start - found[key] <= 40 else fig.start
        quote = text[start : fig.end]
        table_rate = f"表中{label}执行率 {_two(rates[0])}%"
        share = t.share(key, fig.value, places)
        if share:
            message = f"{sec.label}写“{quote}”：{share}（{table_rate}）"
        else:
            _, annual, executed = t.row_amounts(key)
            message = f"{sec.label}写“{quote}”，与{table_rate}（{_two(executed)}/{_two(annual)}）不符"
        c.emit(sec, RATE_DIFFERS, _ERROR, f"{key}:{fig.raw}", message)
