"""What the narrative is compared with: the report's tables and scores, read on first use."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, lru_cache

from indicators.engine.narrative.text import _MONEY_FACTOR, _NUMBER, _THIS_ITEM, _Count, _prepare, _text_counts
from indicators.engine.narrative.values import (
    _CENT,
    _HUNDRED,
    _cents,
    _dec,
    _has,
    _of,
    _ok,
    _pct,
    _pct_matches,
    _plain,
    _r,
    _str,
    _two,
)
from indicators.engine.types import (
    BudgetRow,
    IndicatorRow,
    Level1Node,
    Level1Result,
    Level2Result,
    ReportInput,
    ReportResult,
    RowResult,
    Task,
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

    @cached_property
    def budget_rows(self) -> list[BudgetRow]:
        return [r for r in _of(getattr(self.budget, "rows", ()), BudgetRow) if isinstance(r.row, str)]

    @cached_property
    def rows(self) -> dict[str, BudgetRow]:
        return {r.row: r for r in self.budget_rows}

    @cached_property
    def tasks(self) -> list[Task]:
        return _of(getattr(self.report, "tasks", ()), Task)

    @cached_property
    def task_words(self) -> list[tuple[str, str]]:
        return [(t.name, f"task:{i}") for i, t in enumerate(self.tasks) if len(_str(t.name)) >= 2]

    @cached_property
    def level1(self) -> list[Level1Result]:
        return [r for r in _of(self.result.level1, Level1Result) if isinstance(r.name, str)]

    @cached_property
    def level2_names(self) -> list[str]:
        return [r.name for r in _of(self.result.level2, Level2Result) if isinstance(r.name, str) and len(r.name) >= 2]

    @cached_property
    def result_rows(self) -> list[RowResult]:
        return _of(self.result.rows, RowResult)

    @cached_property
    def raw_texts(self) -> list[str]:
        texts = [getattr(self.report, "goal_completion", ""), *(t.completion for t in self.tasks)]
        return [t for t in texts if isinstance(t, str) and t]

    # amounts, in 万元 at 2 places: read from the table only as far as a lookup needs
    # (a narrative repeats the first few: 预算总额, 执行数).
    @cached_property
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
    @cached_property
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
    @cached_property
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
            if isinstance(l3, str) and l3 in text and len(l3) >= 2:
                lower.add(l3)
                if len(l3) >= 4:
                    if l3 not in words:
                        words.append(l3)
                    self.row_words_seen.add(l3)
            l2 = row.level2
            if isinstance(l2, str) and l2 in text and len(l2) >= 2:
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
