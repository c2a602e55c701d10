"""The public report page for tables of every shape (CONVENTIONS item 4).

The page shows the review page's read-only sheet (templates/review/_sheet.html, helper C's part of
issue 14): level columns only where some row has that level, （无一级指标） for a group without one.
"""

import pytest
import tinyhtml5
from django.urls import reverse
from django.utils import timezone

from reports.models import Report
from tests.pdf.test_shapes import reshape

pytestmark = [
    pytest.mark.django_db,
]
X = "{http://www.w3.org/1999/xhtml}"


def publish(report) -> None:
    Report.objects.filter(pk=report.pk).update(state="published", published_at=timezone.now())


def indicator_table(html: str):
    """(header texts, rows as [(tag, class, text, rowspan)]) of the page's indicator table."""
    root = tinyhtml5.parse(html)
    table = next(t for t in root.iter(f"{X}table") if t.get("id") == "indicator-table")
    head = ["".join(th.itertext()).strip() for th in table.find(f"{X}thead").iter(f"{X}th")]
    body = [
        [
            (
                cell.tag.removeprefix(X),
                cell.get("class", ""),
                "\n".join(t.strip() for t in cell.itertext() if t.strip()),
                int(cell.get("rowspan", "1")),
            )
            for cell in tr
            if cell.tag in (f"{X}td", f"{X}th")
        ]
        for tr in table.find(f"{X}tbody").iter(f"{X}tr")
    ]
    return head, body


def page(client, report) -> str:
    response = client.get(reverse("public:report", args=[report.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_flat_report_has_no_level_columns(client, seed_report):
    reshape(seed_report, "flat")
    publish(seed_report)
    head, body = indicator_table(page(client, seed_report))
    assert head[0] == "三级指标" and "一级指标" not in head and "二级指标" not in head
    assert len(body) == 24 and {len(cells) for cells in body} == {len(head)}
    assert not any(tag == "th" for cells in body for tag, *_rest in cells)


def test_two_level_report_has_level1_only(client, seed_report):
    reshape(seed_report, "two")
    publish(seed_report)
    head, body = indicator_table(page(client, seed_report))
    assert head[:2] == ["一级指标", "三级指标"] and "二级指标" not in head
    level1 = [(cells[0][2], cells[0][3]) for cells in body if cells[0][0] == "th"]
    assert [(text.split("\n")[0], span) for text, span in level1] == [
        ("投入管理指标", 21),
        ("产出指标", 1),
        ("效益指标", 2),
    ]


def test_leading_group_without_level1(client, seed_report):
    reshape(seed_report, "mixed")
    publish(seed_report)
    html = page(client, seed_report)
    head, body = indicator_table(html)
    assert head[:3] == ["一级指标", "二级指标", "三级指标"] and len(body) == 23
    first = body[0][0]
    assert first[0] == "th" and "unnamed" in first[1] and first[2].startswith("（无一级指标）") and first[3] == 5
    # Rows without level 2 are never part of the named 预算和财务管理 cell below them.
    named = next(cells for cells in body if any(text.startswith("预算和财务管理") for _t, _c, text, _s in cells))
    assert next(span for _t, _c, text, span in named if text.startswith("预算和财务管理")) == 11
