"""The reviewer total on the review page and the final score (审核得分) on the public page."""

from __future__ import annotations

import re
from decimal import Decimal as D

from django.urls import reverse

from reports.models import Report
from reports.services.scoring import report_score
from reports.services.workflow import report_transition
from tests.review.test_pages import review_post, review_url, submitted


def _quantitative_row(report):
    result = report_score(Report.objects.get(pk=report.pk))
    pairs = zip(report.indicators.order_by("order"), result.rows, strict=True)
    return next((r, res.score) for r, res in pairs if r.kind == "quantitative" and res.score and res.score > 1)


def _cell(html: str, ident: str) -> str:
    match = re.search(rf'id="{ident}"[^>]*>([^<]*)<', html)
    assert match, ident
    return match.group(1).strip()


def test_review_page_shows_the_reviewer_total_beside_rule_and_self(client, people, seed):
    report = submitted(seed, people)
    client.force_login(people["reviewer"])
    html = client.get(review_url(report)).content.decode()
    rule_total = Report.objects.get(pk=report.pk).rule_total
    # No reviewer score yet: the reviewer total is the rule total.
    assert _cell(html, "bar-reviewer-total") == f"{rule_total:.2f}"
    assert "审核总分" in html

    row, score = _quantitative_row(report)
    assert review_post(client, report, **{f"score-{row.pk}": str(score - D("1.5"))}).status_code == 302
    html = client.get(review_url(report)).content.decode()
    expected = rule_total - D("1.5")
    assert _cell(html, "bar-reviewer-total") == f"{expected:.2f}"
    assert re.search(rf'data-out="reviewer-total">{expected:.2f}<', html)
    assert "1 项采用审核得分" in html
    assert Report.objects.get(pk=report.pk).reviewer_total == expected


def test_public_page_shows_the_final_score(client, people, seed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    report = submitted(seed, people)
    row, score = _quantitative_row(report)
    client.force_login(people["reviewer"])
    response = review_post(client, report, decision="approve", override="测试", **{f"score-{row.pk}": str(score - 1)})
    assert response.status_code == 302
    approved = Report.objects.get(pk=report.pk)
    assert approved.state == "approved"
    assert approved.final_score == approved.rule_total - 1
    html = client.get(review_url(report)).content.decode()
    assert _cell(html, "bar-reviewer-total") == f"{approved.final_score:.2f}"
    report_transition(report=approved, action="publish", actor=people["admin"], expected_version=approved.version)
    client.logout()
    html = client.get(reverse("public:report", args=[report.pk])).content.decode()
    final = re.search(r'id="pub-final">\s*审核得分 <b>([^<]+)</b>', html)
    assert final and final.group(1) == f"{approved.final_score:.2f}"
    assert re.search(rf'data-out="reviewer-total">{approved.final_score:.2f}<', html)


def test_the_queue_shows_and_sorts_by_the_reviewer_total(client, people, seed):
    report = submitted(seed, people)
    client.force_login(people["reviewer"])
    row, score = _quantitative_row(report)
    assert review_post(client, report, **{f"score-{row.pk}": str(score - D("1.5"))}).status_code == 302
    saved = Report.objects.get(pk=report.pk)
    assert saved.reviewer_total == saved.rule_total - D("1.5")
    url = reverse("review:queue") + f"?round={saved.round_id}&sort=-reviewer"
    html = client.get(url).content.decode()
    assert ">审核总分</a>" in html
    rows = re.findall(r'<tr data-department="(\d+)"', html)
    line = html[html.index('<tr data-department="101001"') :].split("</tr>")[0]
    assert f'<td class="num rv-reviewer differs">{saved.reviewer_total}</td>' in line
    # Highest first, the reports without a reviewer total (never submitted) last.
    totals = dict(Report.objects.filter(round=saved.round).values_list("department__code", "reviewer_total"))
    scored = [code for code in rows if totals.get(code) is not None]
    assert rows[: len(scored)] == scored
    assert [totals[c] for c in scored] == sorted((totals[c] for c in scored), reverse=True)
