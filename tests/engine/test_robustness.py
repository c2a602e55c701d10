"""score_report returns findings, never tracebacks: blanks, garbage, huge numbers, a failing
narrative module."""

from dataclasses import replace
from decimal import Decimal as D

import pytest

from indicators.engine import Budget, IndicatorRow, ReportInput, RuleSet, score_report
from indicators.engine import scoring as scoring_module
from indicators.engine.findings import CATALOGUE
from tests.engine.helpers import find, qual, quant, report
from tests.engine.seed import seed_report


def test_empty_report():
    r = score_report(ReportInput())
    assert r.rows == () and r.total == D("0") and r.grade == "差"
    assert find(r, "budget.blank")


@pytest.mark.parametrize(
    "value", [D("NaN"), D("sNaN"), D("Infinity"), D("-Infinity"), D("1e30"), D("1e-30"), "abc", 1.5, True, object()]
)
def test_unusable_weights_become_findings(value):
    r = score_report(report(replace(qual(), weight=value)))
    assert r.rows[0].score is None
    assert find(r, "value.invalid", "indicators[0]")


def test_text_numbers_are_accepted():
    r = score_report(report(replace(quant(), weight="2", target="95", actual="94.5")))
    assert r.rows[0].score == D("1.99")


def test_huge_but_valid_amounts():
    r = score_report(report(quant(target="0.000001", actual="999999999999", weight="2")))
    assert r.rows[0].score == D("2.00")
    r = score_report(report(quant(target="999999999999", actual="0.000001", weight="2", reason="x")))
    assert r.rows[0].score == D("0.00")


def test_rows_that_are_not_rows():
    r = score_report(replace(report(qual()), indicators=(qual(), None, "x")))  # type: ignore[arg-type]
    assert len(r.rows) == 3 and r.rows[0].score == D("2.00")
    assert find(r, "value.invalid", "indicators[1]") and find(r, "value.invalid", "indicators[2]")


def test_garbage_rules_fall_back_to_defaults():
    rules = RuleSet(
        execution_denominator="monthly",
        execution_cap="yes",  # type: ignore[arg-type]
        reverse_formula="log",
        qualitative_tiers=(D("50"), D("80")),
        grade_bands=(D("60"), D("80"), D("90")),
        quantitative_scores="maybe",
        tolerance=D("-1"),
        total_caps_by_execution=(("x", "y"),),  # type: ignore[arg-type]
    )
    r = score_report(report(qual(), rules=rules))
    assert len(find(r, "rules.invalid")) == 8
    assert r.rows[0].score == D("2.00")


def test_duplicate_names_and_weights_not_adding_up():
    r = score_report(report(qual(weight="50", self_score="50"), qual(weight="70", self_score="70")))
    assert r.total == D("130.00")
    assert find(r, "template.weights", "template") and find(r, "template.duplicate_name", "indicators[1]")


def test_empty_strings_everywhere():
    row = IndicatorRow("", "", "", kind="", sign="", target_text="", unit="", actual_text="", tier="")
    r = score_report(ReportInput(budget=Budget(rows=()), indicators=(row,), self_grade=""))
    assert r.rows[0].score is None
    assert find(r, "weight.missing", "indicators[0]")


def test_a_failing_narrative_module_becomes_a_finding(monkeypatch):
    def boom(report, result):
        raise RuntimeError("narrative broke")

    monkeypatch.setattr(scoring_module, "narrative_findings", boom)
    r = score_report(seed_report())
    [f] = find(r, "engine.internal", "narrative")
    assert f.severity == "error"
    assert r.total == D("99.44")


def test_narrative_module_sees_the_partial_result(monkeypatch):
    seen = []

    def spy(report, result):
        seen.append(result.total)
        return ["not a finding"]

    monkeypatch.setattr(scoring_module, "narrative_findings", spy)
    r = score_report(seed_report())
    assert seen == [D("99.44")]
    assert all(f.code != "not a finding" for f in r.findings)


def test_all_engine_codes_are_catalogued_with_a_description():
    r = score_report(seed_report())
    for f in r.findings:
        if not f.code.startswith("narrative."):
            assert f.code in CATALOGUE
    assert all(desc and sev in ("error", "warning", "info") for sev, desc in CATALOGUE.values())


def test_messages_name_the_row():
    r = score_report(seed_report())
    for f in r.findings:
        if f.where.startswith("indicators["):
            i = int(f.where[len("indicators[") : -1])
            assert r.rows[i].level3 in f.message
