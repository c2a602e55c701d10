"""Parts, layout data and the stylesheet's promises, without reading every PDF back."""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from reports.interchange.store import report_queryset
from reports.pdf.context import build, figure, money, note_lines, paragraphs, percent
from reports.pdf.render import render_html, render_pdf
from tests.pdf.conftest import compact, pages, pdftotext


def test_formatting():
    assert money(Decimal("343")) == "343.00" and money(Decimal("1.805")) == "1.81" and money(None) == ""
    assert figure(Decimal("30.00")) == "30" and figure(Decimal("1.90")) == "1.9" and figure(Decimal("0")) == "0"
    assert percent(Decimal("94.4666")) == "94.47%" and percent(None) == ""


def test_department_text_headings_and_rule_notes():
    paras = paragraphs("1. 评价得分\n我单位 2021 年度严格执行年初部门预算。\n\n（二）项目绩效指标完成情况分析")
    assert [(p.text, p.heading) for p in paras] == [
        ("1. 评价得分", True),
        ("我单位2021年度严格执行年初部门预算。", False),  # spaces beside Chinese would stretch
        ("（二）项目绩效指标完成情况分析", True),
    ]
    notes = note_lines("注：1. 满分为100分，总分应为100分 2. 未完成原因分析。3. 定性指标00%-80%（含）。4. 优")
    assert notes == ["注：1. 满分为100分，总分应为100分", "2. 未完成原因分析。", "3. 定性指标00%-80%（含）。", "4. 优"]


@pytest.mark.django_db
def test_seed_layout_data(seed_report):
    p = build(report_queryset().get(pk=seed_report.pk))
    assert (p.total, p.self_total, p.grade, p.self_grade) == ("99.44", "99.34", "优", "")
    assert p.title == "2021 年度中共上街区委社治委部门整体绩效自评报告"
    spans = [(r.level1, r.level1_span) for r in p.indicators if r.level1_span]
    assert spans == [("投入管理指标", 21), ("产出指标", 1), ("效益指标", 2)]
    level2 = [(r.level2, r.level2_span) for r in p.indicators if r.level2_span]
    assert level2[:3] == [("工作目标管理", 5), ("预算和财务管理", 13), ("绩效管理", 3)]
    execution = next(r for r in p.indicators if r.level3 == "预算执行率")
    assert (execution.score, execution.self_score) == ("1.99", "1.89")
    total = p.budget[0]
    assert (total.annual, total.executed, total.rate, total.weight, total.score) == (
        "477.48",
        "451.06",
        "94.47%",
        "10",
        "9.45",
    )
    assert [t.rate for t in p.tasks] == ["100.65%", "92.33%", "60.00%"]  # computed, not the typed 100% / 59.93%
    assert len(p.goal) == 10  # "(一)…(十)" one item a line
    assert p.watermark
    sections = {s.key: s for s in p.sections}
    assert sections["3"].generated and sections["4"].generated and not sections["1"].generated


@pytest.mark.django_db
def test_html_keeps_the_print_rules(seed_report):
    html = render_html(build(report_queryset().get(pk=seed_report.pk)))
    assert html.startswith("<!doctype html>") and '<html lang="zh-CN">' in html
    css = html.split("<style>", 1)[1].split("</style>", 1)[0]
    html_rule = css.split("\nhtml {", 1)[1].split("}", 1)[0]
    assert '"Noto Serif CJK SC"' in html_rule
    page_rule = css.split("@page {", 1)[1].split("\n}\n", 1)[0]
    assert "@bottom-center" in page_rule and page_rule.count("Noto Serif CJK SC") >= 2
    assert "counter(page)" in css and "counter(pages)" in css
    assert "table-layout: fixed" in css and html.count("<colgroup>") == 4
    assert html.count("<thead>") == 2  # tasks and indicators repeat their header row on every page


@pytest.mark.django_db
def test_table_alone_and_narrative_alone(seed_report):
    table = compact(pdftotext(render_pdf(seed_report.pk, part="table").pdf))
    assert "部门整体绩效自评表" in table and "一、部门单位基本情况" not in table
    narrative = compact(pdftotext(render_pdf(seed_report.pk, part="narrative").pdf))
    assert "一、部门单位基本情况" in narrative and "八、其他需要说明的问题" in narrative
    assert "部门整体绩效自评表" not in narrative
    assert "第1页共" in narrative


@pytest.mark.django_db
def test_render_reports_writes_a_round(seed_report, tmp_path):
    call_command(
        "render_reports",
        "--year",
        "2021",
        "--out",
        str(tmp_path),
        "--workers",
        "1",
        "--part",
        "narrative",
        "--department",
        "201001",
        "--department",
        "208001",
    )
    files = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert files == ["2021_201001_区教育局_自评报告.pdf", "2021_208001_区司法局_自评报告.pdf"]


def test_no_page_holds_only_the_margins(seed_report):
    """Every page has body text: a wrapper around the parts once made page 1 a blank draft page
    (named pages break before an element that changes the page type)."""
    text = pdftotext(render_pdf(seed_report.pk).pdf)
    body = [compact(re.sub(r"第 \d+ 页 共 \d+ 页|草\s*稿", "", page)) for page in pages(text)[:-1]]
    assert all(body), [i + 1 for i, b in enumerate(body) if not b]
    assert body[0].startswith("2021年度中共上街区委社治委部门整体绩效自评报告")
