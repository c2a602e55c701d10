"""A level-1 or level-2 cell cut by a page break repeats its label on the next page (续)."""

import pytest

from reports.pdf.context import IndicatorLine, continue_groups, group_spans, restore_groups
from tests.pdf.conftest import compact, pages, pdftotext

pytestmark = pytest.mark.django_db


def line(level1: str, level2: str, level1_span: int = 0, level2_span: int = 0) -> IndicatorLine:
    return IndicatorLine(
        level1=level1, level1_span=level1_span, level1_weight="", level1_score="", level1_self="",
        level2=level2, level2_span=level2_span, level3="x", target="", unit="", actual="", weight="",
        score="", self_score="", reason="", applicable=True,
    )  # fmt: skip


def test_cells_split_at_a_page_start_inside_them():
    lines = [line("甲", "a", 4, 2), line("甲", "a"), line("甲", "b", 0, 2), line("甲", "b"), line("乙", "c", 1, 1)]
    spans = group_spans(lines)
    assert continue_groups(lines, {0, 1}) == {1}
    assert [(x.level1_span, x.level2_span) for x in lines] == [(1, 1), (3, 1), (0, 2), (0, 0), (1, 1)]
    assert (lines[1].level1_continued, lines[1].level2_continued) == (True, True)
    # A page that starts a level-2 group inside a level-1 one splits the level-1 cell only.
    assert continue_groups(lines, {2}) == {2}
    assert [(x.level1_span, x.level2_span) for x in lines][:4] == [(1, 1), (1, 1), (2, 2), (0, 0)]
    assert (lines[2].level1_continued, lines[2].level2_continued) == (True, False)
    # Page starts at group starts (or the first row) change nothing.
    assert continue_groups(lines, {0, 2, 4}) == set()
    restore_groups(lines, spans)
    assert group_spans(lines) == spans and not any(x.level1_continued or x.level2_continued for x in lines)


def test_the_seeds_table_page_repeats_the_cut_labels(seed_pdf):
    table = [compact(page) for page in pages(pdftotext(seed_pdf)) if "实际完成值" in page and "未完成原因分析" in page]
    assert len(table) == 2, "the seed's indicator table runs onto a second page"
    assert "投入管理指标（续）" not in table[0] and "投入管理指标（续）" in table[1]
    assert "预算和财务管理（续）" in table[1]
    # The labels that start on that page are not marked as continued.
    assert "产出指标（续）" not in table[1] and "产出指标" in table[1]
