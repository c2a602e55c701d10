"""What the printed report shows, built from the stored data and the engine's result.

Nothing here computes a score: scores, subtotals and grades come from
`indicators.engine.score_report`. This module only lays them out and formats
amounts and rates (executed / budget, 2 places half up) for printing, and writes
the two generated paragraphs of the narrative from the same figures the table
prints, so that text and table cannot disagree.

Which total the document states: the total by the bureau's rules (规则得分). When
the department's own scores add up to something else, that figure is printed
beside it, in the table header and in the narrative, so both are on paper.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from indicators import engine
from indicators.engine import round_half_up
from indicators.engine.types import EXECUTION_LEVEL1
from reports.interchange.document import dec, or_default, to_engine_input
from reports.interchange.store import report_to_document
from reports.models import NARRATIVE_SECTIONS, Report
from reports.selectors.privacy import contact_public

PARTS = ("both", "narrative", "table")
FINAL_STATES = Report.FINAL_STATES
HUNDRED = Decimal(100)
SIGN_SYMBOL = {">=": "≥", "<=": "≤", "=": "="}
BUDGET_LABELS = (
    ("total", "部门预算总额", ""),
    ("fiscal", "(1) 财政性资金", "1、资金来源："),
    ("other", "(2) 其他资金", ""),
    ("basic", "(1) 基本支出", "2、资金结构："),
    ("project", "(2) 项目支出", ""),
)
# A line of the department's text that reads as a subheading: "（一）…", "1. …", "二、…".
_NUMERAL = "[一二三四五六七八九十]{1,3}"
_HEADING = re.compile(rf"^(（{_NUMERAL}）|\({_NUMERAL}\)|{_NUMERAL}、|\d{{1,2}}[.．、]\s*\S)")
# Table notes are often one long line: "注：1. … 2. … 3. …"; break before each number.
_NOTE_BREAK = re.compile(r"(?:(?<=[。；;])|\s+)(?=\d{1,2}[.．、]\s?\D)")
# A goal typed as one line "(一)… (二)… (三)…" prints one item a line, as the seed's table does.
_ITEM_BREAK = re.compile(r"\s+(?=[（(][一二三四五六七八九十]{1,3}[）)])")
# Spaces typed next to Chinese ("得分为 99.34 分") are stretched by justified lines; Chinese
# typesetting sets figures without them. A list number's space ("1. 评价得分") stays.
_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}])[ \t\xa0]+(?=\S)|(?<=[^\s.．、])[ \t\xa0]+(?=[{_CJK}])")
ZERO = Decimal(0)
# A level-1 group without a name (its rows' level1 is "") still has a subtotal, which needs a label.
NO_LEVEL1 = "（无一级指标）"


def money(value: Decimal | None) -> str:
    """万元 with 2 places, half up; blank for a missing figure."""
    if value is None:
        return ""
    return f"{round_half_up(value, 2):f}"


def figure(value: Decimal | None) -> str:
    """A weight or score as the seed prints it: 10, 9.45, 1.9 (no trailing zeros)."""
    if value is None:
        return ""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def percent(rate: Decimal | None) -> str:
    """A rate given in percent, 2 places half up: 94.47%."""
    if rate is None:
        return ""
    return f"{round_half_up(rate, 2):f}%"


def rate_of(executed: Decimal | None, base: Decimal | None) -> Decimal | None:
    if executed is None or base is None or base == ZERO:
        return None
    return executed / base * HUNDRED


@dataclass
class Paragraph:
    text: str
    heading: bool = False


@dataclass
class Section:
    key: str
    title: str
    generated: list[str] = field(default_factory=list)
    generated_title: str = ""
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass
class IndicatorLine:
    level1: str  # "" for a row under no level-1 label
    level1_span: int  # rows the level-1 cell covers; 0 where a cell above covers this row
    level1_weight: str
    level1_score: str
    level1_self: str  # the department's subtotal where it differs from the rules'
    level2: str  # "" for a row directly under its level 1: an empty cell, never merged with a named one
    level2_span: int
    level3: str
    target: str
    unit: str
    actual: str
    weight: str
    score: str
    self_score: str  # where it differs from the rule's score
    reason: str
    applicable: bool
    target_adjusted_from: str = ""  # the target first approved, where an approved adjustment changed it
    # Set by continue_groups: the row starts a page inside its group, whose label it repeats (续).
    level1_continued: bool = False
    level2_continued: bool = False

    @property
    def level1_label(self) -> str:
        return self.level1 or NO_LEVEL1


def continue_groups(
    lines: list[IndicatorLine], page_starts: set[int], levels: tuple[bool, bool] = (True, True)
) -> set[int]:
    """Split the merged level-1 and level-2 cells at the rows that start a page.

    A cell spanning a page break prints its label on the first page only, leaving the next
    page's rows under a blank cell; split there, the new page's part repeats the label with
    （续）. Returns the rows where a cell was split (the table must then be laid out again).
    `levels`: which of the two level columns the table shows (a hidden one has no cell to split).
    """
    split = set()
    both = (("level1_span", "level1_continued"), ("level2_span", "level2_continued"))
    columns = [names for names, shown in zip(both, levels, strict=True) if shown]
    for k in sorted(page_starts):
        if not 0 < k < len(lines):
            continue
        line = lines[k]
        for span, continued in columns:
            if getattr(line, span):
                continue  # a group starts here anyway
            head = next(i for i in range(k - 1, -1, -1) if getattr(lines[i], span))
            setattr(line, span, head + getattr(lines[head], span) - k)
            setattr(lines[head], span, k - head)
            setattr(line, continued, True)
            split.add(k)
    return split


def group_spans(lines: list[IndicatorLine]) -> list[tuple[int, int]]:
    return [(line.level1_span, line.level2_span) for line in lines]


def restore_groups(lines: list[IndicatorLine], spans: list[tuple[int, int]]) -> None:
    """Undo continue_groups: the merged cells as group_spans saw them."""
    for line, (level1_span, level2_span) in zip(lines, spans, strict=True):
        line.level1_span, line.level2_span = level1_span, level2_span
        line.level1_continued = line.level2_continued = False


@dataclass
class TaskLine:
    name: str
    content: str
    budget: str
    budget_fiscal: str
    completion: str
    executed: str
    executed_fiscal: str
    rate: str


@dataclass
class BudgetLine:
    key: str
    group: str
    label: str
    initial: str
    annual: str
    executed: str
    rate: str
    weight: str = ""
    score: str = ""
    self_score: str = ""


@dataclass
class Level1Line:
    name: str
    weight: str
    score: str
    self_score: str  # only where it differs


@dataclass
class PrintReport:
    report: Report
    part: str
    final: bool
    year: int
    department_name: str
    short_name: str
    title: str
    contact: str
    preamble: list[Paragraph]
    goal: list[str]
    goal_completion: list[str]
    total: str
    self_total: str  # only where it differs
    grade: str
    self_grade: str  # only where it differs
    final_total: str  # 审核得分, once approved
    final_grade: str
    tasks: list[TaskLine]
    budget: list[BudgetLine]
    level1: list[Level1Line]
    indicators: list[IndicatorLine]
    notes: list[str]
    sections: list[Section]
    denominator_label: str

    @property
    def show_narrative(self) -> bool:
        return self.part in ("both", "narrative")

    @property
    def show_table(self) -> bool:
        return self.part in ("both", "table")

    @property
    def watermark(self) -> bool:
        return not self.final

    # A level column is printed only when some row of the report has that level.
    @property
    def show_level1(self) -> bool:
        return any(line.level1 for line in self.indicators)

    @property
    def show_level2(self) -> bool:
        return any(line.level2 for line in self.indicators)

    @property
    def indicator_shape(self) -> str:
        """The stylesheet's column widths for the level columns printed: l12, l1, l2 or flat."""
        return {(True, True): "l12", (True, False): "l1", (False, True): "l2"}.get(
            (self.show_level1, self.show_level2), "flat"
        )


def tidy(line: str) -> str:
    return _CJK_SPACE.sub("", line.strip())


def lines(text: str) -> list[str]:
    return [tidy(line) for line in (text or "").splitlines() if line.strip()]


def items(text: str) -> list[str]:
    out = []
    for line in (text or "").splitlines():
        out.extend(tidy(part) for part in _ITEM_BREAK.split(line) if part.strip())
    return out


def paragraphs(text: str) -> list[Paragraph]:
    out = []
    for line in lines(text):
        heading = bool(_HEADING.match(line)) and len(line) <= 40 and not line.endswith(("。", "；"))
        out.append(Paragraph(line, heading))
    return out


def note_lines(text: str) -> list[str]:
    out = []
    for line in (text or "").splitlines():
        out.extend(tidy(part) for part in _NOTE_BREAK.split(line) if part.strip())
    return out


def _measure_text(text: str, sign: str | None, value: Decimal | None) -> str:
    if text:
        return engine.signed_target(sign, text)
    if value is None:
        return ""
    return f"{SIGN_SYMBOL.get(sign or '', '')}{figure(value)}"


def _differs(own: Decimal | None, rule: Decimal | None) -> bool:
    return own is not None and rule is not None and own != rule


def _declared_text(declared: dict | None) -> str:
    if not declared:
        return ""
    text = _measure_text(declared.get("target_text") or "", declared.get("sign"), None)
    unit = declared.get("unit") or ""
    return f"{text}（{unit}）" if unit and unit != "定性指标" and unit not in text else text


def _indicator_lines(doc: dict, result: engine.ReportResult) -> list[IndicatorLine]:
    rows = doc["indicators"]
    scored = {r.index: r for r in result.rows}
    level1 = {r.name: r for r in result.level1}
    out: list[IndicatorLine] = []
    for i, row in enumerate(rows):
        res = scored.get(i)
        rule = res.score if res else None
        own = dec(row.get("self_score"))
        applicable = row.get("applicable", True) is not False
        l1 = level1.get(row["level1"])
        out.append(
            IndicatorLine(
                level1=row["level1"],
                level1_span=0,
                level1_weight=figure(l1.weight) if l1 else "",
                level1_score=figure(l1.score) if l1 else "",
                level1_self=figure(l1.self_score) if l1 and _differs(l1.self_score, l1.score) else "",
                level2=row.get("level2", ""),
                level2_span=0,
                level3=row["level3"],
                target=_measure_text(row.get("target_text", ""), row.get("sign"), dec(row.get("target"))),
                unit=row.get("unit", ""),
                actual=_measure_text(row.get("actual_text", ""), None, dec(row.get("actual"))),
                weight=figure(dec(row.get("weight"))) if applicable else "",
                score=(figure(rule if rule is not None else own) if applicable else "不适用"),
                self_score=figure(own) if applicable and _differs(own, rule) else "",
                reason=row.get("reason", ""),
                applicable=applicable,
                target_adjusted_from=_declared_text(row.get("target_declared")),
            )
        )
    # Merge level-1 cells over consecutive rows with the same level-1, level-2 within them. A run of
    # rows under no level-1 label is one cell too: it carries that group's subtotal. A run with no
    # level 2 is an empty cell of its own, never part of a named neighbour (as the review page shows it).
    i = 0
    while i < len(out):
        j = i
        while j + 1 < len(out) and out[j + 1].level1 == out[i].level1:
            j += 1
        out[i].level1_span = j - i + 1
        k = i
        while k <= j:
            m = k
            while m + 1 <= j and out[m + 1].level2 == out[k].level2:
                m += 1
            out[k].level2_span = m - k + 1
            k = m + 1
        i = j + 1
    return out


def _budget_lines(doc: dict, result: engine.ReportResult, denominator: str) -> list[BudgetLine]:
    rows = {r["row"]: r for r in doc["budget"]["rows"]}
    out = []
    for key, label, group in BUDGET_LABELS:
        row = rows.get(key, {})
        initial, annual, executed = (dec(row.get(k)) for k in ("initial", "annual", "executed"))
        if key == "total" and result.execution_rate is not None:
            rate = result.execution_rate
        else:
            rate = rate_of(executed, initial if denominator == "initial" else annual)
        line = BudgetLine(key, group, label, money(initial), money(annual), money(executed), percent(rate))
        if key == "total":
            own = dec(doc["budget"].get("self_score"))
            line.weight = figure(or_default(dec(doc["budget"].get("execution_weight")), Decimal(10)))
            line.score = figure(result.execution_score if result.execution_score is not None else own)
            line.self_score = figure(own) if _differs(own, result.execution_score) else ""
        out.append(line)
    return out


def _level1_lines(doc: dict, result: engine.ReportResult) -> list[Level1Line]:
    execution_weight = or_default(dec(doc["budget"].get("execution_weight")), Decimal(10))  # 0 is a weight
    own_execution = dec(doc["budget"].get("self_score"))
    out = [
        Level1Line(
            EXECUTION_LEVEL1,
            figure(execution_weight),
            figure(result.execution_score),
            figure(own_execution) if _differs(own_execution, result.execution_score) else "",
        )
    ]
    for l1 in result.level1:
        out.append(
            Level1Line(
                l1.name or NO_LEVEL1,
                figure(l1.weight),
                figure(l1.score),
                figure(l1.self_score) if _differs(l1.self_score, l1.score) else "",
            )
        )
    return out


def conclusion_paragraphs(p: PrintReport) -> list[str]:
    """三、综合评价结论: the total, the grade and every level-1 indicator, from the engine."""
    first = f"按评分规则计算，{p.year}年度{p.department_name}部门整体绩效评价得分为{p.total}分，评价结果为“{p.grade}”。"
    if p.self_total:
        first += (
            f"部门自评得分合计为{p.self_total}分"
            + (f"（自评结果“{p.self_grade}”）" if p.self_grade else "")
            + "，与按规则计算的得分不一致，本报告以按规则计算的得分为准。"
        )
    if p.final_total:
        first += f"经财政局审核，审核得分为{p.final_total}分，审核等级为“{p.final_grade}”。"
    parts = []
    for l1 in p.level1:
        text = f"{l1.name}分值{l1.weight}分，得分{l1.score}分"
        if l1.self_score:
            text += f"（自评{l1.self_score}分）"
        parts.append(text)
    second = "各一级指标得分：" + "；".join(parts) + "。"
    return [first, second]


def funds_paragraphs(p: PrintReport) -> list[str]:
    """四、部门资金情况: budget and execution in 万元 and the rates, from the 预算情况 block."""
    rows = {line.key: line for line in p.budget}
    initial = p.denominator_label == "年初预算数"

    def sentence(line: BudgetLine, name: str) -> str:
        base = line.initial if initial else line.annual
        return (
            f"{name}{p.denominator_label}{base or '0.00'}万元，预算执行数{line.executed or '0.00'}万元，"
            f"预算执行率{line.rate or '无法计算'}"
        )

    total = rows["total"]
    if not (total.initial or total.annual or total.executed):
        return [f"{p.year}年部门预算情况未填写。"]
    text = f"{p.year}年" + sentence(total, "部门预算总额") + "。"
    parts = [
        sentence(rows[key], name)
        for key, name in (("basic", "基本支出"), ("project", "项目支出"))
        if rows[key].initial or rows[key].annual or rows[key].executed
    ]
    if parts:
        text += "其中：" + "；".join(parts) + "。"
    return [text]


def build(report: Report, *, part: str = "both", final: bool | None = None, public: bool = False) -> PrintReport:
    """The printed report; `report` should come from report_queryset() (prefetched)."""
    if part not in PARTS:
        raise ValueError(f"part must be one of {PARTS}")
    doc = report_to_document(report)
    result = engine.score_report(to_engine_input(doc))
    # From the document: an approved report keeps the rules it was approved under.
    denominator = "initial" if doc["rules"].get("execution_denominator") == "initial" else "annual"
    department = report.department
    short = department.short_name or department.name
    year = report.round.year
    self_total = result.self_total if _differs(result.self_total, result.total) else None
    p = PrintReport(
        report=report,
        part=part,
        final=report.state in FINAL_STATES if final is None else final,
        year=year,
        department_name=department.name,
        short_name=short,
        title=f"{year} 年度{short}部门整体绩效自评报告",
        contact=contact_public(report.contact) if public else report.contact,
        preamble=paragraphs(report.preamble),
        goal=items(report.goal),
        goal_completion=items(report.goal_completion),
        total=figure(result.total),
        self_total=figure(self_total) if self_total is not None else "",
        grade=result.grade,
        self_grade=result.self_grade if result.self_grade and result.self_grade != result.grade else "",
        # As stored at approval (engine.reviewer_total): the reviewer's scores are not in the document.
        final_total=figure(report.final_score) if report.final_score is not None else "",
        final_grade=report.final_grade,
        tasks=[
            TaskLine(
                name=t["name"],
                content=t.get("content", ""),
                budget=money(dec(t.get("budget"))),
                budget_fiscal=money(dec(t.get("budget_fiscal"))),
                completion=t.get("completion", ""),
                executed=money(dec(t.get("executed"))),
                executed_fiscal=money(dec(t.get("executed_fiscal"))),
                rate=percent(rate_of(dec(t.get("executed")), dec(t.get("budget")))),
            )
            for t in doc["tasks"]
        ],
        budget=_budget_lines(doc, result, denominator),
        level1=_level1_lines(doc, result),
        indicators=_indicator_lines(doc, result),
        notes=note_lines(doc.get("table_notes", "")),
        sections=[],
        denominator_label="年初预算数" if denominator == "initial" else "全年预算数",
    )
    if doc.get("targets_approved"):
        targets = "指标值为财政局审核通过的绩效目标"
        if any(line.target_adjusted_from for line in p.indicators):
            targets += "；注明“已调整”的，为经批准调整后的目标，括号内为原目标"
        p.notes.append(f"{len(p.notes) + 1}. {targets}。" if p.notes else f"注：{targets}。")
    if p.self_total or any(line.self_score for line in p.indicators):
        own = "本表得分按评分规则计算；部门自评得分与之不同的，在括号内注明自评得分。"
        p.notes.append(f"{len(p.notes) + 1}. {own}" if p.notes else f"注：{own}")
    for key, title in NARRATIVE_SECTIONS:
        section = Section(key=key, title=str(title), paragraphs=paragraphs(getattr(report, f"narrative_{key}")))
        if key == "3":
            section.generated_title = "综合评价结论"
            section.generated = conclusion_paragraphs(p)
        elif key == "4":
            section.generated_title = "部门资金情况"
            section.generated = funds_paragraphs(p)
        p.sections.append(section)
    return p
