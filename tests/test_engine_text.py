"""The engine's grades and messages in English on the pages, the stored Chinese untouched."""

import gettext

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from indicators.engine import findings as F
from indicators.engine import narrative as N
from reports.models import ReportFinding
from reports.web import engine_text

# The English of this change's msgids, as locale/en should get them (the coordinator adds them).
ENGLISH = {
    "grade\x04优": "Excellent",
    "grade\x04良": "Good",
    "grade\x04中": "Fair",
    "grade\x04差": "Poor",
    "narrative part\x04第%(n)s部分": "Part %(n)s",
    "%(name)s：得分 %(score)s 低于分值 %(weight)s，须填写未完成原因分析": (
        "%(name)s: scored %(score)s, below its weight %(weight)s: give the reason for the shortfall"
    ),
    "%(name)s：自评 %(self)s 分，按规则应得 %(rule)s 分（%(why)s），相差 %(diff)s 分": (
        "%(name)s: self-assessed %(self)s, the rules give %(rule)s, %(diff)s apart"
    ),
    "%(name)s：自评 %(self)s 分，已按规则计算的 %(rule)s 分计（%(why)s）": (
        "%(name)s: self-assessed %(self)s; counted at the rules' %(rule)s"
    ),
    "%(label)s 执行数 %(executed)s 超过全年预算数 %(annual)s（执行率 %(rate)s），属超预算执行": (
        "%(label)s: executed %(executed)s, more than the annual budget %(annual)s (execution rate %(rate)s)"
    ),
    "%(label)s 预算执行数 %(executed)s 超过预算资金 %(annual)s（执行率 %(rate)s）": (
        "%(label)s: executed %(executed)s, more than its budget %(annual)s (execution rate %(rate)s)"
    ),
    "%(label)s 执行率印刷为 %(printed)s，按 %(executed)s ÷ %(annual)s 计算为 %(rate)s%(hint)s": (
        "%(label)s: the rate is printed as %(printed)s; %(executed)s ÷ %(annual)s gives %(rate)s"
    ),
    "按规则计算总分 %(total)s 分，自评得分合计 %(self)s 分，相差 %(diff)s 分": (
        "The rules' total is %(total)s, the self scores add up to %(self)s: %(diff)s apart"
    ),
    "%(name)s：分值空白，未计分": "%(name)s: the weight is blank; not scored",
    "%(name)s：分值为负数（%(weight)s），未计分": "%(name)s: the weight is negative (%(weight)s); not scored",
    "%(name)s：分值不是可用的数值": "%(name)s: the weight is not a usable number",
    "%(name)s：自评得分不是可用的数值，按空白处理": "%(name)s: the self score is not a usable number; taken as blank",
    "%(name)s：指标值不是可用的数值，按空白处理": "%(name)s: the target is not a usable number; taken as blank",
    "%(name)s：实际完成值不是可用的数值，按空白处理": (
        "%(name)s: the actual value is not a usable number; taken as blank"
    ),
    "%(section)s写“%(quote)s”，按表中数字应为 %(amount)s 万元（%(label)s），疑为元误写为万元": (
        "%(section)s says “%(quote)s”; by the table it should be %(amount)s 万元 (%(label)s): 元 written as 万元?"
    ),
    "%(section)s写“%(quote)s”，按表中数字应为 %(amount)s 万元（%(label)s），疑为万元误写为元": (
        "%(section)s says “%(quote)s”; by the table it should be %(amount)s 万元 (%(label)s): 万元 written as 元?"
    ),
    "%(section)s写“%(quote)s”，表中没有这个金额（按万元或按元都对不上），请核对": (
        "%(section)s says “%(quote)s”: the table has no such amount (in 万元 or in 元); please check"
    ),
    "%(section)s写“%(quote)s”，与表中%(label)s执行率 %(rate)s%%（%(executed)s/%(annual)s）不符": (
        "%(section)s says “%(quote)s”: the table's execution rate is %(rate)s%% (%(executed)s/%(annual)s)"
    ),
    "%(section)s写“%(quote)s”，表中为“%(table)s”": "%(section)s says “%(quote)s”; the table has “%(table)s”",
    "%(section)s写%(label)s得分“%(quote)s”，与部门自评得分一致，但按评分规则应为 %(rule)s 分": (
        "%(section)s gives a score of “%(quote)s”, the self score; the rules give %(rule)s"
    ),
    "%(section)s写%(label)s分值“%(quote)s”，表中分值为 %(weight)s 分": (
        "%(section)s gives a weight of “%(quote)s”; the table's weight is %(weight)s"
    ),
    "%(section)s写“%(quote)s”，与部门自评等级一致，按评分规则（总分 %(total)s 分）应为“%(grade)s”": (
        "%(section)s says “%(quote)s”, the self grade; by the rules (total %(total)s) it is “%(grade)s”"
    ),
    "%(section)s写“%(quote)s”，按评分规则（总分 %(total)s 分）应为“%(grade)s”": (
        "%(section)s says “%(quote)s”; by the rules (total %(total)s) it is “%(grade)s”"
    ),
    # CODE_LABELS, in its order
    "评分程序内部错误，该部分未能计算": "Internal error of the scoring program; this part was not computed",
    "评分规则设置无效，已按默认规则计算": "The scoring rules are invalid; the default rules were used",
    "所有指标均不适用，无法按百分制折算": "No indicator applies; the total cannot be rescaled to 100",
    "指标类型（定量/定性）无法识别": "The indicator kind (quantitative/qualitative) is not recognised",
    "指标值写作“=”，应明确是等于还是不低于": "The target is written “=”: say whether it means equal to or at least",
    "度量单位栏填写了符号或数字，疑似填错栏目": "The unit column holds a sign or a number: probably the wrong column",
    "定性指标的完成档次无法识别": "The qualitative indicator's level of completion is not recognised",
    "自评得分为负数": "The self score is negative",
    "原因分析中写的未执行比例与表中执行率不符（如“剩余3%尾款”）": (
        "The unspent share given in the reason does not match the table's execution rate (e.g. “3% left”)"
    ),
    "自评满分，但指标值和实际完成值均空白，得分无据可查": (
        "Full self score, but target and actual value are both blank: the score has nothing to rest on"
    ),
    "指标分值合计与上级指标分值或总分 100 不一致": "The weights do not add up to their parent's weight or to 100",
    "预算执行率分值与规定的固定分值不一致": "The execution rate's weight differs from the fixed weight",
    "一级指标未设置或分值调整，其分值移至其他指标": (
        "A level-1 indicator is missing or reweighted; its weight moved to others"
    ),
    "同一指标重复计分（三级指标与一级指标预算执行率重复）": (
        "The same measure is scored twice (a level-3 indicator repeats the budget execution rate)"
    ),
    "三级指标的指标值和完成值即预算总额的全年预算数和执行数，与一级指标预算执行率重复计分": (
        "A level-3 indicator's target and actual are the budget's annual and executed amounts: "
        "scored twice with the budget execution rate"
    ),
    "三级指标名称重复": "Two level-3 indicators have the same name",
    "三级指标所属一级指标不在模板中": "A level-3 indicator's level-1 indicator is not in the template",
    "数值无法使用（非数字、无穷大或数量级不合理），按空白处理": (
        "A value cannot be used (not a number, infinite or implausible); taken as blank"
    ),
    "预算总额或执行数空白，预算执行率无法计分": (
        "The budget total or the executed amount is blank: no execution rate score"
    ),
    "预算数为 0，执行率无法计算": "The budget is 0: no execution rate",
    "预算表各项合计与总额不一致": "The budget rows do not add up to the total",
    "执行数超过预算数（超预算执行）": "More executed than budgeted",
    "表中填写的执行率与按金额计算的执行率不一致": "The execution rate written in the table differs from the amounts'",
    "金额为负数": "The amount is negative",
    "金额数量级与“万元”不符，疑似以元填写": "The amount's size does not fit 万元: probably written in 元",
    "不适用指标不计分，总分按百分制折算": "Indicators that do not apply are not scored; the total is rescaled to 100",
    "预算执行率低于规定档位，总分按上限封顶": "The execution rate is below the set level: the total is capped",
    "指标分值空白，无法计分": "The weight is blank: not scored",
    "指标分值为负数": "The weight is negative",
    "定量指标的指标性质（≥、≤、=）无法识别，按 ≥ 计分": "The sign (≥, ≤, =) is not recognised; scored as ≥",
    "定量指标缺少可计算的指标值": "The quantitative indicator has no usable target",
    "指标值文字与指标性质或数值不一致": "The target's text disagrees with its sign or number",
    "定量指标实际完成值空白，暂按自评得分计": "The actual value is blank; the self score counts for now",
    "实际完成值不是测量值，无法核实，暂按自评得分计": (
        "The actual value is not a measurement and cannot be checked; the self score counts for now"
    ),
    "实际完成值带有比较符号，应填写实际测得的数值": "The actual value has a comparison sign: give the measured value",
    "完成值远超指标值（超额完成），指标值设置可能偏低": (
        "Far above the target (overachieved): the target may be set too low"
    ),
    "超额完成未说明原因": "Overachievement not explained",
    "定性指标未选择完成档次，已按自评得分推定": (
        "No level chosen for the qualitative indicator; inferred from the self score"
    ),
    "自评得分不在所选档次的分值区间内": "The self score is outside the chosen level's range",
    "自评得分空白": "The self score is blank",
    "自评得分超过指标分值": "The self score exceeds the weight",
    "自评得分与按规则计算的得分不一致": "The self score differs from the rules' score",
    "得分低于分值，但未填写未完成原因分析": "Scored below the weight, but no reason for the shortfall given",
    "按规则计算的总分与自评总分不一致": "The rules' total differs from the self total",
    "按规则计算的等级与自评等级不一致": "The rules' grade differs from the self grade",
    "报告填写的自评总分与各项自评得分合计不一致": (
        "The self total written in the report differs from the sum of self scores"
    ),
    "报告填写的自评等级与按规则应得的等级不一致": "The self grade written in the report differs from the rules' grade",
    "报告中以“万元”写出的金额是表中金额的一万倍，疑为元误写为万元": (
        "An amount in 万元 in the report is 10,000 times the table's: 元 written as 万元?"
    ),
    "报告中以“元”写出的金额是表中金额的万分之一，疑为万元误写为元": (
        "An amount in 元 in the report is 1/10,000 of the table's: 万元 written as 元?"
    ),
    "报告中的预算金额与表中任何金额都对不上": "A budget amount in the report matches no amount in the table",
    "报告中的预算执行率与表中按金额计算的执行率不一致": (
        "An execution rate in the report differs from the table's amounts"
    ),
    "报告中的数量与表中同一事项的数量不一致": "A count in the report differs from the table's for the same item",
    "报告中的得分与按规则计算的得分不一致": "A score in the report differs from the rules' score",
    "报告中的指标分值与表中分值不一致": "A weight in the report differs from the table's",
    "报告中的自评等级与按规则得出的等级不一致": "The grade in the report differs from the rules' grade",
}


def add_english() -> None:
    """The compiled catalogue, with this change's English where locale/en does not have it yet."""
    call_command("compilemessages", ignore=[".venv"], verbosity=0)
    gettext._translations.clear()
    trans_real._translations = {}
    trans_real._default = None
    catalog = trans_real.translation("en")._catalog
    for msgid, english in ENGLISH.items():
        if catalog.get(msgid) in (None, msgid):
            catalog[msgid] = english


@pytest.fixture(scope="module", autouse=True)
def english_catalogue():
    add_english()
    yield
    trans_real._translations = {}


@pytest.fixture(autouse=True)
def _restore_language():
    with translation.override(translation.get_language()):
        yield


def test_labels_are_the_engines_descriptions_for_every_code():
    assert set(engine_text.CODE_LABELS) == set(F.CATALOGUE) | set(N.CODES)
    with translation.override("zh-hans"):
        for code, label in engine_text.CODE_LABELS.items():
            assert str(label) == (F.describe(code) or N.CODES[code]), code
    with translation.override("en"):
        assert all(str(label) in ENGLISH.values() for label in engine_text.CODE_LABELS.values())


@pytest.mark.django_db
def test_every_demo_message_of_a_templated_code_matches_its_template(demo):
    seen = 0
    for code, message in ReportFinding.objects.filter(code__in=engine_text.MESSAGES).values_list("code", "message"):
        patterns = engine_text.PATTERNS[code]
        assert any(p.match(message) for p, _ in patterns), (code, message)
        seen += 1
    assert seen >= 5


def test_messages_in_english_and_untouched_in_chinese():
    message = "服务社区数量：得分 14.63 低于分值 30，须填写未完成原因分析"
    with translation.override("en"):
        assert engine_text.finding_message(F.REASON_MISSING, message, "服务社区数量") == (
            "服务社区数量: scored 14.63, below its weight 30: give the reason for the shortfall"
        )
        unit = "第四部分写“4774760.72 万元”，按表中数字应为 477.48 万元（部门预算总额全年预算数），疑为元误写为万元"
        assert engine_text.finding_message(N.UNIT_YUAN, unit).startswith("Part 4 says “4774760.72 万元”; by the table")
        grade = "第三部分写“自评结果为优”，按评分规则（总分 84.07 分）应为“良”"
        assert engine_text.finding_message(N.GRADE_DIFFERS, grade).endswith("it is “Good”")
        # a wording no template knows: the code's label after the row's name, never the Chinese
        odd = "服务对象满意度：实际完成值“较好”不是测量值"
        assert engine_text.finding_message(F.ACTUAL_NOT_MEASURED, odd, "服务对象满意度") == (
            "服务对象满意度: The actual value is not a measurement and cannot be checked; the self score counts for now"
        )
        assert [engine_text.grade_label(g) for g in ("优", "良", "中", "差", "", None)] == [
            "Excellent",
            "Good",
            "Fair",
            "Poor",
            "",
            "",
        ]
    with translation.override("zh-hans"):
        assert engine_text.finding_message(F.REASON_MISSING, message, "服务社区数量") == message
        assert engine_text.grade_label("优") == "优"
    printed = "部门预算总额 执行率印刷为 94.5%，按 451.06 ÷ 477.48 计算为 94.47%（表中执行率应为执行数÷预算数）"
    with translation.override("en"):
        assert engine_text.finding_message(F.RATE_PRINTED, printed) == (
            "部门预算总额: the rate is printed as 94.5%; 451.06 ÷ 477.48 gives 94.47%"
        )


@pytest.mark.django_db
def test_report_page_in_english_shows_english_grades_and_findings(client, demo):
    client.force_login(get_user_model().objects.get(username="accountant"))
    chinese = client.get(reverse("report", args=[demo.pk])).content.decode()
    assert 'data-out="grade">优</span>' in chinese
    assert "疑为元误写为万元" in chinese

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("report", args=[demo.pk])).content.decode()
    assert 'data-out="grade">Excellent</span>' in html
    assert "Part 4 says “4774760.72 万元”; by the table it should be 477.48 万元" in html
    assert "疑为元误写为万元" not in html
    # the quote that the page selects stays the department's own words
    assert 'data-quote="4774760.72 万元"' in html
    submit = client.get(f"/reports/{demo.pk}/submit/").content.decode()
    assert "Part 4 says “4774760.72 万元”" in submit and "疑为元误写为万元" not in submit
    assert "服务对象满意度: The actual value is not a measurement" in submit
    home = client.get(reverse("home")).content.decode()
    assert "<td>Excellent</td>" in home
    # stored findings stay Chinese
    assert ReportFinding.objects.filter(report=demo, message__contains="疑为元误写为万元").exists()


def test_narrative_rate_score_and_weight_forms_keep_their_figures_in_english():
    from tests.engine.test_narrative import one, run  # reason: the narrative tests' seed builders, used here only

    found = [
        *run(),
        *run(one("一级指标投入管理指标：总分值 30 分，总得分 39.99 分。", "3")),
        *run(one("投入管理指标得分 35 分。", "3")),
        *run(one("效益指标得分 5 分。", "3")),
    ]
    mine = [f for f in found if f.code in (N.RATE_DIFFERS, N.SCORE_DIFFERS, N.WEIGHT_DIFFERS)]
    with translation.override("en"):
        english = [engine_text.finding_message(f.code, f.message) for f in mine]
    assert all(any(p.match(f.message) for p, _ in engine_text.PATTERNS[f.code]) for f in mine)
    assert "28% is 基本支出's executed amount as a share of the budget total (135.35/477.48=28.35%)" in "\n".join(
        english
    )
    assert any(
        e.endswith("the table's weight is 40 (30 is the rules' standard weight, adjusted in the table)")
        for e in english
    )
    assert any("the rules give 39.99 and the self score is 39.89" in e for e in english)
    assert any(e.endswith("the score “5 分”; the rules give 20.00") for e in english)
    self_only = "第三部分写产出指标得分“50 分”，自评得分为 30.00 分"
    with translation.override("en"):
        assert engine_text.finding_message(N.SCORE_DIFFERS, self_only) == (
            "Part 3 gives 产出指标 the score “50 分”; the self score is 30.00"
        )


@pytest.mark.django_db
def test_review_page_and_dashboard_grades_in_english(client, demo):
    client.force_login(get_user_model().objects.get(username="reviewer"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    review = client.get(reverse("review:report", args=[demo.pk])).content.decode()
    assert 'id="bar-reviewer-grade">Excellent</span>' in review
    assert 'data-out="reviewer-grade">Excellent</span>' in review
    assert "Reviewer total = Budget execution rate 9.45 + " in review
    dashboard = client.get(reverse("dashboard:round", args=[demo.round_id])).content.decode()
    assert ">Excellent</text>" in dashboard and ">优</text>" not in dashboard
