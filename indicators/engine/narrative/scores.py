"""Scores and weights the text gives an indicator or the total, against the scored table."""

from __future__ import annotations

from decimal import Decimal

from indicators.engine.narrative.checker import _Checker
from indicators.engine.narrative.codes import _ERROR, _WARNING, SCORE_DIFFERS, WEIGHT_DIFFERS
from indicators.engine.narrative.table import _Entity
from indicators.engine.narrative.text import _Section
from indicators.engine.narrative.values import _ok, _places, _plain, _r, _two


def _named_subject(c: _Checker, sec: _Section, start: int, anchor: int) -> list[_Entity] | None:
    t = c.t
    if sec.words is None:
        sec.words, sec.lower = t.names_in(sec.text)
    status, found = t.subject(sec.text, sec.sentence_start(start), anchor, sec.words, sec.lower)
    if found or status == "lower":
        return found
    # 该项得分, or a bare 得分 under "3. 产出指标情况分析": the heading names the item.
    heading = sec.heading(start)
    if not heading:
        return None
    return t.subject(heading, 0, len(heading), t.words_in(heading), ())[1]


def check_scores(c: _Checker, sec: _Section) -> None:
    tol = c.t.tol
    for fig in sec.scan.scores:
        ents = _named_subject(c, sec, fig.start, fig.start + 2)
        if not ents:
            continue
        value, places = fig.value, _places(fig.raw)

        def near(x: object, value: Decimal = value, places: int = places) -> bool:
            if not _ok(x):
                return False
            return abs(value - x) <= tol or (places == 1 and _r(x, 1) == value)

        if any(near(e.rule) for e in ents):
            continue
        ent = ents[0]
        quote = f"{fig.raw} 分"
        if any(near(s) for e in ents for s in e.selfs):
            if not _ok(ent.rule):
                continue
            c.emit(
                sec,
                SCORE_DIFFERS,
                _WARNING,
                f"{ent.label}:{fig.raw}",
                f"{sec.label}写{ent.label}得分“{quote}”，与部门自评得分一致，但按评分规则应为 {_two(ent.rule)} 分",
            )
            continue
        parts = []
        if _ok(ent.rule):
            parts.append(f"按评分规则应为 {_two(ent.rule)} 分")
        selfs = [s for s in ent.selfs if _ok(s)]
        if selfs and not (_ok(ent.rule) and abs(selfs[0] - ent.rule) <= tol):
            parts.append(f"自评得分为 {_two(selfs[0])} 分")
        if parts:
            c.emit(
                sec,
                SCORE_DIFFERS,
                _ERROR,
                f"{ent.label}:{fig.raw}",
                f"{sec.label}写{ent.label}得分“{quote}”，" + "，".join(parts),
            )


def check_weights(c: _Checker, sec: _Section) -> None:
    for fig in sec.scan.weights:
        ents = _named_subject(c, sec, fig.start, fig.start)
        if not ents:
            continue
        weights = [w for e in ents for w in e.weights if _ok(w)]
        if not weights or any(w == fig.value for w in weights):
            continue
        ent = ents[0]
        message = f"{sec.label}写{ent.label}分值“{fig.raw} 分”，表中分值为 {_plain(weights[0])} 分"
        if _ok(ent.standard_weight) and ent.standard_weight == fig.value:
            message += f"（{fig.raw} 分是规则原定分值，表中已调整）"
        c.emit(sec, WEIGHT_DIFFERS, _ERROR, f"{ent.label}:{fig.raw}", message)
