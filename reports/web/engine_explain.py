"""The engine's explanations (how a score was reached) in the reader's language.

Like finding messages (engine_text), explanations are the engine's Chinese, formatted from
exact figures (indicators/engine/rows.py `_x_*`, scoring.py `_execution` and `_totals`).
Under English each part (the engine joins parts with "；") is matched against the templates
below, whose msgids are the engine's f-strings with %(name)s placeholders; a figure repeated in
the wording must be the same figure (a back reference). A part no template matches is shown
as one neutral English sentence, never as a wrong figure. tests/test_engine_explain.py
drives the engine through every explanation it writes and checks each has a template.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext, gettext_noop

from indicators.engine.rows import TIER_NAMES
from indicators.engine.types import EXECUTION_LEVEL1, NO_LEVEL1
from reports.web.engine_text import chinese, template_pattern

# Placeholders holding words (units, signs, names, quotes); every other one is a figure.
_WORDS = {"u", "sym", "tier_label", "tier", "span", "actual", "terms", "basis", "unit", "note", "what", "why"}
# Rates carry their percent sign; other figures never do (a unit of "%" is the unit's).
_RATES = {"rate"}

EXPLANATIONS = [
    # A quantitative row (rows.py _x_met … _x_le_linear).
    gettext_noop("%(B)s%(u)s 达到 %(sym)s%(A)s%(u)s，得满分 %(w)s"),
    gettext_noop("%(B)s%(u)s 未达到 %(sym)s%(A)s%(u)s，按完成值与指标值之比计分：%(B)s ÷ %(A)s × %(w)s = %(score)s"),
    gettext_noop("%(B)s%(u)s 未达到 %(sym)s%(A)s%(u)s，按完成值与指标值之比计分：%(B)s ÷ %(A)s × %(w)s ≤ 0，得 0 分"),
    gettext_noop(
        "%(B)s%(u)s 未达到 %(sym)s%(A)s%(u)s，按差距与指标值绝对值之比扣分："
        "(1 − (%(A)s − %(B)s) ÷ %(absA)s) × %(w)s = %(score)s"
    ),
    gettext_noop(
        "%(B)s%(u)s 未达到 %(sym)s%(A)s%(u)s，按差距与指标值绝对值之比扣分："
        "(1 − (%(A)s − %(B)s) ÷ %(absA)s) × %(w)s ≤ 0，得 0 分"
    ),
    gettext_noop("指标值为 =0，完成值 %(B)s%(u)s，得满分 %(w)s"),
    gettext_noop("指标值为 =0，完成值 %(B)s%(u)s 不等于 0，得 0 分"),
    gettext_noop("指标值为 ≥0，完成值 %(B)s%(u)s 不低于 0，得满分 %(w)s"),
    gettext_noop("指标值为 ≥0，完成值 %(B)s%(u)s 低于 0，得 0 分"),
    gettext_noop("%(B)s%(u)s 未超过 ≤%(A)s%(u)s，得满分 %(w)s"),
    gettext_noop("指标值为 ≤0，完成值 %(B)s%(u)s 超过 0，得 0 分"),
    gettext_noop("%(B)s%(u)s 超过 ≤%(A)s%(u)s，按指标值与完成值之比计分：%(A)s ÷ %(B)s × %(w)s = %(score)s"),
    gettext_noop("%(B)s%(u)s 超过 ≤%(A)s%(u)s 达一倍及以上，得 0 分"),
    gettext_noop("%(B)s%(u)s 超过 ≤%(A)s%(u)s 达一倍及以上（指标值为负，按其绝对值），得 0 分"),
    gettext_noop("%(B)s%(u)s 超过 ≤%(A)s%(u)s，按超出比例扣分：(1 − (%(B)s − %(A)s) ÷ %(absA)s) × %(w)s = %(score)s"),
    gettext_noop(
        "%(B)s%(u)s 超过 ≤%(A)s%(u)s，按超出比例扣分（指标值为负，按其绝对值）："
        "(1 − (%(B)s − %(A)s) ÷ %(absA)s) × %(w)s = %(score)s"
    ),
    gettext_noop("超额完成（≥%(k)s 倍）扣 %(deduct)s 分，计 %(score)s 分"),
    gettext_noop("超额完成（≥%(k)s 倍），须说明原因"),
    gettext_noop("指标值空白或不是数值，无法按规则计算，暂按自评 %(score)s 分计"),
    gettext_noop("实际完成值空白，无法按规则计算，暂按自评 %(score)s 分计"),
    gettext_noop("实际完成值“%(actual)s”不是测量值，无法按规则计算，暂按自评 %(score)s 分计"),
    gettext_noop("指标值空白或不是数值，且自评得分空白，未计分"),
    gettext_noop("实际完成值空白，且自评得分空白，未计分"),
    gettext_noop("实际完成值“%(actual)s”不是测量值，且自评得分空白，未计分"),
    # A qualitative row.
    gettext_noop("%(tier_label)s，自评 %(self)s 分在区间 %(lo)s–%(hi)s 内"),
    gettext_noop("%(tier_label)s，自评 %(self)s 分超出区间 %(span)s，按 %(score)s 分计"),
    gettext_noop("%(tier_label)s，未填写自评得分，未计分"),
    gettext_noop("未选择档次，按自评 %(score)s 分推定为%(tier)s"),
    gettext_noop("未选择完成档次，也无自评得分，未计分"),
    # Any row.
    gettext_noop("不适用，不计分"),
    gettext_noop("分值空白，未计分"),
    gettext_noop("分值为负数，未计分"),
    gettext_noop("无法计分"),
    gettext_noop("不是指标行，未计分"),
    # 预算执行率 (scoring.py _execution).
    gettext_noop("预算执行率分值空白或无效，未计分"),
    gettext_noop("预算总额（%(basis)s）空白，预算执行率未计分"),
    gettext_noop("预算总额执行数空白，预算执行率未计分"),
    gettext_noop("部门预算总额的%(basis)s和执行数空白，预算执行率未计分"),
    gettext_noop("部门预算总额的%(basis)s为 0，执行率无法计算，未计分"),
    gettext_noop("预算金额为负数，执行率无法计分"),
    gettext_noop("预算执行率 = %(executed)s ÷ %(denom)s（%(basis)s）= %(rate)s，得满分 %(w)s"),
    gettext_noop("预算执行率 = %(executed)s ÷ %(denom)s（%(basis)s）= %(rate)s，未满一档不扣分，得满分 %(w)s"),
    gettext_noop(
        "预算执行率 = %(executed)s ÷ %(denom)s（%(basis)s）= %(rate)s，低于 100%% %(short)s 个百分点，"
        "每满 %(per)s 个百分点扣 %(deduct)s 分（不足一档的部分不扣）：%(w)s − %(steps)s × %(deduct)s = %(score)s"
    ),
    gettext_noop(
        "预算执行率 = %(executed)s ÷ %(denom)s（%(basis)s）= %(rate)s，低于 100%% %(short)s 个百分点，"
        "每满 %(per)s 个百分点扣 %(deduct)s 分（不足一档的部分不扣）：%(w)s − %(steps)s × %(deduct)s = %(score)s"
        "（最低 0 分）"
    ),
    gettext_noop(
        "预算执行率 = %(executed)s ÷ %(denom)s（%(basis)s）= %(rate)s，超出 100%% %(short)s 个百分点，"
        "每满 %(per)s 个百分点扣 %(deduct)s 分（不足一档的部分不扣）：%(w)s − %(steps)s × %(deduct)s = %(score)s"
    ),
    gettext_noop(
        "预算执行率 = %(executed)s ÷ %(denom)s（%(basis)s）= %(rate)s，超出 100%% %(short)s 个百分点，"
        "每满 %(per)s 个百分点扣 %(deduct)s 分（不足一档的部分不扣）：%(w)s − %(steps)s × %(deduct)s = %(score)s"
        "（最低 0 分）"
    ),
    gettext_noop("预算执行率 = %(executed)s ÷ %(denom)s（%(basis)s）= %(rate)s，按执行率 × %(w)s 计分：%(score)s"),
    gettext_noop("预算执行率 = %(executed)s ÷ %(denom)s（%(basis)s）= %(rate)s，超过 100%% 按 100%% 计，得满分 %(w)s"),
    gettext_noop(
        "预算执行率 = %(executed)s ÷ %(denom)s（%(basis)s）= %(rate)s，超出 100%% 的部分视为偏差："
        "(1 − |1 − %(rate)s|) × %(w)s = %(score)s"
    ),
    # The total (scoring.py _totals, reviewer_total).
    gettext_noop("总分 = %(terms)s = %(total)s"),
    gettext_noop("审核总分 = %(terms)s = %(total)s"),
    gettext_noop("按百分制折算：%(raw)s ÷ %(in_play)s × 100 = %(total)s"),
    gettext_noop("预算执行率 %(rate)s 低于 %(below)s%%，总分不超过 %(top)s 分，计 %(top)s 分"),
    gettext_noop("预算执行率 %(rate)s 低于 %(below)s%%，总分上限 %(top)s 分（未超过）"),
]

# Mid-year monitoring lights (indicators/engine/monitoring.py): whole lights, and a light's
# "what = rate，why" in two halves.
LIGHTS = [
    gettext_noop("预算执行数未填报"),
    gettext_noop("%(basis)s为 %(budget)s %(unit)s，不亮灯"),
    gettext_noop("执行 %(executed)s %(unit)s ÷ %(basis)s %(budget)s %(unit)s = %(rate)s，超过%(basis)s，红灯"),
    gettext_noop("不适用，不亮灯"),
    gettext_noop("部门说明存在风险：%(note)s，黄灯"),
    gettext_noop("部门说明存在风险，黄灯"),
    gettext_noop("定性指标，不按进度亮灯"),
    gettext_noop("未填报"),
    gettext_noop("指标值空白，不亮灯"),
    gettext_noop("%(basis)s空白，不亮灯"),  # after 指标值空白: the first template that matches is taken
    gettext_noop("指标值为 ≤0，完成 %(A)s%(u)s 未超过，绿灯"),
    gettext_noop("指标值为 ≤0，完成 %(A)s%(u)s 已超过，红灯"),
    gettext_noop("指标值为负数（%(sym)s%(B)s%(u)s），不按进度亮灯"),
    gettext_noop("完成 %(A)s%(u)s 已超过指标值 ≤%(B)s%(u)s，红灯"),
    gettext_noop("指标值为 %(sym)s0，完成 %(A)s%(u)s，绿灯"),
    gettext_noop("指标值为 %(sym)s0，完成 %(A)s%(u)s，红灯"),
]
LIGHT_WHAT = [
    gettext_noop("执行 %(executed)s %(unit)s ÷ %(basis)s %(budget)s %(unit)s"),
    gettext_noop("完成 %(A)s%(u)s ÷ 指标值 %(sym)s%(B)s%(u)s"),
]
LIGHT_WHY = [
    gettext_noop("不低于 %(green)s%%（预期进度 %(expected)s%% − %(yellow_margin)s），绿灯"),
    gettext_noop(
        "低于 %(green)s%%（预期进度 %(expected)s%% − %(yellow_margin)s），"
        "不低于 %(yellow)s%%（预期进度 %(expected)s%% − %(red_margin)s），黄灯"
    ),
    gettext_noop("低于 %(yellow)s%%（预期进度 %(expected)s%% − %(red_margin)s），红灯"),
    gettext_noop("不高于 %(green)s%%（预期进度 %(expected)s%% + %(yellow_margin)s），绿灯"),
    gettext_noop(
        "高于 %(green)s%%（预期进度 %(expected)s%% + %(yellow_margin)s），"
        "不高于 %(yellow)s%%（预期进度 %(expected)s%% + %(red_margin)s），黄灯"
    ),
    gettext_noop("高于 %(yellow)s%%（预期进度 %(expected)s%% + %(red_margin)s），红灯"),
]
LIGHT_HEAD = gettext_noop("%(what)s = %(rate)s，%(why)s")

# The reviewer total's closing note, after its last part.
REVIEWER_NOTE = gettext_noop("（%(given)s 项采用审核得分，其余按规则得分）")
UNMATCHED = gettext_noop("按评分规则计分（计算过程见中文界面）")

_FIGURE = r"-?[0-9][0-9.,]*"


def _body(name: str) -> str:
    # Words stop at "；" (where the engine joins parts), but a quoted actual value may hold one.
    if name in _WORDS:
        return ".*?" if name == "actual" else "[^；]*?"
    return _FIGURE + ("%" if name in _RATES else "")


def _pattern(template: str) -> re.Pattern[str]:
    return template_pattern(template, _body)


PATTERNS = [(_pattern(t), t) for t in EXPLANATIONS]
LIGHT_PATTERNS = [(_pattern(t), t) for t in LIGHTS]
LIGHT_WHAT_PATTERNS = [(_pattern(t), t) for t in LIGHT_WHAT]
LIGHT_WHY_PATTERNS = [(_pattern(t), t) for t in LIGHT_WHY]
_LIGHT_HEAD = _pattern(LIGHT_HEAD)
_NOTE = re.compile(_pattern(REVIEWER_NOTE).pattern.lstrip("^").rstrip("$") + "$")
_TIER_LABEL = re.compile(r"^(?P<name>.+?)（(?P<band>[^（）]*)）$")
_EXCLUDING = re.compile(r"（不含 (?P<hi>[^）]*)）")
_BASES = {
    "年初预算数": gettext_noop("年初预算数"),
    "全年预算数": gettext_noop("全年预算数"),
}
# The engine's own words inside the parts (its constants, so marked here for makemessages).
_WORDS_MARKED = (gettext_noop("预算执行率"), gettext_noop("（无一级指标）"), gettext_noop("未计分"))
_EXCLUDED = gettext_noop("（不含 %(hi)s）")
_TIERS = set(TIER_NAMES.values())


def _tier(name: str) -> str:
    return gettext(name) if name in _TIERS else name


def _terms(terms: str) -> str:
    """ "预算执行率 10 + 产出指标 40": the engine's own words translated, the template's names kept."""
    out = []
    for term in terms.split(" + "):
        name, _, figure = term.rpartition(" ")
        if name == EXECUTION_LEVEL1:
            name = gettext(EXECUTION_LEVEL1)
        elif name == NO_LEVEL1:
            name = gettext(NO_LEVEL1)
        if figure == "未计分":
            figure = gettext("未计分")
        out.append(f"{name} {figure}" if name else figure)
    return " + ".join(out)


def _params(found: dict[str, str]) -> dict[str, str]:
    params = dict(found)
    if "tier_label" in params:
        m = _TIER_LABEL.match(params["tier_label"])
        if m:
            params["tier_label"] = f"{_tier(m.group('name'))} ({m.group('band')})"
    if "tier" in params:
        params["tier"] = _tier(params["tier"])
    if "span" in params:
        params["span"] = _EXCLUDING.sub(lambda m: gettext(_EXCLUDED) % {"hi": m.group("hi")}, params["span"])
    if "basis" in params and params["basis"] in _BASES:
        basis = gettext(_BASES[params["basis"]])
        params["basis"] = basis[:1].lower() + basis[1:]  # always mid-sentence
    if "terms" in params:
        params["terms"] = _terms(params["terms"])
    return params


def _part(text: str, patterns=PATTERNS) -> str | None:
    for pattern, template in patterns:
        m = pattern.match(text)
        if m:
            return gettext(template) % _params(m.groupdict())
    return None


def _light(text: str) -> str | None:
    whole = _part(text, LIGHT_PATTERNS)
    if whole is not None:
        return whole
    m = _LIGHT_HEAD.match(text)
    if m is None:
        return None
    what, why = _part(m["what"], LIGHT_WHAT_PATTERNS), _part(m["why"], LIGHT_WHY_PATTERNS)
    if what is None or why is None:
        return None
    return gettext(LIGHT_HEAD) % {"what": what, "rate": m["rate"], "why": why}


def light_text(text: str) -> str:
    """A monitoring light's explanation in the active language (the engine's Chinese under Chinese)."""
    if not text or chinese():
        return text
    english = _light(text)
    return english if english is not None else gettext(UNMATCHED)


def _parts(text: str) -> tuple[list[str | None], re.Match[str] | None]:
    """The explanation's parts translated (None: no template), whole if it matches as one,
    and the reviewer total's closing note."""
    note = _NOTE.search(text)
    body = text[: note.start()] if note else text
    whole = _part(body)
    return ([whole] if whole is not None else [_part(p) for p in body.split("；")]), note


def explanation_text(text: str) -> str:
    """An explanation in the active language (the engine's Chinese under Chinese)."""
    if not text or chinese():
        return text
    parts, note = _parts(text)
    english = "; ".join(p if p is not None else gettext(UNMATCHED) for p in parts)
    if note:
        english += " " + gettext(REVIEWER_NOTE) % note.groupdict()
    return english


def is_known(text: str) -> bool:
    """Whether every part of a Chinese explanation has a template (for the tests)."""
    return None not in _parts(text)[0]
