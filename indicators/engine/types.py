"""Inputs and outputs of the scoring engine.

Everything is a frozen dataclass over Decimal, str, bool and tuples, so that a
report coming from the database, a JSON file or a spreadsheet is scored alike.
A blank figure is ``None``; zero is ``Decimal("0")``: the two never mean the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

# Keys of RuleSet options, mirrored by the interchange format (perfeval.report/1).
EXECUTION_DENOMINATORS = ("annual", "initial")
EXECUTION_METHODS = ("proportional", "step")
REVERSE_FORMULAS = ("linear", "ratio")
QUANTITATIVE_SCORES = ("computed", "self-checked")
NOT_APPLICABLE = ("move", "rescale")
KINDS = ("quantitative", "qualitative")
SIGNS = (">=", "<=", "=")
TIERS = ("met", "partial", "unmet")
BUDGET_ROWS = ("total", "fiscal", "other", "basic", "project")
SEVERITIES = ("error", "warning", "info")
EXECUTION_LEVEL1 = "预算执行率"
# The label of rows under no level-1 name (a flat list, a leading group): they count straight into the total.
NO_LEVEL1 = "（无一级指标）"


@dataclass(frozen=True)
class RuleSet:
    """A bureau's scoring rules; the defaults are the seed bureau's."""

    execution_denominator: str = "annual"
    execution_cap: bool = True
    execution_method: str = "proportional"
    # With method "step": full at 100%, minus `execution_step_deduct` for each
    # `execution_step_per` percent short.
    execution_step_per: Decimal | None = None
    execution_step_deduct: Decimal | None = None
    # Pairs (rate in percent below which, highest total), e.g. ((80, 89), (70, 79)).
    total_caps_by_execution: tuple[tuple[Decimal, Decimal], ...] = ()
    reverse_formula: str = "linear"
    overachievement_ratio: Decimal | None = None
    overachievement_deduction: Decimal = Decimal("0")
    # Lower bounds, in percent of the weight, of the tiers "met" and "partial".
    qualitative_tiers: tuple[Decimal, Decimal] = (Decimal("80"), Decimal("60"))
    # Lower bounds of 优, 良, 中 (差 below the last).
    grade_bands: tuple[Decimal, Decimal, Decimal] = (Decimal("90"), Decimal("80"), Decimal("60"))
    quantitative_scores: str = "self-checked"
    tolerance: Decimal = Decimal("0.01")
    # The weight 预算执行率 must keep (None: bureaus that let it vary).
    fixed_execution_weight: Decimal | None = Decimal("10")
    # Not-applicable rows and level-1 nodes: "move" — the template moved their weight to other
    # indicators (the total is the plain sum); "rescale" — they are dropped and the total is
    # rescaled to 100 (按百分制折算): Σ scores × 100 / Σ applicable weights incl. 预算执行率.
    # The self total is rescaled the same way, so the two totals compare.
    not_applicable: str = "move"


@dataclass(frozen=True)
class BudgetRow:
    row: str  # one of BUDGET_ROWS
    initial: Decimal | None = None
    annual: Decimal | None = None
    executed: Decimal | None = None
    rate_text: str = ""  # the rate as a report printed it, only to be checked


@dataclass(frozen=True)
class Budget:
    unit: str = "万元"  # "万元" or "元"
    execution_weight: Decimal = Decimal("10")
    rows: tuple[BudgetRow, ...] = ()
    self_score: Decimal | None = None

    def row(self, key: str) -> BudgetRow | None:
        for r in self.rows:
            if r.row == key:
                return r
        return None


@dataclass(frozen=True)
class Task:
    name: str
    content: str = ""
    budget: Decimal | None = None
    budget_fiscal: Decimal | None = None
    executed: Decimal | None = None
    executed_fiscal: Decimal | None = None
    completion: str = ""
    rate_text: str = ""


@dataclass(frozen=True)
class IndicatorRow:
    level1: str
    level2: str
    level3: str
    kind: str = "qualitative"  # one of KINDS
    sign: str | None = None  # one of SIGNS, quantitative rows only
    target: Decimal | None = None
    target_text: str = ""
    unit: str = ""
    actual: Decimal | None = None
    actual_text: str = ""
    tier: str | None = None  # one of TIERS, qualitative rows only
    weight: Decimal | None = None
    self_score: Decimal | None = None
    reason: str = ""
    applicable: bool = True


@dataclass(frozen=True)
class Level1Node:
    """A level-1 indicator as the template declares it (预算执行率 excluded)."""

    name: str
    weight: Decimal | None
    # The weight the bureau's rule states for it, when the template moved weight.
    standard_weight: Decimal | None = None
    applicable: bool = True


@dataclass(frozen=True)
class ReportInput:
    rules: RuleSet = field(default_factory=RuleSet)
    budget: Budget = field(default_factory=Budget)
    tasks: tuple[Task, ...] = ()
    indicators: tuple[IndicatorRow, ...] = ()
    # Declared level-1 nodes; when empty, they are taken from the rows.
    level1: tuple[Level1Node, ...] = ()
    # Where the report states that a dropped level-1 indicator's weight moved.
    weight_note: str = ""
    goal: str = ""
    goal_completion: str = ""
    narrative: tuple[tuple[str, str], ...] = ()  # (("1", text), ... ("8", text))
    self_total: Decimal | None = None
    self_grade: str = ""


@dataclass(frozen=True)
class Finding:
    code: str  # stable, e.g. "score.differs", "narrative.unit_yuan"
    severity: str  # one of SEVERITIES
    where: str  # e.g. "indicators[14]", "budget.basic", "narrative.4"
    message: str  # Chinese, for the person who must act


@dataclass(frozen=True)
class RowResult:
    index: int
    level1: str
    level2: str
    level3: str
    weight: Decimal | None
    score: Decimal | None  # the rule's score, 2 places
    self_score: Decimal | None
    explanation: str  # one line in Chinese
    flags: tuple[str, ...] = ()  # e.g. ("short", "overachieved", "not_measured")


@dataclass(frozen=True)
class Level2Result:
    level1: str
    name: str
    weight: Decimal
    score: Decimal
    self_score: Decimal


@dataclass(frozen=True)
class Level1Result:
    name: str
    weight: Decimal
    score: Decimal
    self_score: Decimal


@dataclass(frozen=True)
class ReportResult:
    execution_rate: Decimal | None  # in percent, unrounded
    execution_score: Decimal | None
    execution_explanation: str
    level1: tuple[Level1Result, ...]
    level2: tuple[Level2Result, ...]
    rows: tuple[RowResult, ...]
    total: Decimal  # by the rules
    self_total: Decimal  # the department's own scores added up
    grade: str
    self_grade: str
    findings: tuple[Finding, ...]
    total_explanation: str = ""


def build(cls, **fields):
    """An instance of a frozen result dataclass from its fields, past its __init__.

    The __init__ sets each field through object.__setattr__; reports make tens of subtotals
    and findings each, and this buys about 10 % of the bench's engine-only rows/s (issue 15).
    """
    obj = object.__new__(cls)
    obj.__dict__.update(fields)
    return obj
