"""E-mail after a transition has committed: reviewers hear of submissions and of answers to
rectification items, departments of decisions and of the items issued, closed or reopened."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q

from departments.models import Role
from reports.models import Report

logger = logging.getLogger(__name__)

SUBJECTS = {
    "submit": "【perfeval】{dept} 已送审 {year} 年度自评报告",
    "return": "【perfeval】{year} 年度自评报告被退回",
    "approve": "【perfeval】{year} 年度自评报告已审核通过",
    "reopen": "【perfeval】{year} 年度自评报告已重新打开",
    "publish": "【perfeval】{year} 年度自评报告已公开",
    "targets_submit": "【perfeval】{dept} 已送审 {year} 年度绩效目标",
    "targets_return": "【perfeval】{year} 年度绩效目标被退回",
    "targets_approve": "【perfeval】{year} 年度绩效目标已审核通过",
    "rectification_issue": "【perfeval】{year} 年度自评报告有新的整改事项",
    "rectification_answer": "【perfeval】{dept} 已答复 {year} 年度整改事项",
    "rectification_close": "【perfeval】{year} 年度整改事项已销号",
    "rectification_reopen": "【perfeval】{year} 年度整改事项已重新打开",
}
# What the bureau's reviewers hear of; every other action is the department's news.
TO_REVIEWERS = {"submit", "targets_submit", "rectification_answer"}


def report_notify(*, report_id: int, action: str, detail: str = "") -> int:
    """Mail the people concerned; `detail` (an item's text) goes under the report's line."""
    report = Report.objects.select_related("department", "round").get(pk=report_id)
    if action in TO_REVIEWERS:
        recipients = Q(roles__kind=Role.Kind.REVIEWER) & (
            Q(roles__department__isnull=True) | Q(roles__department=report.department)
        )
    else:
        recipients = Q(roles__kind=Role.Kind.ACCOUNTANT, roles__department=report.department)
    emails = sorted(
        set(
            get_user_model()
            .objects.filter(recipients, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    if not emails:
        return 0
    subject = SUBJECTS[action].format(dept=report.department.display_name, year=report.round.year)
    body = f"{report.department.name} {report.round.name}：{report.get_state_display()}。"
    if detail:
        body += f"\n\n{detail}"
    try:
        return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, emails)
    except Exception:  # the step has committed; a mail server that is down must not undo it, but is logged
        logger.exception("notification %s of report %s to %d address(es) not sent", action, report_id, len(emails))
        return 0


def notify_after_commit(*, report_id: int, action: str, detail: str = "") -> None:
    """report_notify once the step's transaction has committed (a rolled-back step mails no one)."""
    transaction.on_commit(lambda: report_notify(report_id=report_id, action=action, detail=detail))
