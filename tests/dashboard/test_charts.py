"""The SVG chart geometry: bars from zero in proportion, a readable axis, empty parts left out."""

from __future__ import annotations

import pytest

from reports.web.dashboard.charts import BarSpec, bar_chart, nice_step, stacked_bar


@pytest.mark.parametrize(
    ("maximum", "step"), [(0, 1), (3, 1), (4, 1), (5, 2), (9, 5), (10, 5), (17, 5), (40, 10), (120, 50), (3000, 1000)]
)
def test_axis_steps_are_1_2_or_5_times_a_power_of_ten(maximum, step):
    assert nice_step(maximum) == step


def test_bars_stand_on_the_baseline_in_proportion():
    chart = bar_chart(
        [BarSpec("优", 5, "#000"), BarSpec("良", 2, "#000"), BarSpec("中", 0, "#000")], name="g", title="t"
    )
    heights = [float(b.height) for b in chart.bars]
    assert heights[0] == pytest.approx(heights[1] * 5 / 2, rel=0.02) and heights[2] == 0
    for bar in chart.bars:
        assert float(bar.y) + float(bar.height) == pytest.approx(float(chart.baseline), abs=0.1)
    # the axis reaches past the highest bar, at a whole step
    assert [t.label for t in chart.ticks] == ["0", "2", "4", "6"]
    xs = [float(b.x) for b in chart.bars]
    assert xs == sorted(xs)


def test_a_chart_of_nothing_still_draws():
    chart = bar_chart([BarSpec(str(i), 0, "#000") for i in range(10)], name="h", title="t")
    assert len(chart.bars) == 10 and all(b.height == "0" for b in chart.bars)
    assert [t.label for t in chart.ticks] == ["0", "1"]


def test_stacked_bar_splits_by_share_and_leaves_out_empty_parts():
    stack = stacked_bar(
        [BarSpec("a", 2, "#000"), BarSpec("b", 0, "#000"), BarSpec("c", 6, "#000")], name="s", title="t", width=800
    )
    assert [s.label for s in stack.segments] == ["a", "c"]
    assert [s.width for s in stack.segments] == ["200", "600"]
    assert [s.x for s in stack.segments] == ["0", "200"]
    assert stacked_bar([BarSpec("a", 0, "#000")], name="s", title="t").segments == ()
