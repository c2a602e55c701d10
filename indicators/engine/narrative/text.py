"""The narrative text in one form, its figures found in one scan, and a section's position lookups.

The text is scanned once for numbers, and each number is classified by the few characters
around it (its unit, the words before it); regexes are compiled at import.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from indicators.engine.narrative.values import _WAN

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
_THIS_ITEM = re.compile(r"该项|该指标|此项|本项")
_CN_NUM = "一二三四五六七八九十"


@lru_cache(maxsize=64)
def _section_label(key: str) -> str:
    if key.isascii() and key.isdigit() and 1 <= int(key) <= 10:
        return f"第{_CN_NUM[int(key) - 1]}部分"
    return f"“{key}”部分"


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
