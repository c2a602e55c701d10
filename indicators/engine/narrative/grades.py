"""The grade the text names (自评结果为优) against the rule's grade."""

from __future__ import annotations

import re

from indicators.engine.narrative.checker import _Checker
from indicators.engine.narrative.codes import _ERROR, _WARNING, GRADE_DIFFERS
from indicators.engine.narrative.text import _Section
from indicators.engine.narrative.values import _str, _two

_GRADE_AFTER = re.compile(
    r"(?:为|是|:|：|评定为|定为|评为)?[“\"「『]?(优秀|良好|中等|较差|优|良|中|差)(?=$|[”\"」』。，,；;！!）)\s]|等级|级)"
)
_GRADE_KEYS = ("自评结果", "评价结果", "自评等级", "评价等级", "绩效等级", "评定等级", "综合评级")
_GRADE_WORD = {"优秀": "优", "良好": "良", "中等": "中", "较差": "差"}


def _may_name_grade(text: str) -> bool:
    # Every one of _GRADE_KEYS holds 结果, 等级 or 评级: most sections have none of them.
    return "结果" in text or "等级" in text or "评级" in text


def check_grades(c: _Checker, sec: _Section) -> None:
    res, text = c.t.result, sec.text
    if not _may_name_grade(text):
        return
    rule = _str(res.grade)
    rule = _GRADE_WORD.get(rule, rule)
    if not rule:
        return
    selfs = {_GRADE_WORD.get(g, g) for g in (_str(res.self_grade), c.t.self_grade) if g}
    for key in _GRADE_KEYS:
        i = text.find(key)
        while i >= 0:
            m = _GRADE_AFTER.match(text, i + len(key))
            i = text.find(key, i + 1)
            if not m:
                continue
            grade = _GRADE_WORD.get(m.group(1), m.group(1))
            if grade == rule:
                continue
            severity, tail = (_WARNING, "，与部门自评等级一致") if grade in selfs else (_ERROR, "")
            c.emit(
                sec,
                GRADE_DIFFERS,
                severity,
                grade,
                f"{sec.label}写“{key}{m.group()}”{tail}，按评分规则（总分 {_two(res.total)} 分）应为“{rule}”",
            )
