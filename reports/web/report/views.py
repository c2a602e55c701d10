"""Pages of a department's report. Views parse, call a selector or a service, and render.

Every report comes through `selectors.report_get` (another department's is a 404);
editing needs `reports.edit_report_object` (a reviewer gets a 403).
"""

from __future__ import annotations

import json
from itertools import groupby

import rules
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reports import selectors
from reports.interchange.store import report_to_document
from reports.models import Report, ReportEvent, declaration_of, targets_approved
from reports.selectors import evidence as evidence_selectors
from reports.services import editing, history, rectification, workflow
from reports.services.completeness import submit_missing
from reports.services.scoring import report_score as engine_score
from reports.web.report import presenters
from reports.web.report.forms import HEADER, KINDS, SIGNS, TIERS, ReportForm, form_initial, input_name
from reports.web.report.presenters import RowMap
from reports.web.report.rows import indicator_row_html, indicator_rows_html
from reports.web.textdiff import text_diff

EVENTS_ON_PAGE = 12
STATE_LABELS = dict(Report.State.choices)
EVENT_ACTION_LABELS = {**workflow.ACTION_LABELS, **rectification.ACTION_LABELS}

# Words the page's script shows; translated here so the script holds no UI text.
UI_TEXT = {
    "saved": gettext_lazy("已保存"),
    "saved_at": gettext_lazy("已保存 %s"),
    "dirty": gettext_lazy("有未保存的修改"),
    "saving": gettext_lazy("正在保存…"),
    "scoring": gettext_lazy("正在计分…"),
    "offline": gettext_lazy("无法连接服务器，修改尚未保存。稍后将自动重试。"),
    "invalid": gettext_lazy("有填写错误，未保存"),
    "conflict": gettext_lazy("未保存：报告已被他人修改"),
    "locked": gettext_lazy("报告已不能修改"),
    "confirm_remove": gettext_lazy("删除这一行？"),
    "confirm_overwrite": gettext_lazy("确定用本页内容替换他人保存的版本？"),
    "leave": gettext_lazy("有未保存的修改，确定离开？"),
    "pasted": gettext_lazy("已粘贴 %s 行"),
    "reason_needed": gettext_lazy("得分低于分值，须填写原因"),
    "no_level1": presenters.NO_LEVEL1,
}


# Words repeated on every row, translated once a page rather than once a cell.
ROW_LABELS = {
    "points": gettext_lazy("分"),
    "rule": gettext_lazy("规则"),
    "self": gettext_lazy("自评"),
    "level3": gettext_lazy("三级指标名称"),
    "own": gettext_lazy("本部门增加"),
    "kind": gettext_lazy("性质"),
    "sign": gettext_lazy("符号"),
    "target": gettext_lazy("指标值"),
    "unit": gettext_lazy("度量单位"),
    "actual": gettext_lazy("实际完成值"),
    "tier": gettext_lazy("完成档次"),
    "weight": gettext_lazy("分值"),
    "self_score": gettext_lazy("得分"),
    "computed": gettext_lazy("定量指标得分由系统按规则计算"),
    "reason": gettext_lazy("未完成原因分析"),
    "reason_needed": gettext_lazy("得分低于分值，须填写原因"),
    "up": gettext_lazy("上移（Alt+↑）"),
    "down": gettext_lazy("下移（Alt+↓）"),
    "remove": gettext_lazy("删除本行"),
    "task_name": gettext_lazy("任务名称"),
    "task_content": gettext_lazy("主要内容"),
    "task_budget": gettext_lazy("预算资金"),
    "task_budget_fiscal": gettext_lazy("其中：财政资金"),
    "task_completion": gettext_lazy("任务完成情况"),
    "task_executed": gettext_lazy("预算执行数"),
    "task_executed_fiscal": gettext_lazy("其中：财政资金（执行）"),
    "evidence": gettext_lazy("佐证"),
    "evidence_missing": gettext_lazy("缺少佐证"),
    "evidence_title": gettext_lazy("查看或上传本指标的佐证材料"),
    "approved": gettext_lazy("已批复"),
    "approved_title": gettext_lazy("绩效目标已审核通过"),
    "adjusted": gettext_lazy("已调整"),
    "adjusted_from": gettext_lazy("经批准调整，原指标值："),
}


def row_choices() -> dict:
    """The row selects' options in the active language, as tuples (they key a cache)."""
    return {
        "kinds": tuple((value, str(label)) for value, label in KINDS),
        "signs": tuple((value, str(label)) for value, label in SIGNS),
        "tiers": tuple((value, str(label)) for value, label in [("", "—"), *TIERS]),
    }


def _labelled(events):
    events = list(events)
    for e in events:
        e.from_label = STATE_LABELS.get(e.from_state, e.from_state)
        e.to_label = STATE_LABELS.get(e.to_state, e.to_state)
        e.action_label = EVENT_ACTION_LABELS.get(e.action, e.action)
        e.diff = text_diff(e.old_value, e.new_value) if e.kind == ReportEvent.Kind.CHANGE else None
    return events


@login_required
@require_GET
def home(request):
    reports = list(selectors.report_list(user=request.user))
    by_round: dict = {}
    for round_, items in groupby(reports, key=lambda r: r.round):
        by_round[round_] = (list(items), [])
    for round_, department in selectors.reports_to_start(user=request.user):
        by_round.setdefault(round_, ([], []))[1].append(department)
    rounds = sorted(
        ((round_, items, to_start) for round_, (items, to_start) in by_round.items()),
        key=lambda r: (-r[0].year, r[0].name),
    )
    return render(request, "reports/home.html", {"rounds": rounds, "reports": reports})


@login_required
@require_POST
def start_page(request, round_pk: int, department_pk: int):
    """开始填报: the department's draft for an open round, from the round's template."""
    started = {(r.pk, d.pk): (r, d) for r, d in selectors.reports_to_start(user=request.user)}
    pair = started.get((round_pk, department_pk))
    if pair is None:
        # Started already (by a colleague, in another tab) or not this user's: open it if visible.
        existing = selectors.report_list(user=request.user).filter(round_id=round_pk, department_id=department_pk)
        report = get_object_or_404(existing)
        return redirect("report", pk=report.pk)
    report = editing.report_start(round_=pair[0], department=pair[1], actor=request.user)
    messages.success(request, _("已新建 %(dept)s 的报告，可以开始填报。") % {"dept": pair[1].display_name})
    if report.prefilled_from:
        messages.info(
            request,
            _("已按 %(year)d 年报告预填：填表人、主要任务和本部门增加的指标；完成值、得分和报告正文请按本年度填写。")
            % {"year": report.prefilled_from},
        )
    if report.prefill_dropped:
        messages.warning(
            request,
            _("本部门增加的指标有 %(n)d 项所属一级指标已不在本年度模板中，未预填。") % {"n": report.prefill_dropped},
        )
    return redirect("report", pk=report.pk)


def _can_edit(user, report: Report) -> bool:
    return report.editable and rules.has_perm("reports.edit_report_object", user, report)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_GET
def page(request, pk: int):
    scoped = selectors.report_get(user=request.user, pk=pk)
    report = editing.report_load(scoped.pk)
    form = ReportForm(initial=form_initial(report, report._budget_lines))
    return _render_page(request, report, form, engine_score(report), RowMap.identity(report))


def _render_page(request, report, form, result, rows, *, status=200, extra=None):
    payload = presenters.result_payload(report, result, rows)
    editable = _can_edit(request.user, report)
    computed_scores = report.round.rule_set.quantitative_scores == "computed"
    labels = {key: escape(str(label)) for key, label in ROW_LABELS.items()}
    evidence_counts = evidence_selectors.evidence_counts(report)
    declaration = declaration_of(report)
    row_options = {
        "editable": editable,
        "computed_scores": computed_scores,
        "L": labels,
        "choices": row_choices(),
    }
    evidence = {"counts": evidence_counts, "url": reverse("evidence:panel", args=[report.pk]) + "?row="}
    groups = [
        (l1, l2, " / ".join(name for name in (l1, l2) if name) or presenters.NO_LEVEL1)
        for l1, l2 in dict.fromkeys((r.level1, r.level2) for r in report.indicators.all() if not r.is_custom)
    ]
    views = presenters.indicator_rows(report, form, result, rows)
    context = {
        "report": report,
        "form": form,
        "editable": editable,
        "can_submit": editable and rules.has_perm("reports.submit_report_object", request.user, report),
        "computed_scores": computed_scores,
        "indicator_rows_html": indicator_rows_html(views, evidence=evidence, **row_options),
        "evidence_total": sum(evidence_counts.values()),
        "levels": presenters.shown_levels(views),
        "empty_indicator_html": indicator_row_html(presenters.empty_indicator_row(), **row_options),
        "budget": presenters.budget_rows(report, form, payload),
        "tasks": presenters.task_rows(form, payload),
        "narrative": presenters.narrative_sections(form),
        "groups": groups,
        "payload": payload,
        "execution_weight": report.round.template.execution_weight,
        "events": _labelled(report.events.select_related("actor").order_by("-created_at", "-pk")[:EVENTS_ON_PAGE]),
        "empty_task_row": presenters.empty_task_row(),
        "header": {name: form.value(name) for name in HEADER},
        "L": labels,
        "client_payload": {k: v for k, v in payload.items() if k != "panel_html"},
        "ui_text": UI_TEXT,
        "declaration": declaration,
        "targets_locked": targets_approved(report),
        **rectification_context(request.user, report),
        **review_notice(report),
        **(extra or {}),
    }
    return render(request, "reports/report.html", context, status=status)


def review_notice(report: Report) -> dict:
    """What the bureau said, at the top of the page: on a returned report why it came back (the
    return's or the reopening's reason; one query), the overall opinion and the rows commented
    on (from the rows loaded already); on an approved or published report, the opinion it kept."""
    if report.state == Report.State.RETURNED:
        returned = (
            report.events.filter(kind=ReportEvent.Kind.TRANSITION, to_state=Report.State.RETURNED)
            .select_related("actor")
            .order_by("-created_at", "-pk")
            .first()
        )
        commented = [row for row in report.indicators.all() if row.review_comment.strip()]
        return {"returned": returned, "review_comments": commented}
    if report.state in Report.FINAL_STATES:
        return {"kept_opinion": report.review_opinion}
    return {}


def rectification_context(user, report: Report, *, errors: dict | None = None, typed: dict | None = None) -> dict:
    """The 整改事项 panel: the report's items (one query), each with what was typed and its errors."""
    items = selectors.rectification_items(report)
    for item in items:
        item.errors = (errors or {}).get(item.pk, {})
        item.typed = (typed or {}).get(item.pk)
    return {
        "rectifications": items,
        "rectifications_open": sum(1 for item in items if item.state == item.State.OPEN),
        "may_answer": rectification.may_answer(report=report, user=user),
        "today": timezone.localdate(),
    }


def _posted(request) -> dict:
    """The form's fields: JSON from the page's script (an object of strings; parsed ~20x faster
    than ~700 URL-encoded fields), URL-encoded from a plain form post."""
    if request.content_type != "application/json":
        return request.POST
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(_("表单数据无法读取，请刷新页面后重试。")) from None
    if (
        not isinstance(data, dict)
        or len(data) > settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        or not all(isinstance(v, str) for v in data.values())
    ):
        raise BadRequest(_("表单数据无法读取，请刷新页面后重试。"))
    return data


def _edit_scope(request, pk: int, *, full: bool = False) -> Report:
    report = selectors.report_get(user=request.user, pk=pk, full=full)
    if not rules.has_perm("reports.edit_report_object", request.user, report):
        raise PermissionDenied(_("您无权修改该报告。"))
    return report


@login_required
@require_POST
def live_score(request, pk: int):
    """Live scoring: the unsaved form through the engine, as the page's cells (JSON)."""
    report = _edit_scope(request, pk, full=True)  # the one load: scoped, with every row
    form = ReportForm(_posted(request))
    errors = form.errors_by_name()
    plan, result = editing.report_preview(report=report, data=form.data())
    payload = presenters.result_payload(report, result, RowMap.from_plan(plan))
    for path, messages_ in plan.errors.items():
        errors.setdefault(input_name(path) or "__all__", []).extend(messages_)
    payload["errors"] = errors
    return JsonResponse(payload)


@login_required
@require_POST
def save(request, pk: int):
    form = ReportForm(_posted(request))
    as_json = _wants_json(request)
    if not form.is_valid():
        _edit_scope(request, pk)  # someone else's report is a 404 (or 403) before any word on the input
        errors = form.errors_by_name()
        count = sum(len(v) for v in errors.values())
        message = _("有 %(n)d 处填写错误，未保存。请按提示修改。") % {"n": count}
        if as_json:
            return JsonResponse({"ok": False, "status": "invalid", "message": message, "errors": errors}, status=400)
        return _render_invalid(request, pk, form, message)
    try:
        # The service reads the report once, scoped to the user and locked.
        saved = editing.report_save(
            report_id=pk, actor=request.user, data=form.data(), expected_version=form.expected_version
        )
    except editing.ReportConflict as exc:
        return _conflict(request, pk, form, exc, as_json)
    except editing.ReportLocked as exc:
        message = " ".join(exc.messages)
        if as_json:
            return JsonResponse({"ok": False, "status": "locked", "message": message}, status=409)
        messages.error(request, message)
        return redirect("report", pk=pk)
    except ValidationError as exc:
        errors = {}
        for path, msgs in exc.message_dict.items():
            errors.setdefault(input_name(path) or "__all__", []).extend(msgs)
        message = _("未保存：") + "；".join(m for msgs in errors.values() for m in msgs)
        if as_json:
            return JsonResponse({"ok": False, "status": "invalid", "message": message, "errors": errors}, status=400)
        return _render_invalid(request, pk, form, message)

    report = saved.report
    if saved.changes:
        message = _("已保存为第 %(version)d 版（%(what)s）。") % {
            "version": report.version,
            "what": history.summary(saved.changes),
        }
    else:
        message = _("没有需要保存的修改。")
    if not as_json:
        messages.success(request, message)
        return redirect("report", pk=report.pk)
    body = {
        "ok": True,
        "status": "saved" if saved.changes else "unchanged",
        "message": message,
        "version": report.version,
        "saved_at": timezone.localtime().strftime("%H:%M:%S"),
        "ids": {
            "task": [t.pk if t is not None else None for t in saved.plan.task_rows],
            "ind": [r.pk if r is not None else None for r in saved.plan.indicator_rows],
        },
    }
    if saved.result is not None:
        body["result"] = presenters.result_payload(report, saved.result, RowMap.from_plan(saved.plan))
    return JsonResponse(body)


def _render_invalid(request, pk: int, form, message):
    """Without the script: the page again with what was typed and the errors at their fields."""
    report = editing.report_load(pk)
    plan, result = editing.report_preview(report=report, data=form.data())
    messages.error(request, message)
    return _render_page(
        request, report, form, result, RowMap.from_plan(plan), status=400, extra={"field_errors": form.errors_by_name()}
    )


def _conflict(request, pk: int, form, exc: editing.ReportConflict, as_json: bool):
    """Refuse the later save and show how the saved report differs from what this person typed."""
    current = editing.report_load(pk)
    current_doc = report_to_document(current)
    mine = editing.report_load(pk)
    editing.report_apply(report=mine, data=form.data())
    differences = history.without_derived(history.diff_documents(current_doc, report_to_document(mine)))
    last = ReportEvent.objects.filter(report_id=pk).select_related("actor").order_by("-created_at", "-pk").first()
    context = {
        "report": current,
        "exc": exc,
        "differences": differences,
        "last": last,
        "page_url": reverse("report", args=[pk]),
    }
    if as_json:
        return JsonResponse(
            {
                "ok": False,
                "status": "conflict",
                "message": str(exc),
                "version": exc.current,
                "html": render_to_string("reports/_conflict.html", context, request=request),
            },
            status=409,
        )
    return render(request, "reports/conflict.html", context, status=409)


@login_required
@require_http_methods(["GET", "POST"])
def submit_page(request, pk: int):
    """送审: a page listing what the engine still says, then the one workflow transition."""
    report = selectors.report_get(user=request.user, pk=pk)
    if not rules.has_perm("reports.submit_report_object", request.user, report):
        raise PermissionDenied(_("您无权送审该报告。"))
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        try:
            workflow.report_transition(report=report, action="submit", actor=request.user, expected_version=version)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("report_submit", pk=report.pk)
        messages.success(request, _("报告已送审，等待财政局审核。"))
        return redirect("report", pk=report.pk)
    findings = list(report.findings.all())
    # Required parts are checked live, from the report as saved (they are not stored findings);
    # a row the engine calls unscored (no tier, no score) is not told twice.
    unscored = {f.where for f in findings if f.code == "score.missing"}
    missing = [
        f
        for f in (submit_missing(editing.report_load(report.pk)) if report.editable else [])
        if not (f.code == "required.tier" and f.where in unscored)
    ]
    return render(
        request,
        "reports/submit.html",
        {
            "report": report,
            "errors": [f for f in findings if f.severity == "error"] + missing,
            "warnings": [f for f in findings if f.severity == "warning"],
            "infos": [f for f in findings if f.severity == "info"],
            "can_transition": report.editable,
        },
    )


@login_required
@require_POST
def rectification_reply(request, pk: int, item_pk: int):
    """The department's answer to one rectification item (a plain form post: works without the script)."""
    report = selectors.report_get(user=request.user, pk=pk)
    item = selectors.rectification_item_get(report=report, pk=item_pk)
    if not rectification.may_answer(report=report, user=request.user):
        raise PermissionDenied(_("只有本部门填报人可以答复整改事项。"))
    answer = request.POST.get("answer", "")
    try:
        rectification.rectification_answer(item=item, actor=request.user, answer=answer)
    except ValidationError as exc:
        refused = exc.message_dict if hasattr(exc, "error_dict") else {"general": exc.messages}
        messages.error(request, _("整改情况未提交：") + "；".join(m for msgs in refused.values() for m in msgs))
        full = editing.report_load(report.pk)
        form = ReportForm(initial=form_initial(full, full._budget_lines))
        extra = rectification_context(request.user, full, errors={item.pk: refused}, typed={item.pk: answer})
        return _render_page(request, full, form, engine_score(full), RowMap.identity(full), status=400, extra=extra)
    messages.success(request, _("整改情况已提交，等待财政局审核销号。"))
    return redirect(reverse("report", args=[report.pk]) + "#rectifications")


@login_required
@require_GET
def history_page(request, pk: int):
    report = selectors.report_get(user=request.user, pk=pk)
    events = report.events.select_related("actor").order_by("-created_at", "-pk")
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    page.object_list = _labelled(page.object_list)
    return render(request, "reports/history.html", {"report": report, "page": page})
