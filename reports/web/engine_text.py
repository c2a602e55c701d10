"""The engine's words on the pages, in the reader's language.

The engine (indicators/engine) is plain Python and writes Chinese: grades (优/良/中/差) and
finding messages that are stored (ReportFinding.message) and printed in the Chinese PDF.
Stored data is never changed; these helpers translate at display time, and only when the
active language is not Chinese (then the engine's own text is returned untouched):

- grades through gettext with the context "grade";
- a finding's message by its code: each common message has a template here whose msgid is
  the engine's f-string with %(name)s placeholders; the Chinese message is matched against
  it and the captured figures and names go into the translated template. A message that no
  template matches (a rare or changed wording) falls back to the code's translated label,
  after the row's name, so an English reader always sees English, never a wrong figure.
  tests/test_engine_text.py checks the demo's messages against these templates.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.utils.translation import get_language, gettext, gettext_noop, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from indicators.engine import findings as F
from indicators.engine.narrative import codes as N

GRADES = {
    "优": pgettext_lazy("grade", "优"),
    "良": pgettext_lazy("grade", "良"),
    "中": pgettext_lazy("grade", "中"),
    "差": pgettext_lazy("grade", "差"),
}

# One line per code: the engine's description (indicators/engine/findings.py, narrative/codes.py).
CODE_LABELS = {
    F.ENGINE_INTERNAL: _("评分程序内部错误，该部分未能计算"),
    F.RULES_INVALID: _("评分规则设置无效，已按默认规则计算"),
    F.TOTAL_RESCALE_EMPTY: _("所有指标均不适用，无法按百分制折算"),
    F.KIND_UNKNOWN: _("指标类型（定量/定性）无法识别"),
    F.TARGET_AMBIGUOUS: _("指标值写作“=”，应明确是等于还是不低于"),
    F.UNIT_SUSPICIOUS: _("度量单位栏填写了符号或数字，疑似填错栏目"),
    F.TIER_UNKNOWN: _("定性指标的完成档次无法识别"),
    F.SCORE_NEGATIVE: _("自评得分为负数"),
    F.REASON_FIGURE_CONTRADICTS: _("原因分析中写的未执行比例与表中执行率不符（如“剩余3%尾款”）"),
    F.SCORE_NO_EVIDENCE: _("自评满分，但指标值和实际完成值均空白，得分无据可查"),
    F.TEMPLATE_WEIGHTS: _("指标分值合计与上级指标分值或总分 100 不一致"),
    F.TEMPLATE_EXECUTION_WEIGHT: _("预算执行率分值与规定的固定分值不一致"),
    F.TEMPLATE_WEIGHT_MOVED: _("一级指标未设置或分值调整，其分值移至其他指标"),
    F.TEMPLATE_DUPLICATE_MEASURE: _("同一指标重复计分（三级指标与一级指标预算执行率重复）"),
    F.TEMPLATE_DUPLICATE_EXECUTION_AMOUNTS: _(
        "三级指标的指标值和完成值即预算总额的全年预算数和执行数，与一级指标预算执行率重复计分"
    ),
    F.TEMPLATE_DUPLICATE_NAME: _("三级指标名称重复"),
    F.TEMPLATE_UNKNOWN_LEVEL1: _("三级指标所属一级指标不在模板中"),
    F.VALUE_INVALID: _("数值无法使用（非数字、无穷大或数量级不合理），按空白处理"),
    F.BUDGET_BLANK: _("预算总额或执行数空白，预算执行率无法计分"),
    F.BUDGET_ZERO: _("预算数为 0，执行率无法计算"),
    F.BUDGET_SUM: _("预算表各项合计与总额不一致"),
    F.BUDGET_OVER: _("执行数超过预算数（超预算执行）"),
    F.RATE_PRINTED: _("表中填写的执行率与按金额计算的执行率不一致"),
    F.AMOUNT_NEGATIVE: _("金额为负数"),
    F.AMOUNT_UNIT: _("金额数量级与“万元”不符，疑似以元填写"),
    F.TOTAL_RESCALED: _("不适用指标不计分，总分按百分制折算"),
    F.TOTAL_CAPPED: _("预算执行率低于规定档位，总分按上限封顶"),
    F.WEIGHT_MISSING: _("指标分值空白，无法计分"),
    F.WEIGHT_INVALID: _("指标分值为负数"),
    F.SIGN_UNKNOWN: _("定量指标的指标性质（≥、≤、=）无法识别，按 ≥ 计分"),
    F.TARGET_MISSING: _("定量指标缺少可计算的指标值"),
    F.TARGET_TEXT_DIFFERS: _("指标值文字与指标性质或数值不一致"),
    F.ACTUAL_MISSING: _("定量指标实际完成值空白，暂按自评得分计"),
    F.ACTUAL_NOT_MEASURED: _("实际完成值不是测量值，无法核实，暂按自评得分计"),
    F.ACTUAL_OPERATOR: _("实际完成值带有比较符号，应填写实际测得的数值"),
    F.OVERACHIEVED: _("完成值远超指标值（超额完成），指标值设置可能偏低"),
    F.OVERACHIEVED_UNEXPLAINED: _("超额完成未说明原因"),
    F.TIER_INFERRED: _("定性指标未选择完成档次，已按自评得分推定"),
    F.TIER_OUT_OF_RANGE: _("自评得分不在所选档次的分值区间内"),
    F.SCORE_MISSING: _("自评得分空白"),
    F.SCORE_OVER_WEIGHT: _("自评得分超过指标分值"),
    F.SCORE_DIFFERS: _("自评得分与按规则计算的得分不一致"),
    F.REASON_MISSING: _("得分低于分值，但未填写未完成原因分析"),
    F.TOTAL_DIFFERS: _("按规则计算的总分与自评总分不一致"),
    F.GRADE_DIFFERS: _("按规则计算的等级与自评等级不一致"),
    F.SELF_TOTAL_MISMATCH: _("报告填写的自评总分与各项自评得分合计不一致"),
    F.SELF_GRADE_MISMATCH: _("报告填写的自评等级与按规则应得的等级不一致"),
    N.UNIT_YUAN: _("报告中以“万元”写出的金额是表中金额的一万倍，疑为元误写为万元"),
    N.UNIT_WAN: _("报告中以“元”写出的金额是表中金额的万分之一，疑为万元误写为元"),
    N.AMOUNT_UNKNOWN: _("报告中的预算金额与表中任何金额都对不上"),
    N.RATE_DIFFERS: _("报告中的预算执行率与表中按金额计算的执行率不一致"),
    N.COUNT_DIFFERS: _("报告中的数量与表中同一事项的数量不一致"),
    N.SCORE_DIFFERS: _("报告中的得分与按规则计算的得分不一致"),
    N.WEIGHT_DIFFERS: _("报告中的指标分值与表中分值不一致"),
    N.GRADE_DIFFERS: _("报告中的自评等级与按规则得出的等级不一致"),
}

# The engine's messages (indicators/engine/rows.py, checks.py, narrative/*.py) as templates.
MESSAGES = {
    F.REASON_MISSING: [gettext_noop("%(name)s：得分 %(score)s 低于分值 %(weight)s，须填写未完成原因分析")],
    F.SCORE_DIFFERS: [
        gettext_noop("%(name)s：自评 %(self)s 分，按规则应得 %(rule)s 分（%(why)s），相差 %(diff)s 分"),
        gettext_noop("%(name)s：自评 %(self)s 分，已按规则计算的 %(rule)s 分计（%(why)s）"),
    ],
    F.WEIGHT_MISSING: [gettext_noop("%(name)s：分值空白，未计分")],
    F.BUDGET_OVER: [
        gettext_noop("%(label)s 执行数 %(executed)s 超过全年预算数 %(annual)s（执行率 %(rate)s），属超预算执行"),
        gettext_noop("%(label)s 预算执行数 %(executed)s 超过预算资金 %(annual)s（执行率 %(rate)s）"),
    ],
    F.RATE_PRINTED: [
        gettext_noop("%(label)s 执行率印刷为 %(printed)s，按 %(executed)s ÷ %(annual)s 计算为 %(rate)s%(hint)s")
    ],
    F.TOTAL_DIFFERS: [gettext_noop("按规则计算总分 %(total)s 分，自评得分合计 %(self)s 分，相差 %(diff)s 分")],
    F.WEIGHT_INVALID: [gettext_noop("%(name)s：分值为负数（%(weight)s），未计分")],
    F.VALUE_INVALID: [
        gettext_noop("%(name)s：分值不是可用的数值"),
        gettext_noop("%(name)s：自评得分不是可用的数值，按空白处理"),
        gettext_noop("%(name)s：指标值不是可用的数值，按空白处理"),
        gettext_noop("%(name)s：实际完成值不是可用的数值，按空白处理"),
    ],
    N.UNIT_YUAN: [
        gettext_noop("%(section)s写“%(quote)s”，按表中数字应为 %(amount)s 万元（%(label)s），疑为元误写为万元")
    ],
    N.UNIT_WAN: [
        gettext_noop("%(section)s写“%(quote)s”，按表中数字应为 %(amount)s 万元（%(label)s），疑为万元误写为元")
    ],
    N.AMOUNT_UNKNOWN: [gettext_noop("%(section)s写“%(quote)s”，表中没有这个金额（按万元或按元都对不上），请核对")],
    N.RATE_DIFFERS: [
        gettext_noop("%(section)s写“%(quote)s”，与表中%(label)s执行率 %(rate)s%%（%(executed)s/%(annual)s）不符"),
        # The figure is a share of the total budget (narrative/table.py share), one form per share.
        gettext_noop(
            "%(section)s写“%(quote)s”：%(figure)s%% 是%(label)s执行数占预算总额的比例"
            "（%(part)s/%(whole)s=%(share)s%%），不是执行率（表中%(label)s执行率 %(rate)s%%）"
        ),
        gettext_noop(
            "%(section)s写“%(quote)s”：%(figure)s%% 是%(label)s预算数占预算总额的比例"
            "（%(part)s/%(whole)s=%(share)s%%），不是执行率（表中%(label)s执行率 %(rate)s%%）"
        ),
        gettext_noop(
            "%(section)s写“%(quote)s”：%(figure)s%% 是%(label)s执行数占执行总额的比例"
            "（%(part)s/%(whole)s=%(share)s%%），不是执行率（表中%(label)s执行率 %(rate)s%%）"
        ),
        gettext_noop(
            "%(section)s写“%(quote)s”：%(figure)s%% 是%(label)s年初预算数占年初预算总额的比例"
            "（%(part)s/%(whole)s=%(share)s%%），不是执行率（表中%(label)s执行率 %(rate)s%%）"
        ),
    ],
    N.COUNT_DIFFERS: [gettext_noop("%(section)s写“%(quote)s”，表中为“%(table)s”")],
    N.SCORE_DIFFERS: [
        gettext_noop("%(section)s写%(label)s得分“%(quote)s”，与部门自评得分一致，但按评分规则应为 %(rule)s 分"),
        gettext_noop("%(section)s写%(label)s得分“%(quote)s”，按评分规则应为 %(rule)s 分，自评得分为 %(self)s 分"),
        gettext_noop("%(section)s写%(label)s得分“%(quote)s”，按评分规则应为 %(rule)s 分"),
        gettext_noop("%(section)s写%(label)s得分“%(quote)s”，自评得分为 %(self)s 分"),
    ],
    N.WEIGHT_DIFFERS: [
        gettext_noop("%(section)s写%(label)s分值“%(quote)s”，表中分值为 %(weight)s 分"),
        gettext_noop(
            "%(section)s写%(label)s分值“%(quote)s”，表中分值为 %(weight)s 分"
            "（%(standard)s 分是规则原定分值，表中已调整）"
        ),
    ],
    N.GRADE_DIFFERS: [
        gettext_noop("%(section)s写“%(quote)s”，与部门自评等级一致，按评分规则（总分 %(total)s 分）应为“%(grade)s”"),
        gettext_noop("%(section)s写“%(quote)s”，按评分规则（总分 %(total)s 分）应为“%(grade)s”"),
    ],
}

_PLACEHOLDER = re.compile(r"%\\\((\w+)\\\)s")
_SECTION = re.compile(r"^第([一二三四五六七八九十]+)部分$")
_CN_NUMBERS = "一二三四五六七八九十"


# Figures match as numbers (so "%(rate)s%(hint)s" splits at the number's end), the rest lazily.
_NUMERIC = {
    "score", "weight", "self", "rule", "diff", "amount", "rate", "executed", "annual", "total",
    "figure", "part", "whole", "share", "standard",
}  # fmt: skip


def template_pattern(template: str, body: Callable[[str], str]) -> re.Pattern[str]:
    """A regex matching what the f-string behind `template` wrote; body(name) is a slot's regex."""
    seen: set[str] = set()

    def group(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in seen:  # the same name twice is the same words twice
            return f"(?P={name})"
        seen.add(name)
        return f"(?P<{name}>{body(name)})"

    escaped = re.escape(template.replace("%%", "%"))
    return re.compile("^" + _PLACEHOLDER.sub(group, escaped) + "$", re.S)


def _pattern(template: str) -> re.Pattern[str]:
    return template_pattern(template, lambda name: r"-?[0-9][0-9.,]*%?" if name in _NUMERIC else ".*?")


PATTERNS = {code: [(_pattern(t), t) for t in templates] for code, templates in MESSAGES.items()}


def chinese() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def grade_label(grade: str | None) -> str:
    """优 → Excellent under English; anything else (blank, unknown) as it is."""
    if not grade or chinese():
        return grade or ""
    label = GRADES.get(grade)
    return str(label) if label is not None else grade


def code_label(code: str) -> str:
    label = CODE_LABELS.get(code)
    return str(label) if label is not None else code


def _params(found: dict[str, str]) -> dict[str, str]:
    params = dict(found)
    section = _SECTION.match(params.get("section", ""))
    if section:
        params["section"] = pgettext("narrative part", "第%(n)s部分") % {"n": _CN_NUMBERS.index(section.group(1)) + 1}
    if "grade" in params:
        params["grade"] = grade_label(params["grade"])
    # The rule's wording and the hint are the engine's Chinese prose: left out under English
    # (the English templates keep their slots, which msgfmt requires).
    for prose in ("why", "hint"):
        if prose in params:
            params[prose] = ""
    return params


def finding_message(code: str, message: str, name: str = "") -> str:
    """The finding's message in the active language (the stored Chinese one under Chinese)."""
    if chinese():
        return message
    for pattern, template in PATTERNS.get(code, ()):
        m = pattern.match(message)
        if m:
            return gettext(template) % _params(m.groupdict())
    if code not in CODE_LABELS:
        return message  # a code of another module: its own words
    label = code_label(code)
    name = name.strip()
    if name and message.startswith(name + "："):
        return f"{name}: {label}"
    return label
