"""Content-Security-Policy on every page: the app's own files only, no inline script or style."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict(response):
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    for directive in ("default-src", "script-src", "style-src"):
        assert "'unsafe-inline'" not in csp.get(directive, []), directive
        assert "'unsafe-eval'" not in csp.get(directive, []), directive
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    return csp


def test_pages_carry_the_policy(client, personas, seed_report):
    published = seed_report.__class__.objects.get(department__code="206001")
    for url in (reverse("login"), reverse("public:index"), reverse("public:report", args=[published.pk]), "/nope/"):
        assert_strict(client.get(url))
    client.force_login(personas["accountant_a"])
    for url in ("home", "report", "report_submit"):
        assert_strict(client.get(reverse(url, args=[] if url == "home" else [seed_report.pk])))
    client.force_login(personas["admin"])
    for url in (
        reverse("review:report", args=[seed_report.pk]),
        reverse("dashboard:round", args=[seed_report.round_id]),
        reverse("admin:index"),
        reverse("admin:reports_report_change", args=[seed_report.pk]),
    ):
        assert_strict(client.get(url))


def test_the_print_previews_stylesheet_carries_the_requests_nonce(client, personas, seed_report):
    client.force_login(personas["accountant_a"])
    response = client.get(reverse("pdf:print", args=[seed_report.pk]))
    csp = assert_strict(response)
    nonce = re.search(r'<style nonce="([^"]+)">', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in csp["style-src"]
    assert 'style="' not in response.content.decode()  # column widths are classes


def test_no_page_has_inline_styles_or_scripts(client, personas, seed_report):
    published = seed_report.__class__.objects.get(department__code="206001")
    client.force_login(personas["admin"])
    for url in (
        reverse("public:report", args=[published.pk]),
        reverse("home"),
        reverse("report", args=[seed_report.pk]),
        reverse("review:report", args=[seed_report.pk]),
        reverse("dashboard:round", args=[seed_report.round_id]),
        reverse("dashboard:reports", args=[seed_report.round_id]),
        reverse("xlsx:import"),
        reverse("report_history", args=[seed_report.pk]),
        reverse("report_submit", args=[seed_report.pk]),
        reverse("review:queue"),
        reverse("dashboard:index"),
        reverse("public:index"),
        reverse("password_change"),
        "/nope/",
    ):
        html = client.get(url).content.decode()
        assert 'style="' not in html, url
        assert "<style" not in html, url
        # Data blocks (json_script) are not run, so CSP does not apply to them.
        assert not re.search(r'<script(?![^>]*\b(?:src=|type="application/json"))', html), url
