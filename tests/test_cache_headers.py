"""Nothing shown to a signed-in person is kept by a browser or a proxy cache; public pages may be."""

import pytest
from django.urls import reverse

from reports.models import Report, ReportRender
from reports.pdf.archive import report_archive_create

pytestmark = pytest.mark.django_db
NO_STORE = "private, no-store"


@pytest.fixture
def urls(demo, personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    published = Report.objects.get(department__code="206001")
    report_archive_create(report=published, pdf=b"%PDF-1.7 cache test\n", actor=None)
    seed = demo
    render = ReportRender.objects.create(report=seed, part="both")
    return {
        "accountant_a": [
            ("get", reverse("home")),
            ("get", reverse("report", args=[seed.pk])),
            ("post", reverse("report_score", args=[seed.pk])),  # JSON
            ("get", reverse("report_submit", args=[seed.pk])),
            ("get", reverse("report_history", args=[seed.pk])),
            ("get", reverse("pdf:print", args=[seed.pk])),
            ("get", reverse("pdf:status", args=[seed.pk, render.pk]) + "?format=json"),
            ("get", reverse("xlsx:report_export", args=[seed.pk])),
            ("get", reverse("password_change")),
            ("get", reverse("public:index")),
            ("get", "/no-such-page/"),
        ],
        "reviewer": [
            ("get", reverse("review:queue")),
            ("get", reverse("review:report", args=[seed.pk])),
            ("get", reverse("dashboard:index")),
            ("get", reverse("dashboard:round", args=[seed.round_id])),
            ("get", reverse("xlsx:round_summary", args=[seed.round_id])),
            ("get", reverse("xlsx:round_summary_csv", args=[seed.round_id])),
            ("get", reverse("pdf:archive_latest", args=[published.pk])),  # a PDF
            ("get", reverse("public:report", args=[published.pk])),
        ],
        "admin": [
            ("get", reverse("admin:index")),
            ("get", reverse("admin:reports_report_changelist")),
            ("get", reverse("admin:reports_report_change", args=[seed.pk])),
            ("get", reverse("review:report", args=[published.pk])),
        ],
    }


@pytest.mark.parametrize("who", ["accountant_a", "reviewer", "admin"])
def test_every_response_to_a_signed_in_person_is_private_and_not_stored(client, personas, urls, who):
    client.force_login(personas[who])
    for method, url in urls[who]:
        response = getattr(client, method)(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        assert response["Cache-Control"] == NO_STORE, (url, response.get("Cache-Control"))


def test_public_pages_for_anonymous_visitors_are_not_marked_private(client, urls):
    published = Report.objects.get(department__code="206001")
    for url in (reverse("public:index"), reverse("public:report", args=[published.pk])):
        response = client.get(url)
        assert response.status_code == 200
        cache_control = response.get("Cache-Control", "")
        assert "no-store" not in cache_control and "private" not in cache_control
