"""The dashboard and the round summary with a group of rows under no level-1 label (CONVENTIONS item 3).

The engine scores such rows as one group named ""; wherever a heading must name it, it reads
（无一级指标）.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import TemplateIndicator
from reports.models import Report
from reports.services.scoring import report_rescore
from reports.web.dashboard import presenters, selectors
from reports.xlsx.summary import summary_rows

pytestmark = pytest.mark.django_db
NO_LEVEL1 = "（无一级指标）"


def leading_group_without_level1(report) -> None:
    """The seed's first five rows (工作目标管理, 8 points) taken out of 投入管理指标, then rescored."""
    for row in report.indicators.order_by("order", "pk")[:5]:
        row.level1 = row.level2 = ""
        row.save(update_fields=["level1", "level2"])
    report_rescore(report=report)
    report.refresh_from_db()


@pytest.fixture
def seed(people):
    return Report.objects.select_related("department", "round").get(department__code="101001", round__year=2021)


def test_round_summary_names_the_group_without_level1(seed, round_2021):
    leading_group_without_level1(seed)
    assert [i["name"] for i in seed.level1_scores] == ["投入管理指标", "产出指标", "效益指标", ""]
    rows = list(summary_rows(round_2021))
    header = rows[0]
    assert f"{NO_LEVEL1}（8分）" in header and f"{NO_LEVEL1} 自评" in header
    assert not any(h.startswith("（8分）") or h == " 自评" for h in header)
    mine = next(r for r in rows[1:] if r[0] == "101001")
    column = header.index(f"{NO_LEVEL1}（8分）")
    assert (mine[column], mine[column + 1]) == (Decimal("8.00"), Decimal("8"))


def test_dashboard_cells_of_the_group_without_level1(seed, round_2021):
    leading_group_without_level1(seed)
    level1 = [*selectors.level1_columns(round_2021), selectors.Level1Column("", Decimal("8"))]
    headers = presenters.headers(round_2021, level1, selectors.DEFAULT_SORT, "/x/")
    assert [h.label for h in headers[3:7]] == ["投入管理指标", "产出指标", "效益指标", NO_LEVEL1]
    row = next(r for r in presenters.table([seed], round_=round_2021, level1=level1, past={}))
    assert [c.text for c in row.level1] == ["31.99", "30.00", "20.00", "8.00"]


def test_dashboard_page_has_a_column_for_the_template_rows_without_level1(client, people, seed, round_2021):
    TemplateIndicator.objects.filter(
        pk__in=[t.pk for t in TemplateIndicator.objects.filter(template=round_2021.template).order_by("order")[:5]]
    ).update(level1=None, level2="")
    leading_group_without_level1(seed)
    assert selectors.level1_columns(round_2021)[-1] == selectors.Level1Column("", Decimal("8"))
    client.force_login(people["reviewer"])
    response = client.get(reverse("dashboard:round", args=[round_2021.pk]), {"sort": "-l1-3"})
    labels = [(h.key, h.label, h.note) for h in response.context["headers"]]
    assert ("l1-3", NO_LEVEL1, "8.00") in labels
    first = response.context["rows"][0]
    assert first.code == "101001" and first.level1[3].text == "8.00"
    assert NO_LEVEL1 in response.content.decode()


def test_a_flat_round_has_no_level1_columns(seed, round_2021):
    """A template declaring no level 1 whose reports score one group, "" (as the engine does for a
    flat list): no per-level-1 columns, the total less 预算执行率 says it all."""
    from reports.models import ReportIndicator

    ReportIndicator.objects.filter(report__round=round_2021).update(level1="", level2="", template_indicator=None)
    TemplateIndicator.objects.filter(template=round_2021.template).delete()
    round_2021.template.level1_nodes.all().delete()
    Report.objects.filter(round=round_2021).update(
        level1_scores=[{"name": "", "weight": "90", "score": "89.99", "self_score": "89.89"}]
    )
    header = next(summary_rows(round_2021))
    assert header[3:7] == ("预算执行率（10分）", "预算执行率 自评", "规则得分", "自评得分")
    assert selectors.level1_columns(round_2021) == []
