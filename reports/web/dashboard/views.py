"""The round dashboard for the bureau (reviewers and admins), the reports behind its figures, its PDF.

Accountants get a 403, anonymous visitors the login page. Every figure comes from
`reports.web.dashboard.selectors`, scoped to the user; the number of queries of each page
does not grow with the number of departments.
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from departments.selectors import access_for
from reports.models import Report, Round
from reports.web.dashboard import pdf, presenters, selectors

# The round summary workbook is reports/xlsx/'s ("xlsx:round_summary"); without that URL the
# button shows disabled rather than the page failing.
WORKBOOK_URL_NAMES = ("xlsx:round_summary",)


def bureau_required(view):
    """Reviewers and admins only: anonymous visitors log in, everyone else gets a 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access_for(request.user).is_bureau:
            raise PermissionDenied(_("只有财政局审核人和管理员可以查看评价看板。"))
        return view(request, *args, **kwargs)

    return wrapper


def _round(pk: int) -> Round:
    return get_object_or_404(Round.objects.select_related("rule_set", "template"), pk=pk)


def _page(request) -> int:
    try:
        return max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        return 1


def workbook_url(round_: Round) -> str:
    for name in WORKBOOK_URL_NAMES:
        try:
            return reverse(name, args=[round_.pk])
        except NoReverseMatch:
            continue
    return ""


def _page_query(keep: dict, sort: selectors.Sort) -> str:
    """The query string a page link keeps (filter and sort), ending where `page=` goes."""
    params = dict(keep)
    if sort != selectors.DEFAULT_SORT:
        params["sort"] = sort.param
    return urlencode(params) + "&" if params else ""


def _pages(page: int, count: int, size: int) -> dict:
    last = max((count + size - 1) // size, 1)
    return {
        "number": page,
        "last": last,
        "previous": page - 1 if page > 1 else None,
        "next": page + 1 if page < last else None,
    }


@bureau_required
@require_GET
def round_index(request):
    """The rounds with how far each has got, newest first."""
    access = access_for(request.user)
    scope = access.department_q("reports__department")
    rounds = Round.objects.order_by("-year", "name").annotate(
        n_reports=Count("reports", filter=scope),
        n_in=Count(
            "reports",
            filter=scope
            & Q(reports__state__in=(Report.State.SUBMITTED, Report.State.APPROVED, Report.State.PUBLISHED)),
        ),
    )
    return render(request, "dashboard/index.html", {"rounds": rounds})


def _dashboard_context(request, round_: Round, *, full_table: bool) -> dict:
    user = request.user
    level1 = selectors.level1_columns(round_)
    summary = selectors.round_summary(user=user, round_=round_)
    sort = selectors.parse_sort(request.GET.get("sort"), level1)
    page = 1 if full_table else _page(request)
    size = selectors.PAGE_SIZE
    page = min(page, max((summary.reports + size - 1) // size, 1))
    reports = selectors.department_table(
        user=user,
        round_=round_,
        level1=level1,
        sort=sort,
        offset=(page - 1) * size,
        limit=None if full_table else size,
    )
    past = selectors.earlier_totals(user=user, round_=round_, department_ids={r.department_id for r in reports})
    base_url = reverse("dashboard:round", args=[round_.pk])
    return {
        "round": round_,
        "summary": summary,
        "cards": presenters.state_cards(summary, round_),
        "stack": presenters.state_stack(summary, round_),
        "grade_chart": presenters.grade_chart(summary, round_),
        "histogram": presenters.histogram_chart(summary, round_),
        "findings": selectors.frequent_findings(user=user, round_=round_),
        "level1": level1,
        "headers": presenters.headers(round_, level1, sort, base_url),
        "rows": presenters.table(reports, round_=round_, level1=level1, past=past),
        "sort": sort,
        "pages": _pages(page, summary.reports, size),
        "page_query": _page_query({}, sort),
        "averages": presenters.years(selectors.yearly_averages(user=user, round_=round_, summary=summary)),
        "average": presenters.fmt(summary.average),
        "today": timezone.localdate(),
        "days_left": (round_.deadline - timezone.localdate()).days,
        "workbook_url": workbook_url(round_),
    }


@bureau_required
@require_GET
def round_dashboard(request, pk: int):
    round_ = _round(pk)
    context = _dashboard_context(request, round_, full_table=False)
    context["rounds"] = list(Round.objects.order_by("-year", "name").only("pk", "year", "name"))
    context["findings_max"] = max((f.reports for f in context["findings"]), default=0)
    return render(request, "dashboard/round.html", context)


@bureau_required
@require_GET
def round_dashboard_pdf(request, pk: int):
    round_ = _round(pk)
    context = _dashboard_context(request, round_, full_table=True)
    # Two charts side by side on A4 landscape: the same size each, a little flatter than on screen.
    context["grade_chart"] = presenters.grade_chart(context["summary"], round_, width=600, height=220)
    context["histogram"] = presenters.histogram_chart(context["summary"], round_, width=600, height=220)
    rendered = pdf.dashboard_pdf(context, request=request)
    response = HttpResponse(rendered.pdf, content_type="application/pdf")
    filename = _("%(round)s评价看板.pdf") % {"round": round_.name}
    response.headers["Content-Disposition"] = content_disposition_header(True, filename)
    return response


class FilterForm(forms.Form):
    state = forms.ChoiceField(required=False, choices=[("", ""), *list(Report.State.choices)])
    grade = forms.ChoiceField(required=False, choices=[("", "")] + [(g, g) for g in selectors.GRADES])
    bin = forms.ChoiceField(
        required=False, choices=[("", ""), ("none", "none")] + [(b.key, b.label) for b in selectors.BINS]
    )
    finding = forms.CharField(required=False, max_length=64)
    overdue = forms.BooleanField(required=False)
    sort = forms.CharField(required=False, max_length=32)
    page = forms.CharField(required=False, max_length=8)


FILTER_LABELS = {
    "state": gettext_lazy("状态"),
    "grade": gettext_lazy("等级"),
    "bin": gettext_lazy("规则得分"),
    "finding": gettext_lazy("问题"),
    "overdue": gettext_lazy("逾期未送审"),
}


def _filter_words(flt: selectors.ReportFilter) -> list[tuple[str, str]]:
    words = []
    if flt.state:
        words.append((FILTER_LABELS["state"], presenters.STATE_LABELS[flt.state]))
    if flt.grade:
        words.append((FILTER_LABELS["grade"], flt.grade))
    if flt.bin == "none":
        words.append((FILTER_LABELS["bin"], _("未计分")))
    elif flt.bin:
        b = selectors.BIN_BY_KEY[flt.bin]
        words.append((FILTER_LABELS["bin"], f"{b.lower} – {b.upper}"))
    if flt.finding:
        description = selectors.describe_finding(flt.finding)
        words.append((FILTER_LABELS["finding"], f"{description}（{flt.finding}）" if description else flt.finding))
    if flt.overdue:
        words.append((FILTER_LABELS["overdue"], _("是")))
    return words


@bureau_required
@require_GET
def round_reports(request, pk: int):
    """The reports behind a figure: by state, grade, total bin, finding code or overdue."""
    round_ = _round(pk)
    form = FilterForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(_("筛选条件无效。"))
    data = form.cleaned_data
    flt = selectors.ReportFilter(
        state=data["state"], grade=data["grade"], bin=data["bin"], finding=data["finding"], overdue=data["overdue"]
    )
    level1 = selectors.level1_columns(round_)
    sort = selectors.parse_sort(data["sort"], level1)
    page = _page(request)
    size = selectors.PAGE_SIZE
    qs = selectors.filtered_reports(user=request.user, round_=round_, flt=flt)
    count, reports = selectors.filtered_page(
        qs, round_=round_, level1=level1, sort=sort, offset=(page - 1) * size, limit=size
    )
    past = selectors.earlier_totals(user=request.user, round_=round_, department_ids={r.department_id for r in reports})
    rows = presenters.table(reports, round_=round_, level1=level1, past=past)
    if flt.finding:
        details = selectors.finding_details(report_ids=[r.pk for r in reports], code=flt.finding)
        for row in rows:
            row["details"] = details.get(row.pk, [])
    keep = {k: v for k, v in request.GET.items() if k in FILTER_LABELS and v}
    base_url = reverse("dashboard:reports", args=[round_.pk])
    headers = presenters.headers(round_, level1, sort, base_url, keep)
    return render(
        request,
        "dashboard/reports.html",
        {
            "round": round_,
            "filter": flt,
            "filter_words": _filter_words(flt),
            "count": count,
            "rows": rows,
            "level1": level1,
            "headers": headers,
            "pages": _pages(page, count, size),
            "page_query": _page_query(keep, sort),
            "dashboard_url": reverse("dashboard:round", args=[round_.pk]),
        },
    )
