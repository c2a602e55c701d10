"""E-mail after a transition has committed: reviewers hear of submissions, departments of decisions."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q

from departments.models import Role
from reports.models import Report

SUBJECTS = {
    "submit": "【perfeval】{dept} 已送审 {year} 年度自评报告",
    "return": "【perfeval】{year} 年度自评报告被退回",
    "approve": "【perfeval】{year} 年度自评报告已审核通过",
    "reopen": "【perfeval】{year} 年度自评报告已重新打开",
    "publish": "【perfeval】{year} 年度自评报告已公开",
}


def report_notify(*, report_id: int, action: str) -> int:
    report = Report.objects.select_related("department", "round").get(pk=report_id)
    if action == "submit":
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
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, emails, fail_silently=True)
