"""Geometry of the dashboard's charts, drawn as inline SVG by templates/dashboard/_*.html.

No chart library and no script: the server computes where every bar goes, the template
writes the SVG, so the same chart appears on the page (each bar a link) and in the PDF.
Coordinates are formatted here as strings so that no locale setting can change them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, sans-serif"


def _n(value: float) -> str:
    """A coordinate: at most one decimal, no trailing zero."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def nice_step(maximum: int, ticks: int = 4) -> int:
    """A step of 1, 2 or 5 × 10^k so that about `ticks` steps cover `maximum`."""
    if maximum <= ticks:
        return 1
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return int(factor * power)
    return int(10 * power)  # pragma: no cover


@dataclass(frozen=True)
class BarSpec:
    label: str
    value: int
    color: str
    href: str = ""
    title: str = ""
    key: str = ""


@dataclass(frozen=True)
class DrawnBar:
    spec: BarSpec
    x: str
    y: str
    width: str
    height: str
    center: str
    value_y: str
    label_y: str

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def value(self) -> int:
        return self.spec.value


@dataclass(frozen=True)
class Tick:
    y: str
    label_y: str
    label: str


@dataclass(frozen=True)
class BarChart:
    name: str  # css class and test hook: chart-<name>
    title: str
    width: int
    height: int
    left: str
    right: str
    baseline: str
    tick_x: str  # right edge of the value labels on the axis
    bars: tuple[DrawnBar, ...]
    ticks: tuple[Tick, ...]
    font: str = FONT


def bar_chart(
    specs: list[BarSpec],
    *,
    name: str,
    title: str,
    width: int = 520,
    height: int = 250,
    max_bar_width: float = 64,
) -> BarChart:
    """Vertical bars from zero with a value above each and a label below; a light grid."""
    left, right, top, bottom = 40.0, 10.0, 24.0, 34.0
    plot_w = width - left - right
    plot_h = height - top - bottom
    baseline = top + plot_h
    highest = max((s.value for s in specs), default=0)
    step = nice_step(highest)
    axis_max = max(step * math.ceil(highest / step), step)
    ticks = tuple(
        Tick(y=_n(baseline - plot_h * v / axis_max), label_y=_n(baseline - plot_h * v / axis_max + 4), label=str(v))
        for v in range(0, axis_max + 1, step)
    )
    slot = plot_w / max(len(specs), 1)
    bar_w = min(slot * 0.66, max_bar_width)
    bars = []
    for i, spec in enumerate(specs):
        h = plot_h * spec.value / axis_max
        x = left + slot * i + (slot - bar_w) / 2
        bars.append(
            DrawnBar(
                spec=spec,
                x=_n(x),
                y=_n(baseline - h),
                width=_n(bar_w),
                height=_n(h),
                center=_n(x + bar_w / 2),
                value_y=_n(baseline - h - 6),
                label_y=_n(baseline + 20),
            )
        )
    return BarChart(
        name=name,
        title=title,
        width=width,
        height=height,
        left=_n(left),
        right=_n(width - right),
        baseline=_n(baseline),
        tick_x=_n(left - 8),
        bars=tuple(bars),
        ticks=ticks,
    )


@dataclass(frozen=True)
class Segment:
    spec: BarSpec
    x: str
    width: str
    text_x: str
    show_value: bool

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def value(self) -> int:
        return self.spec.value


@dataclass(frozen=True)
class StackedBar:
    name: str
    title: str
    width: int
    height: int
    segments: tuple[Segment, ...]
    text_y: str
    font: str = FONT


def stacked_bar(specs: list[BarSpec], *, name: str, title: str, width: int = 1000, height: int = 30) -> StackedBar:
    """One horizontal bar split by share (states of the round's reports); empty parts are left out."""
    total = sum(s.value for s in specs)
    segments = []
    x = 0.0
    for spec in specs:
        if spec.value <= 0 or total == 0:
            continue
        w = width * spec.value / total
        segments.append(
            Segment(
                spec=spec, x=_n(x), width=_n(w), text_x=_n(x + w / 2), show_value=w >= 26 + 7 * len(str(spec.value))
            )
        )
        x += w
    return StackedBar(
        name=name, title=title, width=width, height=height, segments=tuple(segments), text_y=_n(height / 2 + 5)
    )
