"""The bureau's review pages: the queue of a round and the review of one report.

Reviewers and admins only (an accountant gets a 403, an anonymous visitor the login
page); every report comes through reports.selectors.review, scoped to the reviewer's
departments (another department's report is a 404). Every state change goes through
reports.services.workflow.report_transition, every review input through reports.services.review.
"""

from __future__ import annotations

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from departments.selectors import access_for
from reports.models import Report
from reports.selectors import evidence as evidence_selectors
from reports.selectors import rectification_item_get, rectification_items, report_list
from reports.selectors import review as review_selectors
from reports.services import history, rectification
from reports.services.evidence import evidence_mark_missing
from reports.services.review import STALE_CODE, changes_since_previous_submission, report_review_save
from reports.services.scoring import report_reviewer_total, report_score
from reports.services.workflow import ACTION_LABELS, allowed_actions, report_transition
from reports.web.review import presenters as review_presenters
from reports.web.review.forms import (
    RectificationDecideForm,
    RectificationIssueForm,
    ReviewForm,
    TransitionForm,
    service_errors,
)

S = Report.State
BUREAU_ACTIONS = ("return", "approve", "reopen", "publish")
DONE_MESSAGES = {
    "return": gettext_lazy("报告已退回部门修改。"),
    "approve": gettext_lazy("报告已审核通过。"),
    "reopen": gettext_lazy("报告已重新打开，退回部门修改。"),
    "publish": gettext_lazy("报告已公开。"),
}
SORT_COLUMNS = (
    # (sort key, label, numeric)
    ("dept", gettext_lazy("部门"), False),
    ("state", gettext_lazy("状态"), False),
    ("submitted", gettext_lazy("送审时间"), False),
    ("self", gettext_lazy("自评得分"), True),
    ("rule", gettext_lazy("规则得分"), True),
    ("reviewer", gettext_lazy("审核总分"), True),
    ("grade", gettext_lazy("等级"), False),
    ("findings", gettext_lazy("错误 / 提示"), True),
)


# ------------------------------------------------------------------------------ the queue


@login_required
@require_GET
def queue(request):
    review_selectors.require_bureau(request.user)
    rounds = review_selectors.review_rounds()
    round_ = next((r for r in rounds if str(r.pk) == request.GET.get("round")), None)
    round_ = round_ or review_selectors.default_round(rounds)
    context = {"rounds": rounds, "round": round_, "reports": [], "counts": {}}
    if round_ is None:
        return render(request, "review/queue.html", context)
    state = request.GET.get("state", "")
    grade = request.GET.get("grade", "")
    flt = review_selectors.QueueFilter(
        state=state if state in S.values else "",
        grade=grade if grade in review_selectors.GRADES else "",
        overdue=request.GET.get("overdue") == "1",
    )
    sort = review_selectors.parse_sort(request.GET.get("sort"))
    today = timezone.localdate()
    keep = {"round": round_.pk}
    keep.update(
        {k: v for k, v in (("state", flt.state), ("grade", flt.grade), ("overdue", "1" if flt.overdue else "")) if v}
    )
    page = review_selectors.review_queue_page(
        user=request.user, round_=round_, flt=flt, sort=sort, today=today, page=request.GET.get("page")
    )
    reports = page.object_list = list(page.object_list)  # one query, read once
    # Page links keep the round, filters and sort; a new filter or sort starts again at page 1.
    page_keep = {**keep, **({"sort": sort.param} if sort != review_selectors.DEFAULT_SORT else {})}
    for report in reports:
        report.grade_key = review_presenters.grade_key(report.grade)
    counts = review_selectors.queue_counts(user=request.user, round_=round_, today=today)
    context.update(
        {
            "reports": reports,
            "page": page,
            "page_query": urlencode(page_keep),
            "counts": counts,
            "filter": flt,
            "sort": sort,
            "state_options": [(value, label, counts[value]) for value, label in S.choices],
            "grade_options": [(g, counts["grades"][g]) for g in review_selectors.GRADES],
            "headers": _headers(sort, keep),
            "deadline_passed": today > round_.deadline,
            "filtered": bool(flt.state or flt.grade or flt.overdue),
            "base_query": urlencode({"round": round_.pk}),
            "sort_query": urlencode({"sort": sort.param}) if sort != review_selectors.DEFAULT_SORT else "",
            # 公开所选, when the page has an approved report: publishing is the admin's (reports.publish_report_object).
            "can_publish": access_for(request.user).is_admin and any(r.state == S.APPROVED for r in reports),
        }
    )
    return render(request, "review/queue.html", context)


@login_required
@require_POST
def bulk_publish(request):
    """公开所选: the picked reports published one by one, each through the workflow's own publish
    (its checks, its version, its event); those it refuses are named with why, the rest go ahead."""
    review_selectors.require_bureau(request.user)
    if not access_for(request.user).is_admin:
        raise PermissionDenied(_("只有管理员可以公开报告。"))
    back = reverse("review:queue")
    if request.POST.get("round", "").isdigit():
        back += "?" + urlencode({"round": request.POST["round"]})
    ids = list(dict.fromkeys(int(v) for v in request.POST.getlist("report") if v.isdigit()))
    if not ids:
        messages.error(request, _("请先勾选要公开的报告。"))
        return redirect(back)
    found = {r.pk: r for r in report_list(user=request.user).filter(pk__in=ids)}
    published, refused = [], []
    for pk in ids:
        report = found.get(pk)
        if report is None:
            refused.append(_("报告 %(pk)d 不存在或无权访问") % {"pk": pk})
            continue
        version = request.POST.get(f"version-{pk}", "")
        try:
            report_transition(
                report=report,
                action="publish",
                actor=request.user,
                # A row that names no version is as stale as one naming an old one (-1 never matches).
                expected_version=int(version) if version.isdigit() else -1,
            )
        except ValidationError as exc:
            refused.append(f"{report.department.display_name}（{''.join(exc.messages).rstrip('。')}）")
        else:
            published.append(report.department.display_name)
    if published:
        messages.success(
            request, _("已公开 %(n)d 份报告：%(names)s。") % {"n": len(published), "names": "、".join(published)}
        )
    if refused:
        messages.error(
            request,
            _("%(n)d 份报告未公开：%(names)s。") % {"n": len(refused), "names": "；".join(refused)},
        )
    return redirect(back)


def _headers(sort, keep: dict) -> list[dict]:
    headers = []
    for key, label, numeric in SORT_COLUMNS:
        descending = not sort.descending if sort.key == key else numeric  # figures: highest first
        param = ("-" if descending else "") + key
        headers.append(
            {
                "label": label,
                "numeric": numeric,
                "url": "?" + urlencode({**keep, "sort": param}),
                "state": ("desc" if sort.descending else "asc") if sort.key == key else "",
            }
        )
    return headers


# ------------------------------------------------------------------------------ one report


@login_required
@require_GET
def review_page(request, pk: int):
    report = review_selectors.review_report(user=request.user, pk=pk)
    return _render_review(request, report)


def _render_review(
    request,
    report: Report,
    *,
    form: ReviewForm | None = None,
    typed=None,
    errors=None,
    status: int = 200,
    rect_errors: dict | None = None,
    rect_typed: dict | None = None,
):
    user = request.user
    result = report_score(report)
    submitted = review_selectors.submission_times(report)
    changed = history.without_derived(changes_since_previous_submission(report))
    changes, marks = review_presenters.change_views(report, changed)
    can_review = report.state == S.SUBMITTED and rules.has_perm("reports.review_report_object", user, report)
    actions = [a for a in allowed_actions(report=report, user=user) if a in BUREAU_ACTIONS]
    if form is not None:
        typed = form.typed()
    errors = errors or {}
    events = review_selectors.report_timeline(report)
    evidence, report_evidence = evidence_selectors.evidence_by_row(report)
    context = {
        "report": report,
        "sheet": review_presenters.sheet(
            report,
            result,
            marks=marks,
            typed=typed,
            errors=errors,
            evidence=evidence,
            reviewer=review_presenters.reviewer_view(report, *report_reviewer_total(report, result)),
        ),
        "report_evidence": report_evidence,
        "can_mark_evidence": can_review,
        "result": result,
        "grade_key": review_presenters.grade_key(result.grade),
        "changes": changes,
        "submission_count": len(submitted),
        "last_submitted_at": submitted[-1] if submitted else None,
        "previous_submitted_at": submitted[-2] if len(submitted) > 1 else None,
        "can_review": can_review,
        "actions": actions,
        "admin_actions": [a for a in actions if a in ("reopen", "publish")],
        "action_labels": ACTION_LABELS,
        "typed": typed or {},
        "opinion": (typed or {}).get("opinion", report.review_opinion),
        "errors": errors,
        "timeline": review_presenters.timeline(events),
        "timeline_truncated": len(events) >= review_selectors.TIMELINE_LIMIT,
        "queue_url": reverse("review:queue") + f"?round={report.round_id}",
        "overdue": report.state in review_selectors.NOT_HANDED_IN and timezone.localdate() > report.round.deadline,
        **_rectification_context(user, report, rect_errors or {}, rect_typed or {}),
    }
    return render(request, "review/report.html", context, status=status)


def _rectification_context(user, report: Report, errors: dict, typed: dict) -> dict:
    """The 整改事项 panel: items (one query) with their typed note and errors; the issue form's."""
    items = rectification_items(report)
    for item in items:
        item.errors = errors.get(item.pk, {})
        item.typed = typed.get(item.pk)
    return {
        "rectifications": items,
        "rectifications_open": sum(1 for item in items if item.state != item.State.CLOSED),
        "may_issue": rectification.may_issue(report=report, user=user),
        "may_decide": rectification.may_decide(report=report, user=user),
        "today": timezone.localdate(),
        "rect_issue_errors": errors.get("issue", {}),
        "rect_issue": typed.get("issue", {}),
        # The rows are loaded with the report already: no query.
        "rect_rows": list(report.indicators.all()),
    }


def _field_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {("general" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
    return {"general": list(exc.messages)}


@login_required
@require_POST
def rectification_new(request, pk: int):
    """下达整改事项: a plain form post; refused input comes back at its field with what was typed."""
    report = review_selectors.review_report(user=request.user, pk=pk)
    form = RectificationIssueForm(request.POST)
    typed = {"issue": {name: request.POST.get(name, "") for name in ("text", "indicator", "due_date")}}
    if form.is_valid():
        data = form.cleaned_data
        try:
            rectification.rectification_issue(
                report=report,
                actor=request.user,
                text=data["text"],
                indicator_id=data["indicator"],
                due_date=data["due_date"],
            )
        except ValidationError as exc:
            errors = _field_errors(exc)
        else:
            messages.success(request, _("整改事项已下达，部门将在报告页看到并答复。"))
            return redirect(reverse("review:report", args=[report.pk]) + "#rectifications")
    else:
        errors = {name: [str(m) for m in msgs] for name, msgs in form.errors.items()}
    messages.error(request, _("整改事项未下达：") + "；".join(m for msgs in errors.values() for m in msgs))
    return _render_review(request, report, rect_errors={"issue": errors}, rect_typed=typed, status=400)


@login_required
@require_POST
def rectification_step(request, pk: int, item_pk: int):
    """销号 or 重新打开 one item, with a note (required to reopen)."""
    report = review_selectors.review_report(user=request.user, pk=pk)
    item = rectification_item_get(report=report, pk=item_pk)
    form = RectificationDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("无效的操作。"))
        return redirect(reverse("review:report", args=[report.pk]) + "#rectifications")
    data = form.cleaned_data
    try:
        rectification.rectification_decide(item=item, actor=request.user, action=data["action"], note=data["note"])
    except ValidationError as exc:
        errors = _field_errors(exc)
        messages.error(request, _("未保存：") + "；".join(m for msgs in errors.values() for m in msgs))
        return _render_review(
            request, report, rect_errors={item.pk: errors}, rect_typed={item.pk: data["note"]}, status=400
        )
    done = _("整改事项已销号。") if data["action"] == "close" else _("整改事项已重新打开，等待部门再次答复。")
    messages.success(request, done)
    return redirect(reverse("review:report", args=[report.pk]) + "#rectifications")


@login_required
@require_POST
def review_save(request, pk: int):
    """The reviewer's scores, comments and opinion; then, if a button says so, 退回 or 审核通过.

    All of it or nothing: a refused decision keeps nothing of what was typed (the page
    comes back with it, and the reason at its field).
    """
    report = review_selectors.review_report(user=request.user, pk=pk)
    form = ReviewForm(report, request.POST)
    if not form.is_valid():
        messages.error(request, _("有填写错误，未保存。请按提示修改。"))
        return _render_review(request, report, form=form, errors=form.field_errors(), status=400)
    data = form.cleaned_data
    decision = data["decision"]
    try:
        with transaction.atomic():
            changed = report_review_save(
                report=report,
                actor=request.user,
                rows=form.rows(),
                opinion=data["opinion"],
                expected_version=data["version"],
            )
            if decision:
                # The save checked the page's version under the row lock (held until commit) and
                # may have moved it on: the decision is about what this very request left.
                current = Report.objects.values_list("version", flat=True).get(pk=report.pk)
                report_transition(
                    report=report,
                    action=decision,
                    actor=request.user,
                    reason=data["reason"],
                    override=data["override"],
                    expected_version=current,
                )
    except ValidationError as exc:
        if _stale(exc):
            return _refuse_stale(request, report)
        errors = service_errors(exc, decision=decision, override=data["override"])
        messages.error(request, _("未保存：") + "；".join(m for msgs in errors.values() for m in dict.fromkeys(msgs)))
        return _render_review(request, report, form=form, errors=errors, status=400)
    if decision:
        messages.success(request, DONE_MESSAGES[decision])
    elif changed:
        messages.success(request, _("审核意见已保存（%(n)d 项修改）。") % {"n": changed})
    else:
        messages.info(request, _("没有需要保存的修改。"))
    return redirect("review:report", pk=report.pk)


@login_required
@require_POST
def review_transition(request, pk: int):
    """A state change from the review page without review inputs: 重新打开, 公开 (admins)."""
    report = review_selectors.review_report(user=request.user, pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("无效的操作。"))
        return redirect("review:report", pk=report.pk)
    data = form.cleaned_data
    try:
        report_transition(
            report=report,
            action=data["action"],
            actor=request.user,
            reason=data["reason"],
            override=data["override"],
            # A page that names no version is as stale as one naming an old one (-1 never matches).
            expected_version=-1 if data["version"] is None else data["version"],
        )
    except ValidationError as exc:
        if _stale(exc):
            return _refuse_stale(request, report)
        errors = service_errors(exc, decision=data["action"], override=data["override"])
        messages.error(request, "；".join(m for msgs in errors.values() for m in dict.fromkeys(msgs)))
        errors[f"{data['action']}_reason"] = errors.pop("reason", [])
        typed = {f"{data['action']}_reason": data["reason"]}
        return _render_review(request, report, typed=typed, errors=errors, status=400)
    messages.success(request, DONE_MESSAGES[data["action"]])
    return redirect("review:report", pk=report.pk)


@login_required
@require_POST
def evidence_missing(request, pk: int, row_pk: int):
    """The reviewer's 缺少佐证 mark on a row (missing=1) or its removal (missing=0).

    Its button is one of the review form's: what the reviewer typed there is saved with the mark,
    as 保存审核意见 saves it, so pressing it loses nothing; refused input marks nothing.
    """
    report = review_selectors.review_report(user=request.user, pk=pk)
    row = next((r for r in report.indicators.all() if r.pk == row_pk), None)
    if row is None:
        raise Http404
    form = ReviewForm(report, request.POST)
    if not form.is_valid():
        messages.error(request, _("有填写错误，未保存。请按提示修改。"))
        return _render_review(request, report, form=form, errors=form.field_errors(), status=400)
    data = form.cleaned_data
    missing = request.POST.get("missing") == "1"
    try:
        with transaction.atomic():
            report_review_save(
                report=report,
                actor=request.user,
                rows=form.rows(),
                opinion=data["opinion"],
                expected_version=data["version"],
            )
            changed = evidence_mark_missing(report=report, indicator=row, actor=request.user, missing=missing)
    except ValidationError as exc:
        if _stale(exc):
            return _refuse_stale(request, report)
        errors = service_errors(exc)
        messages.error(request, _("未保存：") + "；".join(m for msgs in errors.values() for m in dict.fromkeys(msgs)))
        return _render_review(request, report, form=form, errors=errors, status=400)
    if changed:
        done = _("已标记“%(name)s”缺少佐证。") if missing else _("已取消“%(name)s”的缺少佐证标记。")
        messages.success(request, done % {"name": row.level3})
    return redirect(reverse("review:report", args=[report.pk]) + f"#row-{row.pk}")


def _stale(exc: ValidationError) -> bool:
    return any(error.code == STALE_CODE for error in exc.error_list) if not hasattr(exc, "error_dict") else False


def _refuse_stale(request, report: Report):
    """Nothing was written: show the report as it is now, with why, rather than the outdated inputs."""
    message = _("报告在您查看后已被修改，本次提交未保存，请刷新后重新审核。")
    messages.error(request, message)
    fresh = review_selectors.review_report(user=request.user, pk=report.pk)
    return _render_review(request, fresh, errors={"general": [message]}, status=409)
