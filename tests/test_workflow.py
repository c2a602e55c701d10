"""Every state change goes through one service: the table, the actor's right, one event."""

import itertools
import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from departments.models import Role
from indicators.models import RuleSet, Template
from reports.models import Report, ReportEvent
from reports.services.workflow import ACTIONS, TRANSITIONS, allowed_actions, report_transition

pytestmark = pytest.mark.django_db

STATES = [s.value for s in Report.State]
PERSONAS = ["anonymous", "accountant_a", "accountant_b", "reviewer", "admin"]
# Who may take each action, whatever the state (the table decides the state).
MAY = {
    "submit": {"accountant_a"},
    "return": {"reviewer", "admin"},
    "approve": {"reviewer", "admin"},
    "reopen": {"admin"},
    "publish": {"admin"},
}


def row_state(report):
    return (
        Report.objects.filter(pk=report.pk).values_list("state", "version", "submitted_at", "approved_at").get(),
        ReportEvent.objects.filter(report=report).count(),
    )


@pytest.mark.parametrize("state, action", list(itertools.product(STATES, ACTIONS)))
def test_every_state_action_role(personas, seed_report, state, action):
    # No error findings in the way: this test is about the table and the rights.
    Report.objects.filter(pk=seed_report.pk).update(state=state, error_count=0)
    for name in PERSONAS:
        report = Report.objects.get(pk=seed_report.pk)
        actor = personas[name] or AnonymousUser()
        before = row_state(report)
        allowed = (state, action) in TRANSITIONS and name in MAY[action]
        if allowed:
            result = report_transition(report=report, action=action, actor=actor, reason="原因")
            assert result.state == TRANSITIONS[(state, action)].target
            event = ReportEvent.objects.filter(report=report).latest("pk")
            assert (event.action, event.from_state, event.to_state, event.actor) == (
                action,
                state,
                result.state,
                actor,
            )
            assert row_state(report)[1] == before[1] + 1
            Report.objects.filter(pk=seed_report.pk).update(state=state)  # back for the next persona
        else:
            with pytest.raises((PermissionDenied, ValidationError)):
                report_transition(report=report, action=action, actor=actor, reason="原因")
            assert row_state(report) == before, (state, action, name)


def test_allowed_actions_follow_the_table(personas, seed_report):
    assert allowed_actions(report=seed_report, user=personas["accountant_a"]) == ["submit"]
    assert allowed_actions(report=seed_report, user=personas["reviewer"]) == []
    Report.objects.filter(pk=seed_report.pk).update(state="submitted")
    seed_report.refresh_from_db()
    assert sorted(allowed_actions(report=seed_report, user=personas["reviewer"])) == ["approve", "return"]
    assert allowed_actions(report=seed_report, user=personas["accountant_b"]) == []


def test_submit_is_refused_while_errors_remain(personas, seed_report):
    seed_report.refresh_from_db()
    assert seed_report.error_count > 0  # the seed's own mistakes
    before = row_state(seed_report)
    with pytest.raises(ValidationError, match="错误"):
        report_transition(report=seed_report, action="submit", actor=personas["accountant_a"])
    assert row_state(seed_report) == before


def test_approve_with_errors_needs_a_recorded_reason(personas, seed_report):
    Report.objects.filter(pk=seed_report.pk).update(state="submitted")
    with pytest.raises(ValidationError, match="理由"):
        report_transition(report=seed_report, action="approve", actor=personas["reviewer"])
    report = report_transition(
        report=seed_report, action="approve", actor=personas["reviewer"], override="原表已公开，错误另行记录"
    )
    assert report.state == "approved"
    assert "原表已公开" in ReportEvent.objects.filter(report=report).latest("pk").message


def test_return_needs_a_reason(personas, seed_report):
    Report.objects.filter(pk=seed_report.pk).update(state="submitted")
    with pytest.raises(ValidationError) as excinfo:
        report_transition(report=seed_report, action="return", actor=personas["reviewer"], reason="  ")
    assert "reason" in excinfo.value.message_dict


def test_submission_freezes_template_and_rules(personas, seed_report):
    Report.objects.filter(pk=seed_report.pk).update(error_count=0)
    report_transition(report=seed_report, action="submit", actor=personas["accountant_a"])
    assert Template.objects.get(pk=seed_report.round.template_id).locked
    assert RuleSet.objects.get(pk=seed_report.round.rule_set_id).locked


def test_reviewer_assigned_elsewhere_cannot_act(personas, seed_report, django_user_model):
    other = django_user_model.objects.create_user("assigned_elsewhere")
    Role.objects.create(user=other, kind=Role.Kind.REVIEWER, department=personas["accountant_b"].roles.get().department)
    Report.objects.filter(pk=seed_report.pk).update(state="submitted", error_count=0)
    with pytest.raises(PermissionDenied):
        report_transition(report=seed_report, action="approve", actor=other)


def test_notification_is_sent_after_commit(personas, seed_report, mailoutbox, django_capture_on_commit_callbacks):
    personas["reviewer"].email = "reviewer@example.gov.cn"
    personas["reviewer"].save()
    Report.objects.filter(pk=seed_report.pk).update(error_count=0)
    with django_capture_on_commit_callbacks(execute=True):
        report_transition(report=seed_report, action="submit", actor=personas["accountant_a"])
    assert [m.to for m in mailoutbox] == [["reviewer@example.gov.cn"]]
    assert "已送审" in mailoutbox[0].subject


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_decisions_one_wins(personas, seed_report):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers itself")
    Report.objects.filter(pk=seed_report.pk).update(state="submitted", error_count=0)
    events_before = ReportEvent.objects.filter(report=seed_report).count()
    reviewer = personas["reviewer"]
    barrier = threading.Barrier(20)
    outcomes = []

    def decide(i):
        try:
            barrier.wait()
            action = "approve" if i % 2 else "return"
            report_transition(report=seed_report, action=action, actor=reviewer, reason="并发测试")
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1
    assert outcomes.count("refused") == 19
    assert ReportEvent.objects.filter(report=seed_report).count() == events_before + 1
    assert Report.objects.get(pk=seed_report.pk).state in ("approved", "returned")


class _DownBackend:
    """A mail server that refuses every connection (an outside service, not ours)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_a_mail_server_that_is_down_is_logged_and_the_step_stands(
    personas, seed_report, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}._DownBackend"
    personas["reviewer"].email = "reviewer@example.gov.cn"
    personas["reviewer"].save()
    Report.objects.filter(pk=seed_report.pk).update(error_count=0)
    with django_capture_on_commit_callbacks(execute=True):
        report_transition(report=seed_report, action="submit", actor=personas["accountant_a"])
    assert Report.objects.get(pk=seed_report.pk).state == "submitted"
    assert "notification submit of report" in caplog.text and "mail server down" in caplog.text
