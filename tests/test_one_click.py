"""The report bar: the PDF in one click, and the Excel import linked for those who may import."""

import pytest
from django.urls import reverse

from reports.models import ReportRender


@pytest.mark.django_db
def test_the_bar_links_the_import_and_posts_for_the_pdf(client, personas, seed_report):
    client.force_login(personas["accountant_a"])
    html = client.get(reverse("report", args=[seed_report.pk])).content.decode()
    assert f'href="{reverse("xlsx:report_import", args=[seed_report.pk])}"' in html
    assert f'action="{reverse("pdf:request", args=[seed_report.pk])}"' in html and 'id="pdf-button"' in html
    # The reviewer cannot import into a department's report: no link, but the PDF button.
    client.force_login(personas["reviewer"])
    html = client.get(reverse("report", args=[seed_report.pk])).content.decode()
    assert "xlsx-import" not in html and 'id="pdf-button"' in html


def test_a_pdf_ready_at_once_is_the_download_itself(
    transactional_db, client, personas, seed_report, settings, tmp_path
):
    # Tasks run inline (the immediate backend) once the request commits: the answer is the file.
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(personas["accountant_a"])
    response = client.post(reverse("pdf:request", args=[seed_report.pk]), {"part": "table"})
    render = ReportRender.objects.get(report=seed_report)
    assert render.status == "done"
    assert response.status_code == 302 and response["Location"] == reverse("pdf:file", args=[seed_report.pk, render.pk])
    pdf = client.get(response["Location"])
    assert pdf["Content-Type"] == "application/pdf" and pdf["Content-Disposition"].startswith("attachment;")
    assert b"".join(pdf.streaming_content if pdf.streaming else [pdf.content]).startswith(b"%PDF")


@pytest.mark.django_db
def test_a_queued_pdf_goes_to_the_status_page_that_downloads_it(client, personas, seed_report):
    waiting = ReportRender.objects.create(report=seed_report, part="both", requested_by=personas["accountant_a"])
    client.force_login(personas["accountant_a"])
    response = client.post(reverse("pdf:request", args=[seed_report.pk]), {"part": "both"})
    assert response["Location"] == reverse("pdf:status", args=[seed_report.pk, waiting.pk]) + "?download=1"
    page = client.get(response["Location"]).content.decode()
    assert "data-download" in page and reverse("report", args=[seed_report.pk]) in page
    plain = client.get(reverse("pdf:status", args=[seed_report.pk, waiting.pk])).content.decode()
    assert "data-download" not in plain
