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
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from reports.interchange.store import budget_lines
from reports.models import RectificationItem, Report, ReportRender
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


def archived(report_of: Callable[[Ctx], Report], state: str):
    def make(c: Ctx) -> dict:
        from reports.pdf.archive import report_archive_create

        report = report_of(c)
        Report.objects.filter(pk=report.pk).update(state=state)
        # Archives are written once, named by their hash: each test's copy differs.
        report_archive_create(report=report, pdf=f"%PDF-1.4 {uuid.uuid4()}\n".encode(), actor=None)
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
        "archive version",
        "pdf:archive",
        statuses(404, 200, 404, 200, 200),
        kwargs=lambda c: {**archived(lambda c: c.seed, "approved")(c), "version": 1},
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
]

# The bureau's own namespaces: every URL in them is in the table, pk or not.
BUREAU_NAMESPACES = {"review", "dashboard"}
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
    data = row.data(ctx)
    got = {}
    for persona in PERSONAS:
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
