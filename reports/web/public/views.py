"""Public pages: published reports by round and department, and one published report, without login.

Only published reports exist here (reports.selectors.public): anything else is a 404
for everyone, logged in or not. The PDF is the archived copy the approval stored
(reports.pdf, URL "pdf:archive_latest"), linked when there is one.
"""

from __future__ import annotations

import hashlib
import json
from itertools import groupby

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from reports.interchange.store import report_to_document
from reports.pdf.signing import pdf_verify
from reports.selectors import public as public_selectors
from reports.selectors.privacy import contact_public
from reports.services.scoring import report_reviewer_total, report_score
from reports.web.public.forms import VerifyForm
from reports.web.review import presenters as review_presenters

# The archived PDF of a published report, served by reports.pdf.
PDF_URL_NAME = "pdf:archive_latest"


def pdf_url(report) -> str:
    if not getattr(report, "has_archive", False):
        return ""
    try:
        return reverse(PDF_URL_NAME, args=[report.pk])
    except NoReverseMatch:
        return ""


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_GET
def index(request):
    rounds = public_selectors.published_rounds()
    departments = public_selectors.published_departments()
    round_id = _int(request.GET.get("round"))
    department_id = _int(request.GET.get("department"))
    reports = public_selectors.published_reports(round_id=round_id, department_id=department_id)
    for report in reports:
        report.pdf_url = pdf_url(report)
        report.grade_key = review_presenters.grade_key(report.grade)
    grouped = [(round_, list(items)) for round_, items in groupby(reports, key=lambda r: r.round)]
    return render(
        request,
        "public/index.html",
        {
            "rounds": rounds,
            "departments": departments,
            "round_id": round_id,
            "department_id": department_id,
            "grouped": grouped,
            "count": len(reports),
        },
    )


def document_json(report) -> bytes:
    """The published report as perfeval.report/1, as approved: the same bytes (and SHA-256) every time.

    The filer's phone number is left out (the contact keeps the name only).
    """
    doc = report_to_document(report)
    doc["header"]["contact"] = contact_public(doc["header"]["contact"])
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


@require_GET
def report_page(request, pk: int):
    report = public_selectors.published_report(pk=pk)
    result = report_score(report)
    document = document_json(report)
    return render(
        request,
        "public/report.html",
        {
            "report": report,
            "public_contact": contact_public(report.contact),
            "result": result,
            "sheet": review_presenters.sheet(
                report,
                result,
                # The final score as stored at approval; the explanation says how it adds up.
                reviewer=review_presenters.reviewer_view(
                    report, report.final_score, report.final_grade, report_reviewer_total(report, result)[2]
                ),
            ),
            "grade_key": review_presenters.grade_key(result.grade),
            "pdf_url": pdf_url(report),
            "archive": report.latest_archive,
            "json_url": reverse("public:report_json", args=[report.pk]),
            "json_sha256": hashlib.sha256(document).hexdigest(),
        },
    )


@require_GET
def report_json(request, pk: int):
    report = public_selectors.published_report(pk=pk)
    response = HttpResponse(document_json(report), content_type="application/json; charset=utf-8")
    filename = f"{report.round.year}年度{report.department.display_name}部门整体绩效自评.json"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
def verify(request):
    """Anyone uploads a PDF and learns whether it is a signed archive of an approved report."""
    # Bound on every POST, even an empty one: the missing file is then an error at the field.
    form = VerifyForm(request.POST, request.FILES) if request.method == "POST" else VerifyForm()
    verdict = None
    if form.is_bound and form.is_valid():
        verdict = pdf_verify(form.data_bytes)
    return render(request, "public/verify.html", {"form": form, "verdict": verdict})
