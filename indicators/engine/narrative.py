"""Narrative-against-table checks: figures the 自评报告 repeats must equal the data.

The narrative is free text typed (or pasted from a PDF) by the department, so
every check here is a heuristic tuned to stay quiet: a figure is judged only
when the text says what it is (unit 万元/元, the words 执行率 / 得分 / 分值 /
自评结果, or a counted phrase that the table's texts also contain). Anything
unclear is skipped rather than reported. Nothing in here may raise on any text.

Speed: the text is scanned once for numbers, and each number is classified by
the few characters around it; regexes are compiled at import.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from indicators.engine.numbers import round_half_up
from indicators.engine.types import (
    BudgetRow,
    Finding,
    IndicatorRow,
    Level1Node,
    Level1Result,
    Level2Result,
    ReportInput,
    ReportResult,
    RowResult,
    Task,
)

# Codes (severity as emitted) and their one-line descriptions.
UNIT_YUAN = "narrative.unit_yuan"  # error
UNIT_WAN = "narrative.unit_wan"  # error
AMOUNT_UNKNOWN = "narrative.amount_unknown"  # warning
RATE_DIFFERS = "narrative.rate_differs"  # error
COUNT_DIFFERS = "narrative.count_differs"  # error
SCORE_DIFFERS = "narrative.score_differs"  # warning when it is the self score, else error
WEIGHT_DIFFERS = "narrative.weight_differs"  # error
GRADE_DIFFERS = "narrative.grade_differs"  # warning when it is the self grade, else error

CODES: dict[str, str] = {
    UNIT_YUAN: "报告中以“万元”写出的金额是表中金额的一万倍，疑为元误写为万元",
    UNIT_WAN: "报告中以“元”写出的金额是表中金额的万分之一，疑为万元误写为元",
    AMOUNT_UNKNOWN: "报告中的预算金额与表中任何金额都对不上",
    RATE_DIFFERS: "报告中的预算执行率与表中按金额计算的执行率不一致",
    COUNT_DIFFERS: "报告中的数量与表中同一事项的数量不一致",
    SCORE_DIFFERS: "报告中的得分与按规则计算的得分不一致",
    WEIGHT_DIFFERS: "报告中的指标分值与表中分值不一致",
    GRADE_DIFFERS: "报告中的自评等级与按规则得出的等级不一致",
}

_ERROR, _WARNING = "error", "warning"
_WAN = Decimal(10000)
_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
_HUGE = Decimal("1e15")

# ---------------------------------------------------------------- text normalisation

_TRANS = {0xFF10 + i: ord("0") + i for i in range(10)}
_TRANS.update(
    {
        ord("．"): ".",
        ord("％"): "%",
        ord("﹪"): "%",
        ord("≧"): "≥",
        ord("≦"): "≤",
        ord("＞"): ">",
        ord("＜"): "<",
        ord("＝"): "=",
        ord("\u3000"): " ",
        ord("\xa0"): " ",
        ord("\t"): " ",
        ord("\r"): "\n",
    }
)
# str.translate is slow on CJK text: it only runs when one of these is present.
_TRANS_ANY = re.compile("[" + re.escape("".join(map(chr, _TRANS))) + "]")
_LATEX = re.compile(r"\\(geq|leq|ge|le|%)|\$")
_LATEX_MAP = {"geq": "≥", "ge": "≥", "leq": "≤", "le": "≤", "%": "%"}
_LIST_START = re.compile(r"[（(]?[一二三四五六七八九十0-9]{1,3}[、.)）]")
_CJK = re.compile(r"[\u3400-\u9fff]")
# A long line cut inside a sentence is a PDF page/line break, not a paragraph end.
_TERMINAL = frozenset('。！？!?；;：:）)”"」』')


def _latex_sub(m: re.Match[str]) -> str:
    return _LATEX_MAP.get(m.group(1) or "", "")


def _drop_spaces(text: str) -> str:
    """Drop spaces next to a non-ASCII character ("4774760.72 万元"); keep "a b"."""
    parts = text.split(" ")
    out = [parts[0]]
    for part in parts[1:]:
        prev = out[-1]
        if not part:
            continue
        if prev and (prev[-1] > "\x7f" or part[0] > "\x7f"):
            out[-1] = prev + part
        else:
            out.append(part)
    return " ".join(out)


def _normalise(text: str) -> tuple[str, list[tuple[int, str]]]:
    """The text in one form, and (start, text) of its short heading-like paragraphs."""
    if _TRANS_ANY.search(text):
        text = text.translate(_TRANS)
    if "$" in text or "\\" in text:
        text = _LATEX.sub(_latex_sub, text)
    if " " in text:
        text = _drop_spaces(text)
    paras: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if paras and _continues(paras[-1], line):
            paras[-1] += line
        else:
            paras.append(line)
    headings = []
    pos = 0
    for para in paras:
        if len(para) <= 30 and "。" not in para and para[-1] not in "，,":
            headings.append((pos, para))
        pos += len(para) + 1
    return "\n".join(paras), headings


def _continues(prev: str, line: str) -> bool:
    last = prev[-1]
    return (
        len(prev) >= 30
        and last not in _TERMINAL
        and (last in "、，," or _CJK.match(last) is not None)
        and _CJK.match(line) is not None
        and not _LIST_START.match(line)
    )


# ---------------------------------------------------------------- patterns

# Thousands separators are part of a number ("4,774,760.72").
_NUMBER = re.compile(r"[0-9]+(?:,[0-9]{3}(?![0-9]))*(?:\.[0-9]+)?")
_MONEY_UNITS = ("亿元", "万元", "千元", "元")
_MONEY_FACTOR = {"亿元": _WAN, "万元": Decimal(1), "千元": Decimal("0.1"), "元": Decimal("0.0001")}
_RATE_BEFORE = re.compile(
    r"执行率(?:为|是|达到了|达到|达|约为|仅为|只有|:|：)? ?(≥|≤|>=|<=|>|<|=|不低于|不少于|不高于|超过)? ?$"
)
_SCORE_BEFORE = re.compile(r"得分(?:为|是|:|：)? ?$")
_WEIGHT_BEFORE = re.compile(r"(?:总分值|分值|总分|满分|权重)(?:为|是|:|：)? ?$")
_GRADE_AFTER = re.compile(
    r"(?:为|是|:|：|评定为|定为|评为)?[“\"「『]?(优秀|良好|中等|较差|优|良|中|差)(?=$|[”\"」』。，,；;！!）)\s]|等级|级)"
)
_GRADE_KEYS = ("自评结果", "评价结果", "自评等级", "评价等级", "绩效等级", "评定等级", "综合评级")
_GRADE_WORD = {"优秀": "优", "良好": "良", "中等": "中", "较差": "差"}
# Measure words of counts, longest first so that 场次 wins over 场.
_MEASURE_AFTER = re.compile(
    r" ?(余|多)? ?(场次|人次|户次|处|个|次|场|册|支|期|人|项|家|户|名|件|篇|条|份|批|"
    r"所|座|台|辆|套|本|间|栋|幅|张|块|类|种)(?![目民间年月日])"
)
_MEASURE_FIRST = frozenset(" 余多场人户处个次册支期项家名件篇条份批所座台辆套本间栋幅张块类种")
# What follows a year, a date or a list number: quick rejects for the scan.
_NOT_A_FIGURE = frozenset("年月日号.、)）")
_CJK_TAIL = re.compile(r"[\u3400-\u9fff]{1,12}$")
_CJK_HEAD = re.compile(r"[\u3400-\u9fff]{1,8}")
_CLAUSE_ENDS = re.compile("[，,。；;：:！!？?\n]")
_SENTENCE_ENDS = re.compile("[。；;！!？?\n]")
# Sentences longer than this are cut: a subject further back is not this figure's.
_SENTENCE_MAX = 300
# Context words that do not identify what is counted.
_FILLER = re.compile("[已共了约余等]")
# Amounts that are thresholds, ranges, per-head or approximate figures, not table data.
_NOT_FACT_BEFORE = ("约", "近", "超", "逾", "每", "均", "-", "~", "～", "至", "到", "标准")
_NOT_FACT_AFTER = ("以上", "以下", "以内", "左右", "/", "每")
# Words in a clause that make an amount a budget amount (for amount_unknown).
_BUDGET_WORDS = ("预算", "批复", "到位", "执行", "支出", "拨付", "资金", "总额", "结余")
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
_ROW_LABEL = {
    "total": "部门预算总额",
    "fiscal": "财政性资金",
    "other": "其他资金",
    "basic": "基本支出",
    "project": "项目支出",
}
_TOTAL_SCORE_WORDS = (
    "部门整体",
    "整体绩效",
    "评价得分",
    "自评得分",
    "综合得分",
    "总体得分",
    "最终得分",
    "自评总分",
    "评价总分",
)
_THIS_ITEM = re.compile(r"该项|该指标|此项|本项")
_CN_NUM = "一二三四五六七八九十"

# ---------------------------------------------------------------- small helpers


class _lazy:  # a decorator, named like the property it stands for
    """functools.cached_property without its lock (3.11 takes one on every first read)."""

    def __init__(self, fn):
        self.fn = fn
        self.name = fn.__name__

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)
        return value


def _str(x: object) -> str:
    return x if isinstance(x, str) else ""


def _of(items: object, cls: type | tuple[type, ...]) -> list:
    """The elements of a tuple or list that are of the expected type."""
    return [x for x in items if isinstance(x, cls)] if isinstance(items, (tuple, list)) else []


def _has(items: object, cls: type) -> bool:
    return isinstance(items, (tuple, list)) and any(isinstance(x, cls) for x in items)


def _may_name_grade(text: str) -> bool:
    # Every one of _GRADE_KEYS holds 结果, 等级 or 评级: most sections have none of them.
    return "结果" in text or "等级" in text or "评级" in text


def _dec(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except (InvalidOperation, ValueError):
        return None


def _ok(d: object) -> bool:
    return type(d) is Decimal and d.is_finite() and -_HUGE < d < _HUGE


def _r(d: Decimal, places: int = 2) -> Decimal:
    return round_half_up(d, places)


def _two(d: Decimal | None) -> str:
    return str(_r(d)) if _ok(d) else "空白"


def _cents(d: Decimal) -> str:
    """A key for an amount rounded to 2 places (0.00 and -0.00 alike)."""
    return str(d) if d else "0.00"


def _plain(d: Decimal) -> str:
    s = str(d)
    if "E" in s:
        s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s or "0"


def _places(text: str) -> int:
    return len(text.partition(".")[2])


@lru_cache(maxsize=64)
def _section_label(key: str) -> str:
    if key.isascii() and key.isdigit() and 1 <= int(key) <= 10:
        return f"第{_CN_NUM[int(key) - 1]}部分"
    return f"“{key}”部分"


def _pct_matches(printed: Decimal, places: int, value: Decimal | None) -> bool:
    """The printed percentage is the value at the printed precision (double rounding allowed)."""
    if not _ok(value) or places > 6:
        return False
    if _r(value, places) == printed:
        return True
    return any(_r(_r(value, q), places) == printed for q in range(places + 1, 3))


def _pct(num: Decimal | None, den: Decimal | None) -> Decimal | None:
    if not (_ok(num) and _ok(den)) or den == 0:
        return None
    return num / den * _HUNDRED


# ---------------------------------------------------------------- scanning


@dataclass(slots=True)
class _Fig:
    start: int  # where the phrase starts (执行率…, 得分…) or the number starts
    end: int  # after the number and its unit
    raw: str  # the number as written, separators removed
    value: Decimal  # always set: raw is digits with at most one point
    unit: str = ""  # money unit, measure word, or the sign before a rate


@dataclass(slots=True)
class _Count:
    value: Decimal
    measure: str
    left: str  # context before the number, normalised
    right: str  # context after the measure word, normalised
    quote: str


class _Scan:
    """The figures of one text, each classified once by its surroundings."""

    def __init__(self, text: str) -> None:
        self.money: list[_Fig] = []
        self.rates: list[_Fig] = []
        self.scores: list[_Fig] = []
        self.weights: list[_Fig] = []
        self.counts: list[_Fig] = []
        for m in _NUMBER.finditer(text):
            a, b = m.span()
            if a and text[a - 1] == ".":
                continue
            raw = m.group().replace(",", "")
            if len(raw) > 24 or len(raw.partition(".")[0]) > 15:
                continue
            j = b + 1 if text.startswith(" ", b) else b
            head = text[j : j + 2]
            first = head[:1]
            if first in _NOT_A_FIGURE:
                continue
            if first == "%":
                lo = max(0, a - 24)
                if "执行率" in text[lo:a] and (r := _RATE_BEFORE.search(text, lo, a)):
                    self.rates.append(_Fig(r.start(), j + 1, raw, Decimal(raw), r.group(1) or ""))
            elif first in ("亿", "万", "千", "元"):
                for unit in _MONEY_UNITS:
                    if head.startswith(unit):
                        self.money.append(_Fig(a, j + len(unit), raw, Decimal(raw), unit))
                        break
            elif first == "分":
                lo = max(0, a - 8)
                before = text[lo:a]
                if "分" not in before and "权重" not in before:
                    continue
                if text[j + 1 : j + 2] in ("钟", "之", "别", "配", "析", "管", "类"):
                    continue
                if "得分" in before and (m2 := _SCORE_BEFORE.search(text, lo, a)):
                    self.scores.append(_Fig(m2.start(), j + 1, raw, Decimal(raw)))
                elif (m2 := _WEIGHT_BEFORE.search(text, lo, a)) and text[m2.start() - 1 : m2.start()] != "得":
                    self.weights.append(_Fig(m2.start(), j + 1, raw, Decimal(raw)))
            elif first in _MEASURE_FIRST and "." not in raw and text[a - 1 : a] != "第":
                c = _MEASURE_AFTER.match(text, b)
                if c:
                    self.counts.append(_Fig(a, c.end(), raw, Decimal(raw), c.group(2)))
        self.empty = not (self.money or self.rates or self.scores or self.weights or self.counts)


def _prepare_uncached(raw: str) -> tuple[str, tuple[tuple[int, str], ...], _Scan]:
    text, headings = _normalise(raw)
    return text, tuple(headings), _Scan(text)


_prepare_cached = lru_cache(maxsize=512)(_prepare_uncached)
_CACHE_TEXT_MAX = 20000


def _prepare(raw: str) -> tuple[str, tuple[tuple[int, str], ...], _Scan]:
    """Normalised text, headings and figures of a raw text.

    Cached by content (a draft is re-scored on every save, most texts unchanged);
    huge texts are not kept. Callers must not mutate what this returns.
    """
    return _prepare_cached(raw) if len(raw) <= _CACHE_TEXT_MAX else _prepare_uncached(raw)


@lru_cache(maxsize=512)
def _text_counts(raw: str, prefix: str) -> tuple[_Count, ...]:
    """The counted phrases of a text (cached like _prepare); prefix stands in for a missing context."""
    text, _, scan = _prepare(raw)
    return tuple(_count(text, fig, prefix) for fig in scan.counts)


def _count(text: str, fig: _Fig, prefix: str = "") -> _Count:
    tail = _CJK_TAIL.search(text, max(0, fig.start - 12), fig.start)
    left = tail.group() if tail else prefix
    head = _CJK_HEAD.match(text, fig.end)
    right = head.group() if head else ""
    return _Count(
        fig.value,
        fig.unit,
        _FILLER.sub("", left),
        _FILLER.sub("", right),
        left + text[fig.start : fig.end] + right,
    )


def _boundary(text: str, pos: int, ends: re.Pattern[str]) -> int:
    """Start of the sentence or clause holding pos: search the reversed window before it."""
    lo = max(0, pos - _SENTENCE_MAX)
    m = ends.search(text[lo:pos][::-1])
    return pos - m.start() if m else lo


def _common_suffix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _same_thing(a: _Count, b: _Count) -> bool:
    """Do two counted phrases (same measure word) speak of the same thing?"""
    left = _common_suffix(a.left, b.left)
    if not left:
        return False
    right = _common_prefix(a.right, b.right)
    # Two characters before the number (培训, 建成) are too common to identify a thing alone.
    if not a.right and not b.right:
        return left >= 3
    if left >= 2 and right >= 2:
        return True
    if left >= 4 and (not a.right or not b.right):
        return True
    return right >= 4


# ---------------------------------------------------------------- one section


class _Section:
    """A normalised narrative section with its figures and position lookups."""

    def __init__(self, key: str, raw: str, prepared: tuple | None = None) -> None:
        self.where = f"narrative.{key}"
        self.label = _section_label(key)
        self.raw = raw
        self.text, self.headings, self.scan = prepared or _prepare(raw)
        self.heading_starts = [h[0] for h in self.headings]
        # Keywords present in the text, filled on first use.
        self.words: list[str] | None = None
        self.lower: list[str] = []
        self.row_words: list[tuple[str, str]] | None = None

    def sentence_start(self, pos: int) -> int:
        return _boundary(self.text, pos, _SENTENCE_ENDS)

    def clause_start(self, pos: int) -> int:
        return _boundary(self.text, pos, _CLAUSE_ENDS)

    def heading(self, pos: int) -> str:
        """The last heading at or before pos: it names what the following paragraphs are about."""
        i = bisect_right(self.heading_starts, pos)
        return self.headings[i - 1][1] if i else ""


# ---------------------------------------------------------------- table facts


_Subject = tuple[str, "list[_Entity] | None"]


@dataclass
class _Entity:
    """Something the narrative may give a score or weight for."""

    label: str
    rule: Decimal | None
    selfs: tuple[Decimal | None, ...]
    weights: tuple[Decimal | None, ...]
    standard_weight: Decimal | None = None


def _amount_key(value: object, factor: Decimal | None) -> str | None:
    # Keyed by text: hashing a fresh non-integral Decimal costs 3 times more.
    if _ok(value) and value:
        return _cents(_r(value if factor is None else value * factor))
    return None


def _amount_sources(
    budget_rows: list[BudgetRow], tasks: list[Task], raw_texts: list[str], scale: Decimal | None
) -> Iterator[tuple[str | None, tuple]]:
    """(cents text, where) of every table amount, in the order their labels are preferred."""
    key = _amount_key
    for row in budget_rows:
        annual, executed = row.annual, row.executed
        yield key(annual, scale), ("row", row.row, "全年预算数")
        yield key(executed, scale), ("row", row.row, "预算执行数")
        yield key(row.initial, scale), ("row", row.row, "年初预算数")
        if _ok(annual) and _ok(executed):
            yield key(abs(annual - executed), scale), ("row", row.row, "未执行数（或超支数）")
    for task in tasks:
        yield key(task.budget, scale), ("task", task.name, "预算资金")
        yield key(task.budget_fiscal, scale), ("task", task.name, "财政资金")
        yield key(task.executed, scale), ("task", task.name, "预算执行数")
        yield key(task.executed_fiscal, scale), ("task", task.name, "执行数中财政资金")
    for raw in raw_texts:
        text, _, scan = _prepare(raw)
        for fig in scan.money:
            yield key(fig.value, _MONEY_FACTOR[fig.unit]), ("text", text[fig.start : fig.end])


@lru_cache(maxsize=256)
def _score_words(level1: tuple[str, ...]) -> dict[str, list[object]]:
    """Keyword -> keys of _Table.entity; the same for every report of a template. Do not mutate."""
    words: dict[str, list[object]] = {}
    for i, name in enumerate(level1):
        if name == "预算执行率":
            continue
        words.setdefault(name, []).append(i)
        if name.endswith("指标") and len(name) >= 4:
            words.setdefault(name[:-2], []).append(i)
    words.setdefault("预算执行率", []).append("execution")
    for word in _TOTAL_SCORE_WORDS:
        words.setdefault(word, []).append("total")
    return words


class _Table:
    """What the narrative is compared with, gathered once per call."""

    def __init__(self, report: ReportInput, result: ReportResult) -> None:
        # Inputs may come half-validated: keep only well-typed parts, never trust a field.
        # Only what every section needs is read here; the rest on first use.
        self.report = report
        self.result = result
        tol = getattr(getattr(report, "rules", None), "tolerance", None)
        self.tol = tol if _ok(tol) else _CENT
        budget = getattr(report, "budget", None)
        self.budget = budget
        self.unit = getattr(budget, "unit", None)
        self.self_grade = _str(getattr(report, "self_grade", ""))
        self._rates: dict[str, list[Decimal]] = {}
        self._amount_map: dict[str, tuple] = {}
        # Level-3 names names_in found in a text (only they can name a row).
        self.row_words_seen: set[str] = set()
        self.scored = _has(result.level1, Level1Result) or _has(result.rows, RowResult) or _ok(result.execution_score)

    @_lazy
    def budget_rows(self) -> list[BudgetRow]:
        return [r for r in _of(getattr(self.budget, "rows", ()), BudgetRow) if isinstance(r.row, str)]

    @_lazy
    def rows(self) -> dict[str, BudgetRow]:
        return {r.row: r for r in self.budget_rows}

    @_lazy
    def tasks(self) -> list[Task]:
        return _of(getattr(self.report, "tasks", ()), Task)

    @_lazy
    def task_words(self) -> list[tuple[str, str]]:
        return [(t.name, f"task:{i}") for i, t in enumerate(self.tasks) if len(_str(t.name)) >= 2]

    @_lazy
    def level1(self) -> list[Level1Result]:
        return [r for r in _of(self.result.level1, Level1Result) if isinstance(r.name, str)]

    @_lazy
    def level2_names(self) -> list[str]:
        return [r.name for r in _of(self.result.level2, Level2Result) if isinstance(r.name, str) and len(r.name) >= 2]

    @_lazy
    def result_rows(self) -> list[RowResult]:
        return _of(self.result.rows, RowResult)

    @_lazy
    def raw_texts(self) -> list[str]:
        texts = [getattr(self.report, "goal_completion", ""), *(t.completion for t in self.tasks)]
        return [t for t in texts if isinstance(t, str) and t]

    # amounts, in 万元 at 2 places: read from the table only as far as a lookup needs
    # (a narrative repeats the first few: 预算总额, 执行数).
    @_lazy
    def _amount_feed(self) -> Iterator[tuple[str, tuple]]:
        # A module-level generator over the lists, not a generator method holding the
        # table: measured 35 µs a report cheaper, about half of it in the collector.
        scale = Decimal("0.0001") if self.unit == "元" else None
        items = _amount_sources(self.budget_rows, self.tasks, self.raw_texts, scale)
        return (item for item in items if item[0] is not None)

    def _amount_at(self, key: str | None) -> tuple | None:
        """Where the table has the amount with this cents text (None: any amount at all)."""
        known = self._amount_map
        where = known.get(key)
        if where is not None:
            return where
        for k, where in self._amount_feed:
            if k not in known:
                known[k] = where
                if key is None or k == key:
                    return where
        return None

    def has_amounts(self) -> bool:
        return bool(self._amount_map) or self._amount_at(None) is not None

    def amount_label(self, wan: Decimal) -> str | None:
        """The label of the table amount equal to wan (万元) at 2 places."""
        where = self.amount(wan)
        if where is None:
            return None
        if where[0] == "row":
            return _ROW_LABEL.get(where[1], where[1]) + where[2]
        if where[0] == "task":
            return f"任务“{where[1]}”{where[2]}"
        return f"表中文字“{where[1]}”"

    def amount(self, wan: Decimal) -> tuple | None:
        """Where the table has the amount equal to wan (万元) at 2 places."""
        if not _ok(wan):
            return None
        x = _r(wan)
        return self._amount_at(_cents(x)) or self._amount_at(_cents(x - _CENT)) or self._amount_at(_cents(x + _CENT))

    # counts in the table's completion texts and actual values
    @_lazy
    def counts(self) -> dict[str, list[_Count]]:
        out: dict[str, list[_Count]] = {}
        sources = [(raw, "") for raw in self.raw_texts]
        for row in _of(getattr(self.report, "indicators", ()), IndicatorRow):
            if isinstance(row.actual_text, str) and row.actual_text:
                sources.append((row.actual_text, _str(row.level3)))
        for raw, prefix in sources:
            for count in _text_counts(raw, prefix):
                out.setdefault(count.measure, []).append(count)
        return out

    # scores and weights: keyword -> what it names, as keys of entity()
    @_lazy
    def score_words(self) -> dict[str, list[object]]:
        """Level-1 names, 预算执行率, then the words of the total (rows: see entities)."""
        return _score_words(tuple(l1.name for l1 in self.level1))

    def entity(self, key: object) -> _Entity:
        """The entity of a score_words key: a level-1 index, "execution" or "total"."""
        budget = self.budget
        if key == "execution":
            rule = self.result.execution_score
            if rule is None:
                rule = next((l1.score for l1 in self.level1 if l1.name == "预算执行率"), None)
            weights = (getattr(budget, "execution_weight", None),)
            return _Entity("一级指标预算执行率", rule, (getattr(budget, "self_score", None),), weights)
        if key == "total":
            res = self.result
            ew = getattr(budget, "execution_weight", None)
            l1_weights = [l1.weight for l1 in self.level1 if l1.name != "预算执行率" and _ok(l1.weight)]
            total_weight = sum(l1_weights, ew) if l1_weights and _ok(ew) else _HUNDRED
            selfs = (res.self_total, getattr(self.report, "self_total", None))
            return _Entity("部门整体绩效自评", res.total, selfs, (total_weight,))
        l1 = self.level1[key]
        nodes = _of(getattr(self.report, "level1", ()), Level1Node)
        standard = {n.name: n.standard_weight for n in nodes if isinstance(n.name, str)}.get(l1.name)
        return _Entity(l1.name, l1.score, (l1.self_score,), (l1.weight,), standard)

    def names_in(self, text: str) -> tuple[list[str], list[str]]:
        """(keywords, level-2/3 names) that occur in text; one pass over the rows."""
        words = [w for w in self.score_words if w in text]
        lower = {n for n in self.level2_names if n in text}
        for row in self.result_rows:
            l3 = row.level3
            if l3.__class__ is str and l3 in text and len(l3) >= 2:
                lower.add(l3)
                if len(l3) >= 4:
                    if l3 not in words:
                        words.append(l3)
                    self.row_words_seen.add(l3)
            l2 = row.level2
            if l2.__class__ is str and l2 in text and len(l2) >= 2:
                lower.add(l2)
        return words, list(lower)

    def words_in(self, text: str) -> list[str]:
        return self.names_in(text)[0]

    def entities(self, word: str) -> list[_Entity]:
        """What a keyword names: level-1 indicators first, rows next, the total last."""
        keys = self.score_words.get(word, [])
        found = [self.entity(k) for k in keys if k != "total"]
        # Short names (满意度) are too common in prose to name a row.
        if word in self.row_words_seen:
            found += [
                _Entity(f"三级指标“{r.level3}”", r.score, (r.self_score,), (r.weight,))
                for r in self.result_rows
                if r.level3 == word
            ]
        if "total" in keys:
            found.append(self.entity("total"))
        return found

    def subject(self, text: str, start: int, end: int, words: Iterable[str], lower: Iterable[str]) -> _Subject:
        """What a score or weight ending at `end` is about: the keyword named last in the sentence.

        ("this", None) when the text says 该项 (the heading's item), ("lower", None) when a
        level-2/3 name follows the keyword (the figure is that item's), ("none", None) when
        nothing is named.
        """
        best: tuple[int, int, str] | None = None
        for word in words:
            i = text.rfind(word, start, end)
            if i >= 0:
                cand = (i + len(word), len(word), word)
                if best is None or cand > best:
                    best = cand
        after = best[0] if best else start
        if _THIS_ITEM.search(text, after, end):
            return "this", None
        if any(text.find(name, after, end) >= 0 for name in lower):
            return "lower", None
        if best is None:
            return "none", None
        return "found", self.entities(best[2])

    # budget rows and rates
    def row_rates(self, key: str) -> list[Decimal]:
        rates = self._rates.get(key)
        if rates is None:
            rates = self._rates[key] = self._row_rates(key)
        return rates

    def _row_rates(self, key: str) -> list[Decimal]:
        if key.startswith("task:"):
            task = self.tasks[int(key[5:])]
            rates = [_pct(task.executed, task.budget), _pct(task.executed_fiscal, task.budget_fiscal)]
        else:
            row = self.rows.get(key)
            rates = [_pct(row.executed, row.annual), _pct(row.executed, row.initial)] if row else []
            if key == "total":
                rates.append(self.result.execution_rate)
        return [r for r in rates if _ok(r)]

    def printed_rate(self, key: str) -> Decimal | None:
        if key.startswith("task:"):
            text = self.tasks[int(key[5:])].rate_text
        else:
            row = self.rows.get(key)
            text = row.rate_text if row else ""
        if not isinstance(text, str) or not text:
            return None
        m = _NUMBER.search(_prepare(text)[0])
        return _dec(m.group().replace(",", "")) if m else None

    def row_label(self, key: str) -> str:
        if key.startswith("task:"):
            return f"任务“{self.tasks[int(key[5:])].name}”"
        return _ROW_LABEL.get(key, key)

    def row_amounts(self, key: str) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
        """(initial, annual, executed) of a budget row or task."""
        if key.startswith("task:"):
            task = self.tasks[int(key[5:])]
            return None, task.budget, task.executed
        row = self.rows.get(key)
        return (row.initial, row.annual, row.executed) if row else (None, None, None)

    def share(self, key: str, printed: Decimal, places: int) -> str | None:
        """Which share of the total budget the printed figure is, if it is one."""
        total = self.rows.get("total")
        if key == "total" or total is None:
            return None
        initial, annual, executed = self.row_amounts(key)
        label = self.row_label(key)
        pairs = (
            (executed, total.annual, "执行数", "预算总额"),
            (annual, total.annual, "预算数", "预算总额"),
            (executed, total.executed, "执行数", "执行总额"),
            (initial, total.initial, "年初预算数", "年初预算总额"),
        )
        for num, den, what, of in pairs:
            value = _pct(num, den)
            if value is not None and _pct_matches(printed, places, value):
                return (
                    f"{_plain(printed)}% 是{label}{what}占{of}的比例"
                    f"（{_two(num)}/{_two(den)}={_two(value)}%），不是执行率"
                )
        return None


# ---------------------------------------------------------------- the checks


class _Checker:
    def __init__(self, table: _Table) -> None:
        self.t = table
        self.out: list[Finding] = []
        self.seen: set[tuple[str, str, str]] = set()

    def emit(self, sec: _Section, code: str, severity: str, key: str, message: str) -> None:
        mark = (sec.where, code, key)
        if mark not in self.seen:
            self.seen.add(mark)
            self.out.append(Finding(code, severity, sec.where, message))

    def run(self, sec: _Section) -> None:
        self.amounts(sec)
        self.rates(sec)
        self.counts(sec)
        # Nothing scored (an empty draft): a written score has nothing to contradict.
        if self.t.scored:
            self.scores(sec)
            self.weights(sec)
            self.grades(sec)

    # S1: money units
    def amounts(self, sec: _Section) -> None:
        text, t = sec.text, self.t
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
                self.emit(
                    sec,
                    UNIT_YUAN,
                    _ERROR,
                    fig.raw,
                    f"{sec.label}写“{quote}”，按表中数字应为 {_two(wan / _WAN)} 万元（{label}），疑为元误写为万元",
                )
                continue
            if fig.unit == "元" and (label := t.amount_label(wan * _WAN)):
                self.emit(
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
            self.emit(
                sec,
                AMOUNT_UNKNOWN,
                _WARNING,
                fig.raw,
                f"{sec.label}写“{text[start : fig.end]}”，表中没有这个金额（按万元或按元都对不上），请核对",
            )

    # S2: execution rates
    def rates(self, sec: _Section) -> None:
        text, t = sec.text, self.t
        prev_end = -1
        for fig in sec.scan.rates:
            region_start = max(sec.sentence_start(fig.start), prev_end)
            prev_end = fig.end
            if fig.unit or text.startswith(("以上", "以下", "以内", "左右"), fig.end):
                continue  # a target or a bound, not a result
            places = _places(fig.raw)
            found: dict[str, int] = {}
            if sec.row_words is None:
                sec.row_words = [(w, k) for w, k in (*_ROW_WORDS, *self.t.task_words) if w in text]
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
            self.emit(sec, RATE_DIFFERS, _ERROR, f"{key}:{fig.raw}", message)

    # S3: counts
    def counts(self, sec: _Section) -> None:
        if not sec.scan.counts:
            return
        table = self.t.counts
        if not table:
            return
        for count in _text_counts(sec.raw, ""):
            candidates = table.get(count.measure)
            if not candidates or not count.left:
                continue
            last = count.left[-1]
            matches = [c for c in candidates if c.left.endswith(last) and _same_thing(count, c)]
            if not matches or any(c.value == count.value for c in matches):
                continue
            quoted = "”或“".join(dict.fromkeys(c.quote for c in matches))
            self.emit(sec, COUNT_DIFFERS, _ERROR, count.quote, f"{sec.label}写“{count.quote}”，表中为“{quoted}”")

    def _subject(self, sec: _Section, start: int, anchor: int) -> list[_Entity] | None:
        t = self.t
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

    # scores
    def scores(self, sec: _Section) -> None:
        tol = self.t.tol
        for fig in sec.scan.scores:
            ents = self._subject(sec, fig.start, fig.start + 2)
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
                self.emit(
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
                self.emit(
                    sec,
                    SCORE_DIFFERS,
                    _ERROR,
                    f"{ent.label}:{fig.raw}",
                    f"{sec.label}写{ent.label}得分“{quote}”，" + "，".join(parts),
                )

    def weights(self, sec: _Section) -> None:
        for fig in sec.scan.weights:
            ents = self._subject(sec, fig.start, fig.start)
            if not ents:
                continue
            weights = [w for e in ents for w in e.weights if _ok(w)]
            if not weights or any(w == fig.value for w in weights):
                continue
            ent = ents[0]
            message = f"{sec.label}写{ent.label}分值“{fig.raw} 分”，表中分值为 {_plain(weights[0])} 分"
            if _ok(ent.standard_weight) and ent.standard_weight == fig.value:
                message += f"（{fig.raw} 分是规则原定分值，表中已调整）"
            self.emit(sec, WEIGHT_DIFFERS, _ERROR, f"{ent.label}:{fig.raw}", message)

    # grade
    def grades(self, sec: _Section) -> None:
        res, text = self.t.result, sec.text
        if not _may_name_grade(text):
            return
        rule = _str(res.grade)
        rule = _GRADE_WORD.get(rule, rule)
        if not rule:
            return
        selfs = {_GRADE_WORD.get(g, g) for g in (_str(res.self_grade), self.t.self_grade) if g}
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
                self.emit(
                    sec,
                    GRADE_DIFFERS,
                    severity,
                    grade,
                    f"{sec.label}写“{key}{m.group()}”{tail}，按评分规则（总分 {_two(res.total)} 分）应为“{rule}”",
                )


def narrative_findings(report: ReportInput, result: ReportResult) -> list[Finding]:
    """Findings for figures in report.narrative that contradict the table or the scores."""
    sections = []
    for item in _of(getattr(report, "narrative", ()), (tuple, list)):
        if len(item) == 2 and isinstance(item[1], str) and item[1].strip():
            prepared = _prepare(item[1])
            # A section with no figure and no grade word has nothing to check.
            if prepared[2].empty and not _may_name_grade(prepared[0]):
                continue
            sections.append(_Section(str(item[0]), item[1], prepared))
    if not sections:
        return []
    checker = _Checker(_Table(report, result))
    for sec in sections:
        checker.run(sec)
    return checker.out
