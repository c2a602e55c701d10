"""PDF render requests are limited per person, counted in the database (so across workers)."""

import pytest
from django.urls import reverse

from reports.models import Report, ReportRender
from reports.pdf import services
from reports.pdf.render import Rendered

pytestmark = pytest.mark.django_db
LIMITED = "生成 PDF 的请求过于频繁"


@pytest.fixture
def fake_render(monkeypatch):
    def render(report_id, *, part="both", final=None, public=False):
        return Rendered(pdf=b"%PDF-1.7\n" + f"{report_id} {part}".encode())

    monkeypatch.setattr(services, "render_pdf", render)


def test_the_eleventh_request_in_a_minute_is_429_and_records_nothing(
    client, personas, seed_report, fake_render, django_capture_on_commit_callbacks
):
    client.force_login(personas["accountant_a"])
    url = reverse("pdf:request", args=[seed_report.pk])
    for _ in range(services.RENDERS_PER_MINUTE):
        with django_capture_on_commit_callbacks(execute=True):  # each one done before the next
            assert client.post(url, {"part": "table"}).status_code == 302
    rows = ReportRender.objects.count()
    assert rows == services.RENDERS_PER_MINUTE
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"part": "table"})
    assert response.status_code == 429
    assert LIMITED in response.content.decode()
    assert ReportRender.objects.count() == rows
    # What was rendered is still served.
    done = ReportRender.objects.filter(requested_by=personas["accountant_a"], status="done").first()
    assert client.get(reverse("pdf:file", args=[seed_report.pk, done.pk])).status_code == 200
    # Someone else is not held up by it.
    client.force_login(personas["reviewer"])
    assert client.post(url, {"part": "table"}).status_code == 302
    assert ReportRender.objects.count() == rows + 1


def test_queued_requests_of_one_person_are_bounded(client, personas, seed_report):
    other = Report.objects.get(department__code="201001")
    client.force_login(personas["reviewer"])
    requests = [(seed_report, "both"), (seed_report, "table"), (seed_report, "narrative")][
        : services.RENDERS_QUEUED_PER_USER
    ]
    for report, part in requests:  # no worker runs: they all stay queued
        assert client.post(reverse("pdf:request", args=[report.pk]), {"part": part}).status_code == 302
    response = client.post(reverse("pdf:request", args=[other.pk]), {"part": "both"})
    assert response.status_code == 429
    assert LIMITED in response.content.decode()
    assert not ReportRender.objects.filter(report=other).exists()
    # Asking again for one already waiting is no new render: it answers with that one.
    again = client.post(reverse("pdf:request", args=[seed_report.pk]), {"part": "both"})
    assert again.status_code == 302
    assert ReportRender.objects.count() == len(requests)
