"""The round dashboard on the demo: who may see it, its counts, charts, table, findings and years.

The demo's prior-year round (reports.demo.history) is tested here too: it shares the loaded data.
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import Template
from reports.demo.build import ROUND_NAME
from reports.demo.history import HISTORY_ROUND_NAME, load_history
from reports.models import Report, ReportEvent, Round
from reports.web.dashboard import selectors

pytestmark = pytest.mark.django_db

D = Decimal


def _get(client, user, url, **params):
    if user is not None:
        client.force_login(user)
    return client.get(url, params)


# ------------------------------------------------------------------------------ who may see it


ROLES = [("anonymous", 302), ("accountant", 403), ("reviewer", 200), ("assigned", 200), ("admin", 200)]
# The PDF is rendered for the reviewer in test_pdf; here only who is turned away.
CASES = [(name, who, code) for name in ("index", "round", "reports") for who, code in ROLES] + [
    ("pdf", "anonymous", 302),
    ("pdf", "accountant", 403),
]


@pytest.mark.parametrize(("name", "who", "expected"), CASES)
def test_every_page_by_role(client, people, round_2021, name, who, expected):
    url = reverse(f"dashboard:{name}") if name == "index" else reverse(f"dashboard:{name}", args=[round_2021.pk])
    response = _get(client, people.get(who), url)
    assert response.status_code == expected
    if who == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_unknown_round_is_404(client, people):
    assert _get(client, people["reviewer"], reverse("dashboard:round", args=[999999])).status_code == 404


def test_top_bar_links_bureau_users_to_the_dashboard(client, people):
    link = f'href="{reverse("dashboard:index")}"'
    assert link in _get(client, people["reviewer"], reverse("home")).content.decode()
    assert link in _get(client, people["admin"], reverse("home")).content.decode()
    assert link not in _get(client, people["accountant"], reverse("home")).content.decode()


# ------------------------------------------------------------------------------ counts and charts


def test_counts_by_state_with_overdue(client, people, round_2021):
    response = _get(client, people["reviewer"], reverse("dashboard:round", args=[round_2021.pk]))
    summary = response.context["summary"]
    assert summary.reports == 9
    assert summary.states == {"draft": 2, "returned": 1, "submitted": 2, "approved": 2, "published": 2}
    # The deadline (2022-03-31) has passed: the two drafts and the returned report are overdue.
    assert summary.deadline_passed and summary.overdue == 3
    cards = {c.key: c for c in response.context["cards"]}
    assert cards["overdue"].value == 3 and cards["all"].value == 9
    html = response.content.decode()
    assert 'data-card="overdue"' in html and "逾期未送审" in html


def test_nothing_is_overdue_before_the_deadline(people, round_2021):
    summary = selectors.round_summary(user=people["reviewer"], round_=round_2021, today=round_2021.deadline)
    assert summary.overdue == 0 and not summary.deadline_passed


def test_grade_chart_and_histogram(client, people, round_2021):
    response = _get(client, people["reviewer"], reverse("dashboard:round", args=[round_2021.pk]))
    grades = response.context["grade_chart"]
    assert [(b.label, b.value) for b in grades.bars] == [("优", 5), ("良", 2), ("中", 1), ("差", 1)]
    histogram = response.context["histogram"]
    counts = {b.label: b.value for b in histogram.bars}
    assert len(histogram.bars) == 10
    assert counts == {"0": 0, "10": 0, "20": 0, "30": 0, "40": 0, "50": 1, "60": 0, "70": 1, "80": 2, "90": 5}
    html = response.content.decode()
    # Drawn as inline SVG, every non-empty bar a link to the reports behind it.
    assert html.count('<rect class="bar"') == 4 + 10 + 5  # grades, bins, state segments
    list_url = reverse("dashboard:reports", args=[round_2021.pk])
    assert f'href="{list_url}?grade=%E4%BC%98"' in html
    assert f'href="{list_url}?bin=90"' in html
    assert f'href="{list_url}?bin=60"' not in html  # an empty bin links nowhere
    # A chart with links is a group, not an image: an image's links are hidden from screen readers.
    charts = re.findall(r'<svg class="chart chart-(\w+)"[^>]* role="(\w+)"', html)
    assert sorted(charts) == [("grades", "group"), ("states", "group"), ("totals", "group")]
    assert "<script" not in html.split("<main>")[1]


@pytest.mark.parametrize(
    ("params", "departments"),
    [
        ({"grade": "优"}, ["101001", "201001", "204001", "206001", "207001"]),
        ({"grade": "差"}, ["208001"]),
        ({"state": "draft"}, ["101001", "208001"]),
        ({"overdue": "1"}, ["101001", "203001", "208001"]),
        ({"bin": "80"}, ["202001", "205001"]),
        ({"bin": "50"}, ["208001"]),
        ({"state": "approved", "grade": "良"}, ["205001"]),
        ({"finding": "narrative.unit_yuan"}, ["101001"]),
        ({"finding": "no.such.code"}, []),
    ],
)
def test_the_reports_behind_a_figure(client, people, round_2021, params, departments):
    response = _get(client, people["reviewer"], reverse("dashboard:reports", args=[round_2021.pk]), **params)
    assert response.status_code == 200
    assert [r.code for r in response.context["rows"]] == departments
    assert response.context["count"] == len(departments)
    html = response.content.decode()
    for row in response.context["rows"]:
        assert f'href="/reports/{row.pk}/"' in html


def test_the_reports_behind_a_finding_show_how_often(client, people, round_2021):
    response = _get(
        client, people["reviewer"], reverse("dashboard:reports", args=[round_2021.pk]), finding="narrative.unit_yuan"
    )
    [row] = response.context["rows"]
    assert row.hits == 4
    assert len(row.details) == 4 and all(where and message for where, message in row.details)
    assert "报告中以“万元”写出的金额是表中金额的一万倍" in response.content.decode()


@pytest.mark.parametrize("params", [{"state": "lost"}, {"grade": "A"}, {"bin": "85"}, {"bin": "x"}])
def test_a_filter_that_makes_no_sense_is_400(client, people, round_2021, params):
    response = _get(client, people["reviewer"], reverse("dashboard:reports", args=[round_2021.pk]), **params)
    assert response.status_code == 400


# ------------------------------------------------------------------------------ the table


def _codes(client, user, round_, sort):
    response = _get(client, user, reverse("dashboard:round", args=[round_.pk]), sort=sort)
    return [r.code for r in response.context["rows"]]


@pytest.mark.parametrize(
    ("sort", "first", "last"),
    [
        ("", "101001", "208001"),
        ("-dept", "208001", "101001"),
        ("-rule", "206001", "208001"),
        ("rule", "208001", "206001"),
        ("-self", "206001", "208001"),
        ("-exec", "206001", "208001"),
        ("l1-1", "208001", "206001"),  # 产出指标: 8.78 first; the 30.00s last, by code
        ("-l1-1", "101001", "208001"),
        ("grade", "206001", "208001"),  # 优 first, the highest total first within it
        ("-grade", "208001", "206001"),
        ("-findings", "101001", "208001"),  # 8 errors
        ("state", "101001", "207001"),  # draft first, published last
        ("nonsense", "101001", "208001"),
    ],
)
def test_sort_by_any_column(client, people, round_2021, sort, first, last):
    codes = _codes(client, people["reviewer"], round_2021, sort)
    assert len(codes) == 9
    assert (codes[0], codes[-1]) == (first, last)


def test_table_shows_level1_scores_totals_grade_findings(client, people, round_2021):
    response = _get(client, people["reviewer"], reverse("dashboard:round", args=[round_2021.pk]))
    headers = [(h.key, h.label, h.note) for h in response.context["headers"]]
    assert headers[2:6] == [
        ("exec", "预算执行率", "10.00"),
        ("l1-0", "投入管理指标", "40.00"),
        ("l1-1", "产出指标", "30.00"),
        ("l1-2", "效益指标", "20.00"),
    ]
    seed = next(r for r in response.context["rows"] if r.code == "101001")
    assert [c.text for c in seed.level1] == ["39.99", "30.00", "20.00"]
    assert (seed.self_total, seed.rule_total, seed.grade) == ("99.34", "99.44", "优")
    assert (seed.errors, seed.warnings) == ("8", "23")
    html = response.content.decode()
    assert 'aria-sort="ascending"' in html  # the default sort, by department
    assert f'href="/reports/{seed.pk}/"' in html


def test_year_over_year(client, people, round_2021):
    response = _get(client, people["reviewer"], reverse("dashboard:round", args=[round_2021.pk]))
    rows = {r.code: r for r in response.context["rows"]}
    totals_2020 = dict(Report.objects.filter(round__year=2020).values_list("department__code", "rule_total"))
    assert len(totals_2020) == 9
    for code, row in rows.items():
        [past] = row.past
        assert past.year == "2020" and past.total == f"{totals_2020[code]:f}"
        now = Report.objects.get(round=round_2021, department__code=code).rule_total
        change = now - totals_2020[code]
        assert row.trend == ("up" if change > 0 else "down" if change < 0 else "same")
        assert row.delta == f"{abs(change):f}"
    assert {r.trend for r in rows.values()} >= {"up", "down"}
    # sorted by the change: the biggest fall first
    by_change = _codes(client, people["reviewer"], round_2021, "delta")
    changes = [Report.objects.get(round=round_2021, department__code=c).rule_total - totals_2020[c] for c in by_change]
    assert changes == sorted(changes)
    averages = response.context["averages"]
    assert [a["year"] for a in averages] == [2020, 2021]


def test_frequent_findings_with_their_descriptions(client, people, round_2021):
    response = _get(client, people["reviewer"], reverse("dashboard:round", args=[round_2021.pk]))
    findings = {f.code: f for f in response.context["findings"]}
    ambiguous = findings["target.ambiguous"]
    assert (ambiguous.reports, ambiguous.occurrences) == (9, 27)
    assert ambiguous.description == "指标值写作“=”，应明确是等于还是不低于"
    assert findings["narrative.unit_yuan"].description.startswith("报告中以“万元”写出的金额")
    assert "template.weight_moved" not in findings  # information, not a problem
    order = [f.reports for f in response.context["findings"]]
    assert order == sorted(order, reverse=True)
    html = response.content.decode()
    list_url = reverse("dashboard:reports", args=[round_2021.pk])
    assert f'href="{list_url}?finding=target.ambiguous"' in html


# ------------------------------------------------------------------------------ scope


def test_a_reviewer_assigned_to_one_department_sees_only_it(client, people, round_2021):
    response = _get(client, people["assigned"], reverse("dashboard:round", args=[round_2021.pk]))
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary.reports == 1 and summary.states["submitted"] == 1
    assert sum(summary.grades.values()) == 1
    assert [r.code for r in response.context["rows"]] == ["201001"]
    assert all(f.reports == 1 for f in response.context["findings"])
    assert "narrative.unit_yuan" not in {f.code for f in response.context["findings"]}
    html = response.content.decode()
    assert "区卫健委" not in html and "社治委" not in html
    listed = _get(client, people["assigned"], reverse("dashboard:reports", args=[round_2021.pk]), grade="优")
    assert [r.code for r in listed.context["rows"]] == ["201001"]
    index = _get(client, people["assigned"], reverse("dashboard:index"))
    assert {r.year: r.n_reports for r in index.context["rounds"]} == {2021: 1, 2020: 1}


def test_departments_without_a_report_are_counted_and_overdue(client, people, round_2021):
    from departments.models import Department

    late = Department.objects.create(code="299001", name="上街区统计局", short_name="区统计局")
    round_2021.departments.add(late)
    response = _get(client, people["reviewer"], reverse("dashboard:round", args=[round_2021.pk]))
    summary = response.context["summary"]
    assert [d["code"] for d in summary.not_started] == ["299001"]
    assert summary.participants == 10 and summary.overdue == 4
    assert 'id="not-started"' in response.content.decode()
    assert "区统计局" in response.content.decode()


# ------------------------------------------------------------------------------ downloads


def test_downloads_are_linked(client, people, round_2021):
    from django.urls import NoReverseMatch

    html = _get(client, people["reviewer"], reverse("dashboard:round", args=[round_2021.pk])).content.decode()
    assert f'href="{reverse("dashboard:pdf", args=[round_2021.pk])}" data-download="pdf"' in html
    try:
        workbook = reverse("xlsx:round_summary", args=[round_2021.pk])
    except NoReverseMatch:  # reports/xlsx not there yet: the button is shown disabled
        assert 'data-download="workbook" aria-disabled="true"' in html
    else:
        assert f'href="{workbook}" data-download="workbook"' in html


# ------------------------------------------------------------------------------ the PDF


def test_pdf(client, people, round_2021, caplog):
    """The dashboard as a PDF: counts, both charts, the table and the findings; not one WeasyPrint warning."""
    caplog.set_level(logging.WARNING)
    response = _get(client, people["reviewer"], reverse("dashboard:pdf", args=[round_2021.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response.content.startswith(b"%PDF")
    weasy = [r.getMessage() for r in caplog.records if r.name.startswith(("weasyprint", "fontTools"))]
    assert weasy == []
    text = _pdf_text(response.content)
    expected = ("评价等级分布", "规则得分分布", "部门一览", "常见问题", "逾期未送审", "区教育局", "区司法局", "99.44")
    for words in expected:
        assert words in text, words


def test_pdf_renderer_hands_back_weasyprint_warnings():
    from reports.web.dashboard import pdf

    # A glyph no installed font has would make WeasyPrint warn; the renderer hands warnings back.
    with pdf._weasyprint_warnings() as warnings:
        logging.getLogger("weasyprint").warning("No glyph for %s", "X")
    assert warnings == ["No glyph for X"]


def _pdf_text(data: bytes) -> str:
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return re.sub(r"[ \t]+", " ", out.stdout.decode())


# ------------------------------------------------------------------------------ the demo's prior year


def test_a_closed_2020_round_with_nine_published_reports(people):
    round_2020 = Round.objects.get(name=HISTORY_ROUND_NAME)
    round_2021 = Round.objects.get(name=ROUND_NAME)
    assert (round_2020.year, round_2020.is_open) == (2020, False)
    assert set(round_2020.departments.all()) == set(round_2021.departments.all())
    # A copy of the 2021 template for 2020, with the same indicators.
    assert round_2020.template_id != round_2021.template_id
    assert round_2020.template.year == 2020
    assert list(round_2020.template.indicators.values_list("level3", flat=True)) == list(
        round_2021.template.indicators.values_list("level3", flat=True)
    )
    reports = Report.objects.filter(round=round_2020)
    assert reports.count() == 9
    assert set(reports.values_list("state", flat=True)) == {"published"}
    assert all(r.published_at and r.rule_total is not None and r.grade for r in reports)
    for report in reports:
        assert list(
            ReportEvent.objects.filter(report=report, kind="transition").values_list("to_state", flat=True)
        ) == ["submitted", "approved", "published"]


def test_2020_figures_differ_from_2021_both_ways(people):
    totals = {
        (code, year): total
        for code, year, total in Report.objects.values_list("department__code", "round__year", "rule_total")
    }
    codes = {code for code, _year in totals}
    changes = [totals[(c, 2021)] - totals[(c, 2020)] for c in codes]
    assert any(c > 0 for c in changes) and any(c < 0 for c in changes)


def test_load_history_is_idempotent(people):
    counts = (Round.objects.count(), Report.objects.count(), ReportEvent.objects.count(), Template.objects.count())
    load_history()
    assert (
        Round.objects.count(),
        Report.objects.count(),
        ReportEvent.objects.count(),
        Template.objects.count(),
    ) == counts


def test_the_2021_round_still_has_nine_reports(people):
    # tests/test_demo.py counts the seed's round; the history lives in a round of its own.
    assert Report.objects.filter(round__name=ROUND_NAME).count() == 9
