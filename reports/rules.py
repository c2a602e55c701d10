"""Object permissions (django-rules): who may do what to which report, by role and department."""

import rules

from departments.selectors import access_for


@rules.predicate
def is_accountant_of_report(user, report) -> bool:
    return report is not None and report.department_id in access_for(user).accountant_of


@rules.predicate
def is_reviewer_of_report(user, report) -> bool:
    access = access_for(user)
    if report is None or not access.is_reviewer:
        return False
    return access.all_departments or report.department_id in access.department_ids


@rules.predicate
def is_bureau_admin(user) -> bool:
    return access_for(user).is_admin


@rules.predicate
def can_see_report(user, report) -> bool:
    access = access_for(user)
    return report is not None and (access.all_departments or report.department_id in access.department_ids)


rules.add_perm("reports.view_report_object", can_see_report)
rules.add_perm("reports.edit_report_object", is_accountant_of_report)
rules.add_perm("reports.submit_report_object", is_accountant_of_report)
rules.add_perm("reports.review_report_object", is_reviewer_of_report | is_bureau_admin)
rules.add_perm("reports.reopen_report_object", is_bureau_admin)
rules.add_perm("reports.publish_report_object", is_bureau_admin)
# Evidence files: the department's accountant attaches and removes them (while the report is editable).
rules.add_perm("reports.upload_evidence_object", is_accountant_of_report)
# Rectification (整改): the bureau issues, closes and reopens items; the department answers them.
rules.add_perm("reports.rectify_report_object", is_reviewer_of_report | is_bureau_admin)
rules.add_perm("reports.answer_rectification_object", is_accountant_of_report)
