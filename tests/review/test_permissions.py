"""Every URL that takes a report (or round) pk or is the bureau's, for every persona: the status each gets.

One row of TABLE per (URL name, method, set-up): the statuses of anonymous, the
accountant of A (the seed's department), the accountant of B, a reviewer and an admin.
"login" is a redirect to the login page; 302 any other redirect (a form that did its
work). A known gap (`known`) makes its row xfail, and only when that persona alone is
wrong. `test_every_report_url_is_in_the_table` fails when a URL is added without a row.

Read from the code: another department's report is a 404, a missing right a 403;
reviewers see every department's report but never edit it; the bureau's pages are the
bureau's; the public pages show published reports only, to everyone.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from weasyprint import HTML

from reports.interchange.store import budget_lines
from reports.models import (
    Evidence,
    MonitoringPoint,
    RectificationItem,
    Report,
    ReportIndicator,
    ReportRender,
    TargetAdjustment,
    TargetDeclaration,
)
from reports.pdf import signing
from reports.pdf.archive import report_archive_create
from reports.web.report.forms import ReportForm, form_initial
from tests.review.conftest import PERSONAS

LOGIN = "login"
ANY_USER = dict.fromkeys(PERSONAS, 200)
NOBODY = dict.fromkeys(PERSONAS, 404)


def statuses(anonymous, accountant_a, accountant_b, reviewer, admin) -> dict:
    return dict(zip(PERSONAS, (anonymous, accountant_a, accountant_b, reviewer, admin), strict=True))


@dataclass
class Ctx:
    """What a row's set-up works on; `kwargs` and `data` are built from it."""

    seed: Report  # the accountant of A's department's report
    published: Report  # a demo report of another department, published
    people: dict
    media: object


def seed_pk(c: Ctx) -> dict:
    return {"pk": c.seed.pk}


def published_pk(c: Ctx) -> dict:
    return {"pk": c.published.pk}


def round_department(c: Ctx) -> dict:
    return {"round_pk": c.seed.round_id, "department_pk": c.seed.department_id}


def round_pk(c: Ctx) -> dict:
    return {"pk": c.seed.round_id}


def no_data(c: Ctx) -> dict:
    return {}


def monitoring_point(c: Ctx) -> dict:
    return {"pk": MonitoringPoint.objects.get(round_id=c.seed.round_id).pk}


def monitoring_entry(c: Ctx) -> dict:
    return {**monitoring_point(c), "report_pk": c.seed.pk}


def monitoring_form(c: Ctx) -> dict:
    """The entry form with a budget figure and one row's actual to date."""
    row = ReportIndicator.objects.get(report=c.seed, level3="服务社区数量")
    return {"budget_executed": "200", f"actual-{row.pk}": "20个"}


@dataclass(frozen=True)
class Row:
    id: str
    name: str  # URL name
    expect: dict
    method: str = "get"
    kwargs: Callable[[Ctx], dict] = seed_pk
    state: str | None = None  # the seed's state first (errors cleared, so only rights decide)
    data: Callable[[Ctx], dict] = no_data
    # persona -> why the code does not yet do what the row expects (the test is marked xfail)
    known: tuple[tuple[str, str], ...] = ()


def report_form(c: Ctx) -> dict:
    """The report page's form, unchanged, as the browser would post it."""
    report = Report.objects.prefetch_related("tasks", "indicators").select_related("round").get(pk=c.seed.pk)
    return dict(ReportForm(initial=form_initial(report, budget_lines(report))).raw)


def review_form(c: Ctx) -> dict:
    return {"opinion": "请核对预算执行率。", "version": Report.objects.get(pk=c.seed.pk).version}


def with_render(c: Ctx) -> dict:
    """A finished download render of the seed, its file in MEDIA_ROOT."""
    path = c.media / "renders" / "perm.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4 permission test\n")
    render = ReportRender.objects.create(
        report=c.seed, part="both", status=ReportRender.Status.DONE, file="renders/perm.pdf"
    )
    return {"pk": c.seed.pk, "render_id": render.pk}


def with_evidence(c: Ctx) -> dict:
    """A PDF of the seed's first row, its file in MEDIA_ROOT."""
    path = c.media / "evidence" / "perm.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4 evidence permission test\n")
    row = c.seed.indicators.order_by("order", "pk").first()
    item = Evidence.objects.create(
        report=c.seed,
        indicator=row,
        file="evidence/perm.pdf",
        original_name="会议纪要.pdf",
        content_type="application/pdf",
        size=path.stat().st_size,
        sha256="0" * 64,
    )
    return {"pk": c.seed.pk, "evidence_pk": item.pk}


def evidence_upload(c: Ctx) -> dict:
    return {"file": SimpleUploadedFile("scan.pdf", b"%PDF-1.4 upload permission test\n", "application/pdf")}


def seed_row(c: Ctx) -> dict:
    return {"pk": c.seed.pk, "row_pk": c.seed.indicators.order_by("order", "pk").first().pk}


def archived(report_of: Callable[[Ctx], Report], state: str, *, evidence: bool = False):
    def make(c: Ctx) -> dict:
        report = report_of(c)
        Report.objects.filter(pk=report.pk).update(state=state)
        # Archives are written once, named by their hash: each test's copy differs.
        bundle = f"PK evidence {uuid.uuid4()}".encode() if evidence else None
        report_archive_create(report=report, pdf=f"%PDF-1.4 {uuid.uuid4()}\n".encode(), actor=None, evidence_zip=bundle)
        return {"pk": report.pk}

    return make


def signed_archive(report_of: Callable[[Ctx], Report], state: str):
    """As `archived`, the PDF signed with a development certificate as approval signs it."""

    def make(c: Ctx) -> dict:
        report = report_of(c)
        Report.objects.filter(pk=report.pk).update(state=state)
        certificate = signing.signing_certificate_create(credentials=signing.dev_credentials(), development=True)
        pdf = HTML(string=f"<p>{uuid.uuid4()}</p>").write_pdf()
        signed = signing.pdf_sign(pdf, certificate)
        report_archive_create(report=report, pdf=signed, certificate=certificate, signed_at=timezone.now())
        return {"pk": report.pk}

    return make


def rectification_item(state: str = "open", of_published: bool = False):
    """An item (on the seed, or on the other department's published report) under the seed's URL."""

    def make(c: Ctx) -> dict:
        report = c.published if of_published else c.seed
        item = RectificationItem.objects.create(
            report=report, text="请说明预算执行率偏低的原因。", issued_by=c.people["reviewer"], state=state
        )
        return {"pk": c.seed.pk, "item_pk": item.pk}

    return make


def targets_in(state: str, **extra):
    """The seed's target declaration put in `state` (the demo approved it); extra adds kwargs."""

    def make(c: Ctx) -> dict:
        TargetDeclaration.objects.filter(report=c.seed).update(state=state)
        return {"pk": c.seed.pk, **{k: f(c) for k, f in extra.items()}}

    return make


def community_row(c: Ctx) -> int:
    return ReportIndicator.objects.get(report=c.seed, level3="服务社区数量").pk


def pending_adjustment(c: Ctx) -> int:
    row = ReportIndicator.objects.get(pk=community_row(c))
    return TargetAdjustment.objects.create(
        report=c.seed,
        indicator=row,
        level3=row.level3,
        old_sign=row.sign,
        old_target_text=row.target_text,
        old_unit=row.unit,
        sign=">=",
        target_text="≥45个",
        unit="个",
        reason="扩大服务范围",
        requested_by=c.people["accountant_a"],
    ).pk


def targets_form(c: Ctx) -> dict:
    """The declaration page's form, unchanged but for one target."""
    rows = list(ReportIndicator.objects.filter(report=c.seed).order_by("order", "pk"))
    data = {"version": TargetDeclaration.objects.get(report=c.seed).version, "ind-TOTAL_FORMS": len(rows)}
    for i, row in enumerate(rows):
        data.update({f"ind-{i}-id": row.pk, f"ind-{i}-sign": row.sign, f"ind-{i}-unit": row.unit})
        data[f"ind-{i}-target_text"] = "≥43个城市社区" if row.level3 == "服务社区数量" else row.target_text
    return data


# Known gaps go in a row's `known` (persona, reason): the row xfails while they show, and
# passes once fixed (not strict: fixing one must not break the suite). None at present.

TABLE = [
    # ---------------------------------------------------------------- the review pages (this package's)
    Row("queue", "review:queue", statuses(LOGIN, 403, 403, 200, 200), kwargs=lambda c: {}),
    Row("review page", "review:report", statuses(LOGIN, 403, 403, 200, 200), state="submitted"),
    Row("review page, draft", "review:report", statuses(LOGIN, 403, 403, 200, 200)),
    Row("review save", "review:save", statuses(LOGIN, 403, 403, 302, 302), "post", state="submitted", data=review_form),
    Row("review save by GET", "review:save", statuses(LOGIN, 405, 405, 405, 405), state="submitted"),
    Row(
        "publish",
        "review:transition",
        statuses(LOGIN, 403, 403, 403, 302),
        "post",
        state="approved",
        data=lambda c: {"action": "publish", "version": Report.objects.get(pk=c.seed.pk).version},
    ),
    Row(
        "bulk publish",
        "review:bulk_publish",
        statuses(LOGIN, 403, 403, 403, 302),
        "post",
        kwargs=lambda c: {},
        state="approved",
        data=lambda c: {"report": c.seed.pk, f"version-{c.seed.pk}": Report.objects.get(pk=c.seed.pk).version},
    ),
    Row("bulk publish by GET", "review:bulk_publish", statuses(LOGIN, 405, 405, 405, 405), kwargs=lambda c: {}),
    Row(
        "reopen",
        "review:transition",
        statuses(LOGIN, 403, 403, 403, 302),
        "post",
        state="published",
        data=lambda c: {
            "action": "reopen",
            "reason": "公开后发现执行数有误",
            "version": Report.objects.get(pk=c.seed.pk).version,
        },
    ),
    Row(
        "evidence missing mark",
        "review:evidence_missing",
        statuses(LOGIN, 403, 403, 302, 302),
        "post",
        state="submitted",
        kwargs=seed_row,
        data=lambda c: {**review_form(c), "missing": "1"},
    ),
    Row(
        "evidence missing mark by GET",
        "review:evidence_missing",
        statuses(LOGIN, 405, 405, 405, 405),
        state="submitted",
        kwargs=seed_row,
    ),
    Row(
        "rectification issue",
        "review:rectification_issue",
        statuses(LOGIN, 403, 403, 302, 302),
        "post",
        state="returned",
        data=lambda c: {"text": "请说明预算执行率偏低的原因。"},
    ),
    # A draft is not for rectification: the bureau's form comes back with why.
    Row(
        "rectification issue, draft",
        "review:rectification_issue",
        statuses(LOGIN, 403, 403, 400, 400),
        "post",
        data=lambda c: {"text": "请说明预算执行率偏低的原因。"},
    ),
    Row("rectification issue by GET", "review:rectification_issue", statuses(LOGIN, 405, 405, 405, 405)),
    Row(
        "rectification close",
        "review:rectification_decide",
        statuses(LOGIN, 403, 403, 302, 302),
        "post",
        kwargs=rectification_item("answered"),
        data=lambda c: {"action": "close"},
    ),
    Row(
        "rectification close, another report's item",
        "review:rectification_decide",
        statuses(LOGIN, 403, 403, 404, 404),
        "post",
        kwargs=rectification_item("answered", of_published=True),
        data=lambda c: {"action": "close"},
    ),
    # ---------------------------------------------------------------- public pages
    Row("public index", "public:index", ANY_USER, kwargs=lambda c: {}),
    Row("public report", "public:report", ANY_USER, kwargs=published_pk),
    Row("public report, unpublished", "public:report", NOBODY),
    Row("public report, approved", "public:report", NOBODY, state="approved"),
    Row("public report json", "public:report_json", ANY_USER, kwargs=published_pk),
    Row("public report json, unpublished", "public:report_json", NOBODY),
    Row("public report json, approved", "public:report_json", NOBODY, state="approved"),
    Row("verify page", "public:verify", ANY_USER, kwargs=lambda c: {}),
    # An empty upload: the form comes back with the error at the field, for anyone.
    Row("verify a pdf", "public:verify", ANY_USER, "post", kwargs=lambda c: {}),
    # ---------------------------------------------------------------- the department's report page (reports/urls.py)
    Row("report page", "report", statuses(LOGIN, 200, 404, 200, 200)),
    Row("live score", "report_score", statuses(LOGIN, 200, 404, 403, 403), "post", data=report_form),
    Row("save", "report_save", statuses(LOGIN, 302, 404, 403, 403), "post", data=report_form),
    Row("submit page", "report_submit", statuses(LOGIN, 200, 404, 403, 403)),
    Row(
        "submit",
        "report_submit",
        statuses(LOGIN, 302, 404, 403, 403),
        "post",
        data=lambda c: {"version": Report.objects.get(pk=c.seed.pk).version},
    ),
    Row("history", "report_history", statuses(LOGIN, 200, 404, 200, 200)),
    Row(
        "rectification answer",
        "rectification_answer",
        statuses(LOGIN, 302, 404, 403, 403),
        "post",
        kwargs=rectification_item(),
        data=lambda c: {"answer": "已调整采购计划。"},
    ),
    Row(
        "rectification answer, another report's item",
        "rectification_answer",
        statuses(LOGIN, 404, 404, 404, 404),
        "post",
        kwargs=rectification_item(of_published=True),
        data=lambda c: {"answer": "已调整采购计划。"},
    ),
    Row(
        "rectification answer by GET",
        "rectification_answer",
        statuses(LOGIN, 405, 405, 405, 405),
        kwargs=rectification_item(),
    ),
    # Started already: the department's accountant and the bureau are sent to the report.
    Row("start a report", "report_start", statuses(LOGIN, 302, 404, 302, 302), "post", kwargs=round_department),
    Row("start by GET", "report_start", statuses(LOGIN, 405, 405, 405, 405), kwargs=round_department),
    # ---------------------------------------------------------------- evidence (reports/web/evidence)
    Row("evidence panel", "evidence:panel", statuses(LOGIN, 200, 404, 200, 200)),
    Row("evidence upload", "evidence:panel", statuses(LOGIN, 302, 404, 403, 403), "post", data=evidence_upload),
    Row(
        "evidence upload, submitted",
        "evidence:panel",
        statuses(LOGIN, 409, 404, 403, 403),
        "post",
        state="submitted",
        data=evidence_upload,
    ),
    Row("evidence file", "evidence:file", statuses(LOGIN, 200, 404, 200, 200), kwargs=with_evidence),
    Row("evidence delete", "evidence:delete", statuses(LOGIN, 302, 404, 403, 403), "post", kwargs=with_evidence),
    Row("evidence delete by GET", "evidence:delete", statuses(LOGIN, 405, 405, 405, 405), kwargs=with_evidence),
    Row(
        "evidence file, approved",
        "evidence:file",
        statuses(LOGIN, 200, 404, 200, 200),
        state="approved",
        kwargs=with_evidence,
    ),
    # ---------------------------------------------------------------- target declaration (reports/web/targets)
    Row("targets page", "report_targets", statuses(LOGIN, 200, 404, 200, 200)),
    Row(
        "targets save",
        "report_targets",
        statuses(LOGIN, 302, 404, 403, 403),
        "post",
        kwargs=targets_in("draft"),
        data=targets_form,
    ),
    Row(
        "targets submit",
        "report_targets_transition",
        statuses(LOGIN, 302, 404, 403, 403),
        "post",
        kwargs=targets_in("draft"),
        data=lambda c: {"action": "targets_submit"},
    ),
    Row(
        "targets approve",
        "report_targets_transition",
        statuses(LOGIN, 403, 404, 302, 302),
        "post",
        kwargs=targets_in("submitted"),
        data=lambda c: {"action": "targets_approve"},
    ),
    Row(
        "targets return",
        "report_targets_transition",
        statuses(LOGIN, 403, 404, 302, 302),
        "post",
        kwargs=targets_in("submitted"),
        data=lambda c: {"action": "targets_return", "reason": "指标值偏低"},
    ),
    Row(
        "adjustment page",
        "report_target_adjust",
        statuses(LOGIN, 200, 404, 403, 403),
        kwargs=targets_in("approved", row_pk=community_row),
    ),
    Row(
        "adjustment request",
        "report_target_adjust",
        statuses(LOGIN, 302, 404, 403, 403),
        "post",
        kwargs=targets_in("approved", row_pk=community_row),
        data=lambda c: {"sign": ">=", "target_text": "≥45个", "unit": "个", "reason": "扩大服务范围"},
    ),
    Row(
        "adjustment approve",
        "report_target_adjustment_decide",
        statuses(LOGIN, 403, 404, 302, 302),
        "post",
        kwargs=targets_in("approved", adjustment_pk=pending_adjustment),
        data=lambda c: {"decision": "approve"},
    ),
    Row(
        "adjustment by GET",
        "report_target_adjustment_decide",
        statuses(LOGIN, 405, 405, 405, 405),
        kwargs=targets_in("approved", adjustment_pk=pending_adjustment),
    ),
    # ---------------------------------------------------------------- PDF (reports/pdf)
    Row("print preview", "pdf:print", statuses(LOGIN, 200, 404, 200, 200)),
    Row("pdf request", "pdf:request", statuses(LOGIN, 302, 404, 302, 302), "post"),
    Row("pdf status", "pdf:status", statuses(LOGIN, 200, 404, 200, 200), kwargs=with_render),
    Row("pdf file", "pdf:file", statuses(LOGIN, 200, 404, 200, 200), kwargs=with_render),
    Row(
        "archive of a published report",
        "pdf:archive_latest",
        ANY_USER,
        kwargs=archived(lambda c: c.published, "published"),
    ),
    Row(
        "archive of an approved report",
        "pdf:archive_latest",
        statuses(404, 200, 404, 200, 200),
        kwargs=archived(lambda c: c.seed, "approved"),
    ),
    Row(
        "signed archive of a published report",
        "pdf:archive_latest",
        ANY_USER,
        kwargs=signed_archive(lambda c: c.published, "published"),
    ),
    Row(
        "signed archive of an approved report",
        "pdf:archive_latest",
        statuses(404, 200, 404, 200, 200),
        kwargs=signed_archive(lambda c: c.seed, "approved"),
    ),
    Row(
        "archive version",
        "pdf:archive",
        statuses(404, 200, 404, 200, 200),
        kwargs=lambda c: {**archived(lambda c: c.seed, "approved")(c), "version": 1},
    ),
    Row(
        "archive evidence zip, approved",
        "pdf:archive_evidence",
        statuses(LOGIN, 200, 404, 200, 200),
        kwargs=lambda c: {**archived(lambda c: c.seed, "approved", evidence=True)(c), "version": 1},
    ),
    Row(
        "archive evidence zip, published (never public)",
        "pdf:archive_evidence",
        statuses(LOGIN, 404, 404, 200, 200),
        kwargs=lambda c: {**archived(lambda c: c.published, "published", evidence=True)(c), "version": 1},
    ),
    # ---------------------------------------------------------------- spreadsheets (reports/xlsx)
    Row("xlsx export", "xlsx:report_export", statuses(LOGIN, 200, 404, 200, 200)),
    Row("xlsx import into a report", "xlsx:report_import", statuses(LOGIN, 200, 404, 403, 200)),
    Row("round summary xlsx", "xlsx:round_summary", statuses(LOGIN, 403, 403, 200, 200), kwargs=round_pk),
    Row("round summary csv", "xlsx:round_summary_csv", statuses(LOGIN, 403, 403, 200, 200), kwargs=round_pk),
    # ---------------------------------------------------------------- the round dashboard (reports/dashboard)
    Row("dashboard index", "dashboard:index", statuses(LOGIN, 403, 403, 200, 200), kwargs=lambda c: {}),
    Row("dashboard", "dashboard:round", statuses(LOGIN, 403, 403, 200, 200), kwargs=round_pk),
    Row("dashboard reports", "dashboard:reports", statuses(LOGIN, 403, 403, 200, 200), kwargs=round_pk),
    # ---------------------------------------------------------------- mid-year monitoring (reports/web/monitoring)
    Row("monitoring index", "monitoring:index", ANY_USER | {"anonymous": LOGIN}, kwargs=lambda c: {}),
    Row("monitoring round view", "monitoring:round", statuses(LOGIN, 403, 403, 200, 200), kwargs=monitoring_point),
    Row("monitoring entry page", "monitoring:entry", statuses(LOGIN, 200, 404, 200, 200), kwargs=monitoring_entry),
    Row(
        "monitoring entry save",
        "monitoring:entry",
        statuses(LOGIN, 302, 404, 403, 403),
        "post",
        kwargs=monitoring_entry,
        data=monitoring_form,
    ),
]

# Namespaces whose every URL is in the table, pk or not: the bureau's own, and monitoring (its index has none).
BUREAU_NAMESPACES = {"review", "dashboard", "monitoring"}
# Left out, with the reason.
NOT_IN_TABLE = {
    # Renders a PDF (seconds each); the same `bureau_required` view decorator as dashboard:round,
    # whose row is above; tests/dashboard requests it.
    "dashboard:pdf",
}


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture
def ctx(people, settings, media, seed):
    settings.MEDIA_ROOT = media
    published = Report.objects.filter(state="published").exclude(pk=seed.pk).order_by("department__code").first()
    return Ctx(seed=seed, published=published, people=people, media=media)


def outcome(response) -> int | str:
    """The status as the table writes it: a redirect to the login page is "login"."""
    if response.status_code == 302 and response.url.startswith(reverse("login")):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("row", TABLE, ids=[r.id for r in TABLE])
def test_status(ctx, row):
    """Each persona in turn, each request's writes rolled back before the next persona's."""
    if row.state:
        Report.objects.filter(pk=ctx.seed.pk).update(state=row.state, error_count=0)
    url = reverse(row.name, kwargs=row.kwargs(ctx))
    got = {}
    for persona in PERSONAS:
        data = row.data(ctx)  # afresh for each: an uploaded file is read once
        client = Client(raise_request_exception=False)
        with transaction.atomic():
            if ctx.people[persona] is not None:
                client.force_login(ctx.people[persona])
            got[persona] = outcome(getattr(client, row.method)(url, data))
            transaction.set_rollback(True)
    wrong = {p: f"got {got[p]}, expected {row.expect[p]}" for p in PERSONAS if got[p] != row.expect[p]}
    known = dict(row.known)
    assert {p: w for p, w in wrong.items() if p not in known} == {}, url
    if wrong:
        pytest.xfail("; ".join(f"{p} {w}: {known[p]}" for p, w in wrong.items()))


def _named_urls(patterns, namespace: str = "", prefix: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, [namespace, p.namespace])) if p.namespace else namespace
            yield from _named_urls(p.url_patterns, ns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{namespace}:{p.name}" if namespace else p.name), prefix + str(p.pattern)


def test_every_report_url_is_in_the_table():
    """A new URL taking a pk, or in the bureau's namespaces, needs a row above."""
    covered = {row.name for row in TABLE}
    wanted = {
        name
        for name, route in _named_urls(get_resolver().url_patterns)
        if not name.startswith("admin:")
        and ("<int:pk>" in route or name.split(":")[0] in BUREAU_NAMESPACES or name.startswith("public:"))
    }
    assert wanted - covered - NOT_IN_TABLE == set()
