"""Mid-year monitoring pages: the points a person may see, a department's entry page, and the
bureau's round-wide view. Lights come from `reports.selectors.monitoring` (the engine's rules).

The entry page: the department's accountants edit while the point is open; the bureau reads it
(another department's report is a 404, a reviewer's post a 403). The round view is the bureau's.
"""

from __future__ import annotations

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from departments.selectors import access_for
from indicators.engine import monitoring as lights
from indicators.engine.fmt import pct, two
from reports.selectors import monitoring as selectors
from reports.selectors import report_list
from reports.services.monitoring import monitoring_entry_save
from reports.web.monitoring.forms import EntryForm, actual_name, entry_initial, note_name, risk_name

COLOUR_LABELS = {
    lights.GREEN: gettext_lazy("绿灯"),
    lights.YELLOW: gettext_lazy("黄灯"),
    lights.RED: gettext_lazy("红灯"),
    lights.GREY: gettext_lazy("未亮灯"),
}


def _pct(light: lights.Light) -> str:
    return pct(light.progress) if light.progress is not None else ""


def legend(point) -> dict:
    """The thresholds the page's legend states, from the round's rule set."""
    rules_ = point.round.rule_set.to_monitoring()
    e = point.expected_progress
    return {
        "expected": e,
        "yellow_margin": rules_.yellow_margin,
        "red_margin": rules_.red_margin,
        "green_at": e - rules_.yellow_margin,
        "yellow_at": e - rules_.red_margin,
        "green_to": e + rules_.yellow_margin,
        "yellow_to": e + rules_.red_margin,
    }


@login_required
@require_GET
def index(request):
    points = list(selectors.monitoring_point_list(user=request.user))
    access = access_for(request.user)
    by_round: dict[int, list] = {}
    if points and not access.is_bureau:
        for report in report_list(user=request.user).filter(round__in={p.round_id for p in points}):
            by_round.setdefault(report.round_id, []).append(report)
    items = [(point, by_round.get(point.round_id, [])) for point in points]
    return render(request, "monitoring/index.html", {"items": items, "is_bureau": access.is_bureau})


@login_required
@require_http_methods(["GET", "POST"])
def entry(request, pk: int, report_pk: int):
    point, monitoring = selectors.monitoring_entry_get(user=request.user, point_pk=pk, report_pk=report_pk)
    report = monitoring.report
    may_edit = rules.has_perm("reports.edit_report_object", request.user, report)
    indicators = [item.indicator for item in monitoring.rows]
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("只有本部门填报人可以填报运行监控。"))
        if not point.is_open:
            raise PermissionDenied(_("该监控点已结束填报，不能修改。"))
        form = EntryForm(request.POST, indicators=indicators)
        if form.is_valid():
            try:
                monitoring_entry_save(
                    point=point,
                    report=report,
                    actor=request.user,
                    budget_executed=form.cleaned_data["budget_executed"],
                    rows=form.rows(),
                    version=form.cleaned_data["version"] or 0,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已保存运行监控数据。"))
                return redirect(reverse("monitoring:entry", args=[point.pk, report.pk]))
    else:
        form = EntryForm(initial=entry_initial(monitoring), indicators=indicators)
    rows = [
        {
            "item": item,
            "actual": form[actual_name(item.indicator.pk)] if actual_name(item.indicator.pk) in form.fields else None,
            "note": form[note_name(item.indicator.pk)],
            "risk": form[risk_name(item.indicator.pk)] if risk_name(item.indicator.pk) in form.fields else None,
            "label": COLOUR_LABELS[item.light.colour],
            "pct": _pct(item.light),
        }
        for item in monitoring.rows
    ]
    context = {
        "point": point,
        "report": report,
        "monitoring": monitoring,
        "form": form,
        "rows": rows,
        "editable": may_edit and point.is_open,
        "budget_label": COLOUR_LABELS[monitoring.budget.colour],
        "budget_name": point.round.rule_set.get_execution_denominator_display(),
        "budget_amount": two(monitoring.budget_amount) if monitoring.budget_amount is not None else "",
        "budget_pct": _pct(monitoring.budget),
        "counts": monitoring.counts,
        "legend": legend(point),
        "is_bureau": access_for(request.user).is_bureau,
    }
    return render(request, "monitoring/entry.html", context)


@login_required
@require_GET
def round_view(request, pk: int):
    if not access_for(request.user).is_bureau:
        raise PermissionDenied(_("只有财政局审核人和管理员可以查看运行监控汇总。"))
    point = selectors.monitoring_point_get(user=request.user, pk=pk)
    items = selectors.monitoring_overview(user=request.user, point=point)
    tally = lights.counts(m.worst for m in items)
    rows = [
        {
            "m": m,
            "counts": m.counts,
            "worst": m.worst,
            "worst_label": COLOUR_LABELS[m.worst],
            "budget_label": COLOUR_LABELS[m.budget.colour],
            "budget_pct": _pct(m.budget),
        }
        for m in items
    ]
    context = {
        "point": point,
        "rows": rows,
        "tally": [(colour, COLOUR_LABELS[colour], tally[colour]) for colour in lights.COLOURS],
        "legend": legend(point),
    }
    return render(request, "monitoring/round.html", context)
