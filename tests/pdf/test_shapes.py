"""The indicator table of every shape: flat, 2 levels, a leading group with no level-1 label.

Level columns are printed only when some row has that level; where one is printed, equal
neighbours merge and a blank cell stays a cell of its own (CONVENTIONS item 4).
"""

import subprocess
from pathlib import Path

import pytest
import tinyhtml5

from reports.interchange.store import report_queryset
from reports.pdf.context import NO_LEVEL1, build
from reports.pdf.render import render_html, render_pdf
from tests.pdf.conftest import compact, pdftotext, table_pages

SHOTS = Path("/tmp/d-shots")
X = "{http://www.w3.org/1999/xhtml}"


def reshape(report, shape: str) -> None:
    """The seed's 24 rows (5 工作目标管理, 13 预算和财务管理, 3 绩效管理 under 投入管理指标; 产出; 2 效益) recut."""
    rows = list(report.indicators.order_by("order", "pk"))
    for i, row in enumerate(rows):
        if shape == "flat":
            row.level1 = row.level2 = ""
        elif shape == "two":
            row.level2 = ""
        elif shape == "mixed":
            if i < 5:  # a leading group with no level-1 label
                row.level1 = row.level2 = ""
            elif i < 7:  # directly under 投入管理指标, beside the named 预算和财务管理
                row.level2 = ""
        row.save(update_fields=["level1", "level2"])
    if shape == "mixed":
        rows[-1].delete()  # a template row missing from the report


def indicator_table(html: str):
    """(column classes, header texts, rows as [(text, rowspan)]) of the printed indicator table."""
    root = tinyhtml5.parse(html)
    table = next(t for t in root.iter(f"{X}table") if "indicators" in t.get("class", ""))
    cols = [c.get("class") for c in table.iter(f"{X}col")]
    head = ["".join(th.itertext()) for th in table.find(f"{X}thead").iter(f"{X}th")]
    body = [
        [("".join(td.itertext()), int(td.get("rowspan", "1"))) for td in tr.iter(f"{X}td")]
        for tr in table.find(f"{X}tbody").iter(f"{X}tr")
    ]
    return cols, head, body


def check_grid(cols, head, body):
    """Every row fills exactly the columns the header names, counting cells merged from above."""
    assert len(cols) == len(head)
    covering = [0] * len(head)  # rows still covered by a rowspan, per column
    for cells in body:
        free = [c for c in range(len(head)) if covering[c] == 0]
        assert len(cells) == len(free), (cells, free)
        for c in range(len(head)):
            covering[c] = max(covering[c] - 1, 0)
        for column, (_text, span) in zip(free, cells, strict=True):
            covering[column] = span - 1
    assert not any(covering)


def table_text(pdf: bytes) -> str:
    """The table pages' text without the notes under it (which name 一级指标 themselves)."""
    return compact(table_pages(pdftotext(pdf))).split("注：1", 1)[0]


def shoot(pdf: bytes, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(SHOTS / name)], check=True)


@pytest.mark.django_db
def test_seed_keeps_three_level_columns(demo):
    p = build(report_queryset().get(pk=demo.pk))
    assert (p.show_level1, p.show_level2, p.indicator_shape) == (True, True, "l12")
    cols, head, body = indicator_table(render_html(p))
    assert head[:3] == ["一级指标", "二级指标", "三级指标"] and cols[:3] == ["c-l1", "c-l2", "c-l3"]
    check_grid(cols, head, body)
    assert body[0][0][1] == 21 and body[0][1] == ("工作目标管理", 5)


@pytest.mark.django_db
def test_flat_table_has_no_level_columns(demo):
    reshape(demo, "flat")
    p = build(report_queryset().get(pk=demo.pk))
    assert (p.show_level1, p.show_level2, p.indicator_shape) == (False, False, "flat")
    cols, head, body = indicator_table(render_html(p))
    assert head == ["三级指标", "指标值", "度量单位", "实际完成值", "分值", "得分", "未完成原因分析"]
    assert cols[0] == "c-l3" and len(cols) == 7
    check_grid(cols, head, body)
    assert len(body) == 24 and all(len(cells) == 7 and all(span == 1 for _t, span in cells) for cells in body)
    assert body[0][0][0] == "工作任务科学性"
    # The group's share is still named in the conclusion, with the label for no level 1.
    conclusion = next(s for s in p.sections if s.key == "3").generated[1]
    assert f"{NO_LEVEL1}分值" in conclusion

    pdf = render_pdf(demo.pk, part="table").pdf
    shoot(pdf, "pdf-flat")
    text = table_text(pdf)
    assert "三级指标" in text and "一级指标" not in text and "二级指标" not in text
    assert "工作任务科学性" in text and "服务对象满意度" in text


@pytest.mark.django_db
def test_two_level_table_drops_level_two(demo):
    reshape(demo, "two")
    p = build(report_queryset().get(pk=demo.pk))
    assert p.indicator_shape == "l1"
    cols, head, body = indicator_table(render_html(p))
    assert head[:2] == ["一级指标", "三级指标"] and "二级指标" not in head and len(cols) == 8
    check_grid(cols, head, body)
    spans = [(compact(cells[0][0]), cells[0][1]) for cells in body if len(cells) == 8]
    assert spans == [
        ("投入管理指标分值40小计39.99（自评39.89）", 21),
        ("产出指标分值30小计30", 1),
        ("效益指标分值20小计20", 2),
    ]

    pdf = render_pdf(demo.pk, part="table").pdf
    shoot(pdf, "pdf-two")
    text = table_text(pdf)
    assert "一级指标" in text and "二级指标" not in text and "投入管理指标" in text


@pytest.mark.django_db
def test_leading_group_without_level1_and_blank_level2(demo):
    reshape(demo, "mixed")
    p = build(report_queryset().get(pk=demo.pk))
    assert p.indicator_shape == "l12"
    cols, head, body = indicator_table(render_html(p))
    check_grid(cols, head, body)
    assert len(body) == 23  # the deleted row is simply not there
    # Level 1: the unlabelled group is one cell carrying its subtotal, then the named ones.
    level1 = [(compact(cells[0][0]), cells[0][1]) for cells in body if len(cells) == 9]
    assert level1[0] == (f"{NO_LEVEL1}分值8小计8", 5)
    assert [span for _t, span in level1[1:]] == [16, 1, 1]
    # Level 2: blank runs are empty cells of their own, never merged into 预算和财务管理 below them.
    level2 = [cells[-8] for cells in body if len(cells) >= 8]
    assert level2[:3] == [("", 5), ("", 2), ("预算和财务管理", 11)]

    pdf = render_pdf(demo.pk, part="table").pdf
    shoot(pdf, "pdf-mixed")
    text = table_text(pdf)
    assert NO_LEVEL1 in text and "一级指标" in text and "二级指标" in text
