"""The seed report as PDF: what a reader finds in it, its fonts, and figures that agree."""

import json
import re
import subprocess
from decimal import Decimal

import pytest

from reports.demo.build import SEED_PATH
from reports.pdf.context import money
from tests.pdf.conftest import cell_texts, compact, narrative_pages, pdftotext, table_first_page, table_pages

pytestmark = pytest.mark.django_db

SEED = json.loads(SEED_PATH.read_text(encoding="utf-8"))


def test_render_report_command_writes_the_seed(seed_pdf):
    text = pdftotext(seed_pdf)
    table = compact(table_pages(text))
    cells = "\n".join(cell_texts(seed_pdf, first_page=table_first_page(text)))
    assert SEED["department"]["name"] in table
    assert "2021年度中共上街区委社治委部门整体绩效自评报告" in compact(text)
    # Both totals: the rules' 99.44 stated, the department's 99.34 beside it.
    assert "99.44" in table and "99.34" in table
    for row in SEED["indicators"]:
        assert row["level3"] in cells, row["level3"]
    for task in SEED["tasks"]:
        assert task["name"] in cells
        for key in ("budget", "budget_fiscal", "executed", "executed_fiscal"):
            assert money(Decimal(task[key])) in table, (task["name"], key)


def test_only_embedded_subset_fonts_cjk_among_them(seed_pdf):
    out = subprocess.run(["pdffonts", str(seed_pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    assert rows
    for row in rows:
        name, emb, sub = row[0], row[-5], row[-4]
        assert (emb, sub) == ("yes", "yes"), row
        assert re.match(r"^[A-Z]{6}\+", name), row
    names = [row[0] for row in rows]
    assert any("Noto-Serif-CJK-SC" in n for n in names)
    assert any("Noto-Sans-CJK-SC" in n for n in names)


def test_pages_narrative_portrait_table_landscape(seed_pdf):
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "99", str(seed_pdf)], capture_output=True, text=True, check=True
    ).stdout
    sizes = [tuple(float(x) for x in m) for m in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]
    text = pdftotext(seed_pdf)
    narrative = len(narrative_pages(text).split("\f"))
    assert narrative >= 3
    assert all(w < h for w, h in sizes[:narrative])
    assert all(w > h for w, h in sizes[narrative:])
    pages = text.split("\f")
    total = len(sizes)
    for number, page in enumerate(pages[:total], start=1):
        assert f"第{number}页共{total}页" in compact(page)


def test_draft_is_watermarked(seed_pdf):
    assert "草" in pdftotext(seed_pdf) and "稿" in pdftotext(seed_pdf)


def _figures(pattern: str, text: str) -> list[str]:
    return re.findall(pattern, text)


def test_narrative_figures_equal_the_tables(seed_pdf):
    """Read both back out of the PDF: the generated paragraphs say what the table prints."""
    text = pdftotext(seed_pdf, layout=True)
    narrative = compact(narrative_pages(text))
    table = table_pages(text)
    lines = table.splitlines()

    def row(label: str) -> list[str]:
        line = next(line for line in lines if label in line)
        return re.findall(r"\d+(?:\.\d+)?%?", line.split(label, 1)[1])

    # 三、综合评价结论: total, grade, the department's own total, every level-1 indicator.
    conclusion = narrative.split("综合评价结论（根据自评表数据生成）", 1)[1]
    total, grade = re.search(r"评价得分为([\d.]+)分，评价结果为“(.)”", conclusion).groups()
    own_total = re.search(r"部门自评得分合计为([\d.]+)分", conclusion).group(1)
    header_score = row("自评得分")
    assert header_score[0] == total == "99.44"
    assert re.search(r"部门自评合计\s*([\d.]+)", table).group(1) == own_total == "99.34"
    assert re.search(r"自评结果\s+" + grade, table)
    level1 = re.findall(r"([^；：]+?)分值([\d.]+)分，得分([\d.]+)分", conclusion.split("各一级指标得分：", 1)[1])
    names = [name for name, _w, _s in level1]
    assert names == ["预算执行率", "投入管理指标", "产出指标", "效益指标"]
    budget_total = row("部门预算总额")
    assert (level1[0][1], level1[0][2]) == (budget_total[-2], budget_total[-1])
    # The level-1 cells of the table print each level-1's weight and subtotal (分值 40 / 小计 39.99).
    printed = list(zip(re.findall(r"分值\s+([\d.]+)", table), re.findall(r"小计\s+([\d.]+)", table), strict=True))
    assert printed == [(weight, score) for _name, weight, score in level1[1:]]
    assert sum(Decimal(s) for _n, _w, s in level1) == Decimal(total)

    # 四、部门资金情况: amounts and rates of the total, basic and project rows.
    funds = narrative.split("部门资金情况（根据自评表数据生成）", 1)[1]
    for label, name in (("部门预算总额", "部门预算总额"), ("(1) 基本支出", "基本支出"), ("(2) 项目支出", "项目支出")):
        _initial, annual, executed, rate = row(label)[:4]
        said = re.search(name + r"全年预算数([\d.]+)万元，预算执行数([\d.]+)万元，预算执行率([\d.]+%)", funds)
        assert said, name
        assert said.groups() == (annual, executed, rate), name
    assert "94.47%" in funds and "100.65%" in funds and "92.04%" in funds
