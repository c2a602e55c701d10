"""The final score (审核得分) of approved and published reports: the dashboard table's column and
the round summary workbook's, with its ranking (排名)."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from reports.models import Report
from reports.xlsx.summary import round_summary_workbook, summary_rows

pytestmark = pytest.mark.django_db


def _rows(client, user, round_, sort=""):
    client.force_login(user)
    response = client.get(reverse("dashboard:round", args=[round_.pk]), {"sort": sort} if sort else {})
    assert response.status_code == 200
    return response


def test_final_score_column_beside_self_and_rule(client, people, round_2021):
    final = Report.objects.filter(round=round_2021, state__in=Report.FINAL_STATES).order_by("department__code")
    first = final.first()
    # A reviewer total that differs from the rule total, as a reviewer's scores make it.
    Report.objects.filter(pk=first.pk).update(reviewer_total=Decimal("50.25"), reviewer_grade="差")
    response = _rows(client, people["reviewer"], round_2021)
    keys = [h.key for h in response.context["headers"]]
    assert keys[keys.index("self") : keys.index("self") + 3] == ["self", "rule", "final"]
    assert "审核得分" in [str(h.label) for h in response.context["headers"]]
    rows = {r.code: r for r in response.context["rows"]}
    assert (rows[first.department.code].final_total, rows[first.department.code].final_grade) == ("50.25", "差")
    draft = Report.objects.get(round=round_2021, department__code="101001")
    assert draft.state not in Report.FINAL_STATES
    assert rows["101001"].final_total == ""  # not approved: no final score
    html = response.content.decode()
    assert '<td class="num final">50.25 <span class="final-grade">差</span></td>' in html

    ascending = [r.code for r in _rows(client, people["reviewer"], round_2021, "final").context["rows"]]
    assert ascending[0] == first.department.code  # the lowest final score first
    descending = [r.code for r in _rows(client, people["reviewer"], round_2021, "-final").context["rows"]]
    assert descending.index(first.department.code) == final.count() - 1  # last of the scored ones
    # Reports without a final score come after every scored one.
    finals = set(final.values_list("department__code", flat=True))
    assert all(code in finals for code in descending[: len(finals)])


def test_summary_workbook_ranks_by_final_score_ties_sharing_a_rank(people, round_2021):
    final = list(Report.objects.filter(round=round_2021, state__in=Report.FINAL_STATES).order_by("department__code"))
    assert len(final) >= 4
    totals = [Decimal("95.00"), Decimal("90.00"), Decimal("95.00")] + [Decimal("70") - i for i in range(len(final) - 3)]
    for report, total in zip(final, totals, strict=True):
        Report.objects.filter(pk=report.pk).update(reviewer_total=total, reviewer_grade="优" if total >= 90 else "中")
    rows = list(summary_rows(round_2021))
    header = rows[0]
    by_code = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    ranked = [(by_code[r.department.code]["审核得分"], by_code[r.department.code]["排名"]) for r in final]
    assert ranked[:3] == [(Decimal("95.00"), 1), (Decimal("90.00"), 3), (Decimal("95.00"), 1)]
    assert [rank for _score, rank in ranked[3:]] == list(range(4, len(final) + 1))
    assert by_code[final[0].department.code]["审核等级"] == "优"
    # Not approved: no final score, no rank.
    assert (by_code["101001"]["审核得分"], by_code["101001"]["排名"]) == (None, None)
    assert header.index("审核得分") == header.index("自评得分") + 1

    ws = openpyxl.load_workbook(io.BytesIO(round_summary_workbook(round_2021))).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    column = values[0].index("排名")
    codes = [row[0] for row in values]
    assert values[codes.index(final[1].department.code)][column] == 3
    assert values[codes.index(final[1].department.code)][values[0].index("审核得分")] == 90
