"""Public pages and the public PDF leave out the filer's phone number and the internal check notes."""

import pytest
from django.test import Client
from django.urls import reverse

from reports.models import Report, ReportArchive, ReportIndicator
from reports.pdf.render import render_pdf
from reports.pdf.services import report_archive_request
from reports.services.scoring import report_score
from tests.pdf.conftest import compact, pdftotext

pytestmark = pytest.mark.django_db

# The demo's published 区文广旅局 (reports.demo.build.variant_document).
NAME = "区文广旅局财务科"
PHONE = "0371-68922060"
COMMENT = "内部复核：佐证材料待补充"
OPINION = "总体审核意见：内部留存"


@pytest.fixture
def published(demo):
    report = Report.objects.select_related("round", "department").get(department__code="206001")
    assert report.state == Report.State.PUBLISHED and report.contact == f"{NAME} {PHONE}"
    ReportIndicator.objects.filter(pk=report.indicators.first().pk).update(review_comment=COMMENT)
    Report.objects.filter(pk=report.pk).update(review_opinion=OPINION)
    return report


def test_public_page_and_json_hide_the_phone_and_the_check_notes(published, personas):
    html = Client().get(reverse("public:report", args=[published.pk])).content.decode()
    assert NAME in html and PHONE not in html and "68922060" not in html
    assert COMMENT not in html and OPINION not in html
    findings = [f.message for f in report_score(published).findings]
    assert findings, "the demo report should have some findings to hide"
    assert [m for m in findings if m in html] == [] and 'class="msg msg-' not in html
    assert "检查结果" not in html

    data = Client().get(reverse("public:report_json", args=[published.pk])).content.decode()
    assert PHONE not in data and f'"contact": "{NAME}"' in data

    # Inside, the reviewer still reads the number.
    client = Client()
    client.force_login(personas["reviewer"])
    inside = client.get(reverse("report", args=[published.pk])).content.decode()
    assert PHONE in inside


def test_the_public_pdf_has_no_phone_number_and_the_download_has(
    published, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report_archive_request(report_id=published.pk)
    assert ReportArchive.objects.filter(report=published).exists()
    response = Client().get(reverse("pdf:archive_latest", args=[published.pk]))
    assert response.status_code == 200
    text = compact(pdftotext(b"".join(response.streaming_content) if response.streaming else response.content))
    assert f"填表人及联系方式：{NAME}" in text
    assert "68922060" not in text and COMMENT not in text and OPINION not in text
    assert [m for m in (compact(f.message) for f in report_score(published).findings) if m in text] == []

    inside = compact(pdftotext(render_pdf(published.pk).pdf))
    assert f"{NAME}{PHONE}" in inside
