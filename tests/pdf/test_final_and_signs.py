"""The printed report: the final score (审核得分) of an approved report, and an added row's sign."""

from decimal import Decimal

from reports.models import Report
from reports.pdf.render import render_pdf
from tests.pdf.conftest import compact, pdftotext, table_pages
from tests.review.test_added_row_sign import NAME, add_row


def test_an_added_rows_sign_is_printed(demo):
    add_row(demo)
    table = compact(table_pages(pdftotext(render_pdf(demo.pk, part="table").pdf)))
    assert f"{NAME}≥95%" in table
    assert "审核得分" not in table  # a draft has no final score


def test_the_final_score_is_printed_once_approved(demo):
    published = Report.objects.filter(state="published").order_by("department__code").first()
    Report.objects.filter(pk=published.pk).update(reviewer_total=Decimal("87.65"), reviewer_grade="良")
    text = compact(pdftotext(render_pdf(published.pk).pdf))
    assert "审核得分87.65" in text and "审核等级良" in text
    assert "经财政局审核，审核得分为87.65分，审核等级为“良”。" in text
