"""Narrative-against-table checks, on the seed report's real narrative and on edge cases."""

from __future__ import annotations

import random
import time
from collections import Counter
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.engine.narrative import (
    AMOUNT_UNKNOWN,
    CODES,
    COUNT_DIFFERS,
    GRADE_DIFFERS,
    RATE_DIFFERS,
    SCORE_DIFFERS,
    UNIT_WAN,
    UNIT_YUAN,
    WEIGHT_DIFFERS,
    narrative_findings,
)
from indicators.engine.types import (
    Budget,
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
from tests.engine.seed_narrative import GOAL_COMPLETION, SECTIONS, TASK_COMPLETION

# ---------------------------------------------------------------- the seed, by hand


def seed_report(narrative=SECTIONS, **changes) -> ReportInput:
    rows = (
        BudgetRow("total", D("477.48"), D("477.48"), D("451.06"), "94.50%"),
        BudgetRow("fiscal", D("477.48"), D("477.48"), D("451.06"), "94.50%"),
        BudgetRow("other"),
        BudgetRow("basic", D("134.48"), D("134.48"), D("135.35"), "100.66%"),
        BudgetRow("project", D("343"), D("343"), D("315.71"), "92.04%"),
    )
    tasks = tuple(
        Task(
            name,
            budget=D(budget),
            budget_fiscal=D(budget),
            executed=D(executed),
            executed_fiscal=D(executed),
            completion=TASK_COMPLETION[name],
            rate_text=rate,
        )
        for name, budget, executed, rate in (
            ("机关运行", "134.48", "135.35", "100%"),
            ("城乡社区服务群众专项工作", "340.00", "313.91", "92.33%"),
            ("社区发展治理工作", "3.00", "1.80", "59.93%"),
        )
    )
    indicators = (
        IndicatorRow(
            "投入管理指标",
            "预算和财务管理",
            "预算执行率",
            kind="quantitative",
            sign=">=",
            target=D(95),
            unit="%",
            actual=D("94.5"),
            actual_text="=94.5%",
            weight=D(2),
            self_score=D("1.89"),
        ),
        IndicatorRow(
            "产出指标",
            "履职目标和主要任务完成情况",
            "服务社区数量",
            kind="quantitative",
            sign=">=",
            target=D(41),
            unit="个",
            actual=D(41),
            actual_text="41个",
            weight=D(30),
            self_score=D(30),
        ),
    )
    fields = dict(
        budget=Budget(rows=rows, self_score=D("9.45")),
        tasks=tasks,
        indicators=indicators,
        level1=(
            Level1Node("投入管理指标", D(40), standard_weight=D(30)),
            Level1Node("产出指标", D(30)),
            Level1Node("效益指标", D(20)),
        ),
        goal_completion=GOAL_COMPLETION,
        narrative=narrative,
        self_total=D("99.34"),
        self_grade="优",
    )
    fields.update(changes)
    return ReportInput(**fields)


def seed_result(**changes) -> ReportResult:
    fields = dict(
        execution_rate=D("451.06") / D("477.48") * 100,
        execution_score=D("9.45"),
        execution_explanation="",
        level1=(
            Level1Result("投入管理指标", D(40), D("39.99"), D("39.89")),
            Level1Result("产出指标", D(30), D(30), D(30)),
            Level1Result("效益指标", D(20), D(20), D(20)),
        ),
        level2=(
            Level2Result("投入管理指标", "工作目标管理", D(8), D(8), D(8)),
            Level2Result("投入管理指标", "预算和财务管理", D(26), D("25.99"), D("25.89")),
            Level2Result("投入管理指标", "绩效管理", D(6), D(6), D(6)),
            Level2Result("产出指标", "履职目标和主要任务完成情况", D(30), D(30), D(30)),
            Level2Result("效益指标", "履职效益", D(10), D(10), D(10)),
            Level2Result("效益指标", "满意度", D(10), D(10), D(10)),
        ),
        rows=(
            RowResult(0, "投入管理指标", "预算和财务管理", "预算执行率", D(2), D("1.99"), D("1.89"), ""),
            RowResult(1, "产出指标", "履职目标和主要任务完成情况", "服务社区数量", D(30), D(30), D(30), ""),
        ),
        total=D("99.44"),
        self_total=D("99.34"),
        grade="优",
        self_grade="优",
        findings=(),
    )
    fields.update(changes)
    return ReportResult(**fields)


def run(narrative=SECTIONS, report_changes=None, **result_changes):
    return narrative_findings(seed_report(narrative, **(report_changes or {})), seed_result(**result_changes))


def one(text: str, key: str = "4"):
    return ((key, text),)


def codes(findings):
    return Counter((f.code, f.severity, f.where) for f in findings)


def corrected_sections():
    fixes = {
        "4774760.72 万元": "477.48 万元",
        "4510555.8 万元": "451.06 万元",
        "1353475.8 万元": "135.35 万元",
        "3157080 万元": "315.71 万元",
        "预算执行率为 28%": "预算执行率为 100.65%",
        "预算执行率为 66%": "预算执行率为 92.04%",
        "已建成 12 处": "已建成 2 处",
        "99.34": "99.44",
        "39.89": "39.99",
    }
    out = []
    for key, text in SECTIONS:
        for old, new in fixes.items():
            text = text.replace(old, new)
        out.append((key, text))
    return tuple(out)


# ---------------------------------------------------------------- the seed's findings


def test_seed_findings_exactly():
    assert codes(run()) == Counter(
        {
            (UNIT_YUAN, "error", "narrative.4"): 4,
            (RATE_DIFFERS, "error", "narrative.4"): 2,
            (COUNT_DIFFERS, "error", "narrative.4"): 1,
            (SCORE_DIFFERS, "warning", "narrative.3"): 2,
            (SCORE_DIFFERS, "warning", "narrative.4"): 1,
        }
    )


def test_seed_s1_yuan_written_as_wan():
    found = [f for f in run() if f.code == UNIT_YUAN]
    expected = {
        "4774760.72": "477.48",
        "4510555.8": "451.06",
        "1353475.8": "135.35",
        "3157080": "315.71",
    }
    assert len(found) == 4
    for (written, table), f in zip(expected.items(), found, strict=True):
        assert f"第四部分写“{written} 万元”，按表中数字应为 {table} 万元" in f.message
        assert "元误写为万元" in f.message


def test_seed_s2_shares_called_execution_rates():
    basic, project = (f.message for f in run() if f.code == RATE_DIFFERS)
    assert "28% 是基本支出执行数占预算总额的比例" in basic
    assert "不是执行率" in basic and "表中基本支出执行率 100.65%" in basic
    assert "66% 是项目支出执行数占预算总额的比例" in project
    assert "表中项目支出执行率 92.04%" in project


def test_seed_total_rate_at_printed_precision_passes():
    # "预算执行率为 94.5%" three times: 94.467% at 1 place.
    assert not [f for f in run() if f.code == RATE_DIFFERS and "94.5" in f.message]
    assert run(one("部门整体预算执行率为 94.47%。")) == []
    assert run(one("部门整体预算执行率为 94%。")) == []


def test_seed_s3_count_differs_from_table():
    (f,) = [f for f in run() if f.code == COUNT_DIFFERS]
    assert "三个广场建设已建成12处" in f.message
    assert "三个广场建设已建成2处" in f.message


def test_seed_scores_self_not_rule():
    found = [f for f in run() if f.code == SCORE_DIFFERS]
    assert all(f.severity == "warning" for f in found)
    messages = " ".join(f.message for f in found)
    assert "“99.34 分”" in messages and "99.44 分" in messages
    assert "投入管理指标得分“39.89 分”" in messages and "39.99 分" in messages
    # 9.45, 30 and 20 equal the rule's scores; 40/30/20 equal the weights; 优 is right.
    for figure in ("9.45", "“30 分”", "“20 分”"):
        assert figure not in messages


def test_corrected_narrative_is_quiet():
    assert run(corrected_sections()) == []


# ---------------------------------------------------------------- scores, weights, grade


def test_score_matching_neither_is_an_error():
    (f,) = run(one("一级指标产出指标：总分值 30 分，总得分 28 分。", "3"))
    assert (f.code, f.severity, f.where) == (SCORE_DIFFERS, "error", "narrative.3")
    assert "28 分" in f.message and "30.00 分" in f.message


def test_score_of_this_item_uses_heading():
    text = "4. 效益指标情况分析\n\n根据评价标准，该项得分为 18 分。"
    (f,) = run(one(text))
    assert f.code == SCORE_DIFFERS and "效益指标" in f.message


def test_scores_of_lower_levels_are_not_taken_for_their_parent():
    text = (
        "4. 效益指标情况分析\n\n满意度情况：受到群众的普遍好评，得分 10 分。\n\n"
        "投入管理指标中，预算和财务管理得分 25.99 分，工作目标管理得分 8 分。"
    )
    assert run(one(text)) == []


def test_execution_score_and_level3_row_share_a_name():
    # 预算执行率 names both the level-1 indicator (9.45) and a level-3 row (1.99 by rule).
    assert run(one("一级指标预算执行率：实际完成值为 94.5%，总分 10 分，得分为 9.45 分。", "3")) == []
    assert run(one("投入管理指标中预算执行率得分 1.99 分。", "3")) == []
    (f,) = run(one("投入管理指标中预算执行率得分 1.89 分。", "3"))
    assert f.severity == "warning"


def test_weight_differs():
    (f,) = run(one("一级指标投入管理指标：总分值 30 分，总得分 39.99 分。", "3"))
    assert (f.code, f.severity) == (WEIGHT_DIFFERS, "error")
    assert "表中分值为 40 分" in f.message and "规则原定分值" in f.message


def test_grade():
    assert run(one("自评结果为优。", "3")) == []
    (f,) = run(one("自评结果为“良”。", "3"))
    assert (f.code, f.severity) == (GRADE_DIFFERS, "error")
    (f,) = run(one("自评结果为优秀。", "3"), grade="良")
    assert (f.code, f.severity) == (GRADE_DIFFERS, "warning")
    # Not a grade: 自评结果拟应用, 自评结果显示, 评价结果为差异…
    assert run(one("绩效自评结果拟应用情况；自评结果显示良好；评价结果为差异较大。", "6")) == []


# ---------------------------------------------------------------- amounts and rates


def test_amounts_in_wan_and_yuan_that_match_are_quiet():
    text = "部门预算批复资金 477.48 万元，支出 4510555.8 元，未执行 26.42 万元；社区发展治理工作预算 3 万元。"
    assert run(one(text)) == []


def test_wan_written_as_yuan():
    (f,) = run(one("2021 年部门预算批复资金 477.48 元。"))
    assert f.code == UNIT_WAN and "477.48 万元" in f.message


def test_amount_unknown_only_for_budget_amounts():
    (f,) = run(one("项目支出 999.99 万元，执行率 92.04%。"))
    assert (f.code, f.severity) == (AMOUNT_UNKNOWN, "warning")
    assert "项目支出999.99万元" in f.message
    quiet = "人均补助 500 元；单笔 5 万元以上的采购须审批；表彰先进个人奖励 2000 元；资金约 300 万元。"
    assert run(one(quiet)) == []


def test_amounts_in_table_texts_are_known():
    goal = GOAL_COMPLETION + "发放社区奖补资金 12.5 万元。"
    assert run(one("发放社区奖补资金 12.5 万元。"), {"goal_completion": goal}) == []


def test_table_in_yuan():
    rows = (BudgetRow("total", None, D("4774760.72"), D("4510555.8")),)
    report = seed_report(one("部门预算批复资金 477.48 万元。"), budget=Budget(unit="元", rows=rows))
    assert narrative_findings(report, seed_result()) == []
    report = seed_report(one("部门预算批复资金 4774760.72 万元。"), budget=Budget(unit="元", rows=rows))
    (f,) = narrative_findings(report, seed_result())
    assert f.code == UNIT_YUAN


def test_rate_differs_without_share():
    (f,) = run(one("基本支出执行率为 90%。"))
    assert (f.code, f.severity) == (RATE_DIFFERS, "error")
    assert "表中基本支出执行率 100.65%" in f.message and "比例" not in f.message


def test_task_rates():
    assert run(one("城乡社区服务群众专项工作预算执行率为 92.33%。")) == []
    # The task table printed 100% (capped): repeating it is the table check's business.
    assert run(one("机关运行预算执行率为 100%。")) == []
    (f,) = run(one("社区发展治理工作预算执行率为 80%。"))
    assert f.code == RATE_DIFFERS and "任务“社区发展治理工作”" in f.message


def test_rates_that_are_targets_or_unattached_are_skipped():
    text = (
        "预算执行率≥95%；一级指标预算执行率：年初目标 100%；绩效监控完成率为 100%；"
        "培训项目执行率为 50%；预算执行率达到 90% 以上。"
    )
    assert run(one(text)) == []


def test_listing_then_one_rate_accepts_the_total():
    text = "基本支出 135.35 万元，项目支出 315.71 万元，预算执行率为 94.47%。"
    assert run(one(text)) == []


# ---------------------------------------------------------------- counts


def test_counts_same_numbers_are_quiet_and_context_must_match():
    text = (
        "拟定专项类服务项目 29 个；组织社治干部观摩、培训 4 场次；完成 73 个无主管楼院的基础整治；"
        "制作宣传册 100 册；完成 5 个示范点建设；培训 9 场次。"
    )
    # 培训 9 场次 vs 培训4场次: two characters of context are not enough to say it is the same thing.
    assert run(one(text)) == []


def test_count_differs_by_phrase_after_the_number():
    (f,) = run(one("完成 37 个无主管楼院的基础整治。"))
    assert f.code == COUNT_DIFFERS and "73个无主管楼院" in f.message


# ---------------------------------------------------------------- text forms


def test_full_width_digits_and_spaces():
    text = "部门预算批复资金　４７７４７６０．７２　万元，其中：基本支出执行率为　２８％。建成１２处。"
    text = "三个广场建设已建成１２处；" + text
    found = codes(run(one(text)))
    assert found[(UNIT_YUAN, "error", "narrative.4")] == 1
    assert found[(RATE_DIFFERS, "error", "narrative.4")] == 1
    assert found[(COUNT_DIFFERS, "error", "narrative.4")] == 1


def test_thousands_separators_and_latex():
    (f,) = run(one("部门预算批复资金 4,774,760.72 万元；满意度 $\\geq 80\\%$，预算执行率 $\\geq 95\\%$。"))
    assert f.code == UNIT_YUAN and "4774760.72 万元" in f.message


def test_page_break_inside_a_sentence():
    text = "资金到位及执行情况分析：2021 年部门预算批复资金 477.48 万元，实际支出 451.06 万元，预\n\n算执行率为 80%。"
    (f,) = run(one(text))
    assert f.code == RATE_DIFFERS and "部门预算总额" in f.message


# ---------------------------------------------------------------- robustness


def test_empty_narrative():
    assert run(()) == []
    assert run((("1", ""), ("2", "   \n"))) == []


def test_odd_section_keys_and_shapes():
    text = "部门预算批复资金 4774760.72 万元。"
    for key in ("²", "", "八", "9" * 30, None, 4):
        (f,) = run(((key, text),))
        assert f.code == UNIT_YUAN and f.where == f"narrative.{key}"
    assert [f.where for f in run([["4", text]])] == ["narrative.4"]
    assert run((("4",), ("4", text, "x"), "4", None)) == []


def test_no_budget_no_scores():
    report = ReportInput(narrative=SECTIONS)
    result = ReportResult(None, None, "", (), (), (), D(0), D(0), "", "", ())
    assert narrative_findings(report, result) == []


def test_garbage_never_raises():
    rng = random.Random(7)
    alphabet = "0123456789.,%%万元分得执行率基本支出项目个处第年：，。；\n $\\≥０１２ab\x00\ud7ff"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
        narrative_findings(seed_report(one(text)), seed_result())
    for text in ("9" * 5000 + "万元", "1." * 3000, "得分为" + "9" * 40 + "分", "\n" * 1000, "。" * 1000):
        narrative_findings(seed_report(one(text)), seed_result())
    huge = "部门预算批复资金 4774760.72 万元，预算执行率为 28%；" * 5000
    start = time.perf_counter()
    narrative_findings(seed_report(one(huge)), seed_result())
    assert time.perf_counter() - start < 5


def test_odd_table_values_never_raise():
    rows = (BudgetRow("total", D("NaN"), D("Infinity"), D("1E+40")), BudgetRow("basic", D(0), D(0), D(0)))
    report = seed_report(budget=Budget(rows=rows), tasks=(Task("", budget=D("-1")),))
    narrative_findings(report, seed_result(total=D("NaN"), execution_rate=D("Infinity")))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("12345678x"), st.text(max_size=400)), max_size=8))
def test_any_text_never_raises(sections):
    for f in narrative_findings(seed_report(tuple(sections)), seed_result()):
        assert f.code in CODES


_garbage = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(("", "元", "万元", "优", "1,234.5万元", "≥80%", "NaN")),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from((D("1e30"), D("-1e30"), D("1e-30"), D("0"), D("-0"), D("sNaN"), D("1E+999999"))),
    st.integers(),
    st.floats(allow_nan=True),
    st.tuples(st.integers(), st.text(max_size=3)),
)


def _garbage_of(cls, *names):
    return st.builds(cls, **{n: _garbage for n in names})


_garbage_report = st.builds(
    ReportInput,
    budget=st.builds(
        Budget,
        unit=_garbage,
        execution_weight=_garbage,
        self_score=_garbage,
        rows=st.lists(
            st.builds(BudgetRow, row=st.sampled_from(("total", "basic", "project")) | _garbage, annual=_garbage)
            | _garbage,
            max_size=4,
        ).map(tuple),
    )
    | _garbage,
    tasks=st.lists(
        _garbage_of(Task, "name", "budget", "executed", "completion", "rate_text") | _garbage, max_size=3
    ).map(tuple)
    | _garbage,
    indicators=st.lists(_garbage_of(IndicatorRow, "level1", "level2", "level3", "actual_text"), max_size=3).map(tuple)
    | _garbage,
    level1=st.lists(_garbage_of(Level1Node, "name", "weight", "standard_weight"), max_size=3).map(tuple) | _garbage,
    goal_completion=_garbage,
    narrative=st.lists(st.tuples(_garbage, st.text(max_size=60) | _garbage) | _garbage, max_size=4).map(tuple)
    | _garbage,
    self_total=_garbage,
    self_grade=_garbage,
)
_garbage_result = st.builds(
    ReportResult,
    execution_rate=_garbage,
    execution_score=_garbage,
    execution_explanation=st.just(""),
    level1=st.lists(_garbage_of(Level1Result, "name", "weight", "score", "self_score"), max_size=3).map(tuple),
    level2=st.lists(_garbage_of(Level2Result, "level1", "name", "weight", "score", "self_score"), max_size=3).map(
        tuple
    ),
    rows=st.lists(
        _garbage_of(RowResult, "index", "level1", "level2", "level3", "weight", "score", "self_score", "explanation"),
        max_size=3,
    ).map(tuple),
    total=_garbage,
    self_total=_garbage,
    grade=_garbage,
    self_grade=_garbage,
    findings=st.just(()),
)


@settings(max_examples=200, deadline=None)
@given(_garbage_report, _garbage_result)
def test_garbage_inputs_never_raise(report, result):
    narrative_findings(report, result)
    narrative_findings(seed_report(report.narrative if isinstance(report.narrative, tuple) else ()), result)
    narrative_findings(report, seed_result())


def test_codes_are_described():
    assert all(code.startswith("narrative.") and CODES[code] for code in CODES)
