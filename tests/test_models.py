"""Database constraints state the domain; the event log cannot be rewritten."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from departments.models import BudgetLine, Department, Role
from indicators.models import Template, TemplateLevel1
from reports.models import Report, ReportEvent, ReportIndicator, ReportTask

pytestmark = pytest.mark.django_db


def test_one_report_per_department_and_round(seed_report):
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(round=seed_report.round, department=seed_report.department)


def test_report_state_must_be_valid(seed_report):
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.filter(pk=seed_report.pk).update(state="lost")


@pytest.mark.parametrize(
    "model, field",
    [
        (BudgetLine, "executed"),
        (ReportTask, "budget"),
        (ReportIndicator, "weight"),
        (ReportIndicator, "self_score"),
    ],
)
def test_amounts_and_weights_are_not_negative(seed_report, model, field):
    queryset = model.objects.all()[:1]
    row = queryset.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(**{field: Decimal("-1")})


def test_accountant_role_needs_a_department(django_user_model):
    user = django_user_model.objects.create_user("nobody")
    with pytest.raises(IntegrityError), transaction.atomic():
        Role.objects.create(user=user, kind=Role.Kind.ACCOUNTANT)


def test_department_code_is_unique(db):
    Department.objects.create(code="900001", name="甲")
    with pytest.raises(IntegrityError), transaction.atomic():
        Department.objects.create(code="900001", name="乙")


def test_event_cannot_be_changed_or_deleted_through_the_model(seed_report):
    event = seed_report.events.first()
    event.message = "rewritten"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    with pytest.raises(ValidationError):
        ReportEvent.objects.filter(pk=event.pk).update(message="rewritten")
    with pytest.raises(ValidationError):
        ReportEvent.objects.filter(pk=event.pk).delete()
    assert ReportEvent.objects.get(pk=event.pk).message != "rewritten"


def test_event_cannot_be_changed_or_deleted_in_the_database(seed_report):
    event = seed_report.events.first()
    table = ReportEvent._meta.db_table
    for sql in (
        f"UPDATE {table} SET message = 'rewritten' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with pytest.raises(Exception) as excinfo, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
        assert "append-only" in str(excinfo.value)
    assert ReportEvent.objects.filter(pk=event.pk, message=event.message).exists()


def test_template_in_use_cannot_change(seed_report):
    template = seed_report.round.template
    Template.objects.filter(pk=template.pk).update(locked=True)
    template.refresh_from_db()
    template.name = "changed"
    with pytest.raises(ValidationError):
        template.save()
    node = template.level1_nodes.first()
    node.weight = Decimal("35")
    with pytest.raises(ValidationError):
        node.save()
    assert TemplateLevel1.objects.get(pk=node.pk).weight != Decimal("35")
