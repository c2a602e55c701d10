"""Word-level diffs in the history: the helper, the history page and the review timeline."""

import pytest
from django.urls import reverse

from reports.models import Report
from reports.services import editing
from reports.web import textdiff
from reports.web.report.forms import ReportForm
from reports.web.textdiff import text_diff
from tests.test_form_helpers import form_data, login


def test_numbers_and_words_change_whole_chinese_by_character():
    d = text_diff("预算批复资金 4774760.72 万元，执行率 94.5%", "预算下达资金 477.48 万元，执行率 94.5%")
    assert ("del", "批复") in d.old and ("ins", "下达") in d.new
    assert ("del", "4774760.72") in d.old and ("ins", "477.48") in d.new
    assert "".join(t for op, t in d.old if op != "ins") == "预算批复资金 4774760.72 万元，执行率 94.5%"
    english = text_diff("the budget was spent", "the budget was fully spent")
    assert english.new == [("", "the budget was "), ("ins", "fully "), ("", "spent")]
    assert {op for op, _ in english.old} == {""}


def test_long_texts_are_cut_around_the_change():
    old = "甲" * 500 + "原文" + "乙" * 500
    new = "甲" * 500 + "新文" + "乙" * 500
    d = text_diff(old, new)
    assert d.old == [
        ("", "…" + "甲" * textdiff.CONTEXT),
        ("del", "原"),
        ("", "文" + "乙" * (textdiff.CONTEXT - 1) + "…"),
    ]
    assert sum(len(t) for _, t in d.new) < 2 * textdiff.CONTEXT + 10
    long_insert = text_diff("开头。", "开头。" + "新" * 1000)
    assert len(long_insert.new[-1][1]) == textdiff.CHANGE_MAX + 1


def test_plain_when_marks_would_not_help():
    assert text_diff("", "新") is None
    assert text_diff("30", "20") is None
    assert text_diff("完全不同的一句话", "another text") is None
    assert text_diff("同", "同") is None


@pytest.mark.django_db
def test_history_page_and_review_timeline_show_the_changed_words(client, personas, seed_report):
    accountant = personas["accountant_a"]
    login(client, accountant)
    data = form_data(client, seed_report)
    old = data["narrative_4"]
    assert "4774760.72 万元" in old and len(old) > 1000
    data["narrative_4"] = old.replace("4774760.72 万元", "477.48 万元<b>")
    form = ReportForm(data)
    assert form.is_valid()
    editing.report_save(
        report_id=seed_report.pk, actor=accountant, data=form.data(), expected_version=seed_report.version
    )

    html = client.get(reverse("report_history", args=[seed_report.pk])).content.decode()
    assert "<del>4774760.72</del>" in html
    assert "<ins>477.48</ins>" in html
    assert "&lt;b&gt;</ins>" in html and "<b>" not in html.split("<ins>477.48</ins>", 1)[1][:40]
    # the unchanged rest of the 2,000-character section is cut to its context
    assert "资金管理情况分析" not in html.split("<del>4774760.72</del>", 1)[1].split("</td>", 1)[0]

    Report.objects.filter(pk=seed_report.pk).update(state="submitted")
    login(client, personas["reviewer"])
    review = client.get(reverse("review:report", args=[seed_report.pk])).content.decode()
    assert '<span class="new diff">' in review and "<ins>477.48</ins>" in review
