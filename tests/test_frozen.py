"""Approved and published results cannot change afterwards: admin edits of whatever feeds a
score are refused with a message, and the pages read the document stored at approval."""

import hashlib
import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from departments.models import BudgetLine
from indicators.models import RuleSet, Template, TemplateIndicator, TemplateLevel1
from reports.models import Report, ReportArchive, ReportEvent, Round
from tests.test_admin import admin_form, only_open_reports, rule_set_post

BUDGET_REFUSED = "年度已有报告送审或审核通过，预算情况不能再修改。"
ROUND_REFUSED = "该评价任务已有报告送审或审核通过，不能更换评分规则、指标模板或评价年度。"
CONFIG_REFUSED = "已被送审的报告使用，不能修改。"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def admin_client(client, demo):
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


@pytest.fixture
def history(demo):
    from reports.demo.history import load_history

    return load_history()


def _archive(report, capture):
    from reports.pdf.services import report_archive_request

    with capture(execute=True):
        report_archive_request(report_id=report.pk)
    archive = ReportArchive.objects.get(report=report)
    return archive


def _state(client, report, archive):
    """Everything that shows the report's result: stored scores, the public page, the
    dashboard and the archive (rows and file hash)."""
    report = Report.objects.get(pk=report.pk)
    public = client.get(reverse("public:report", args=[report.pk])).content.decode()
    dashboard = client.get(reverse("dashboard:round", args=[report.round_id])).content.decode()
    archives = list(ReportArchive.objects.filter(report=report).values_list("pk", "sha256", "version"))
    with archive.file.open("rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return {
        "stored": (report.rule_total, report.grade, report.execution_score, report.level1_scores, report.version),
        "public_total": f"{report.rule_total}" in public,
        "public_grade": report.grade in public,
        "dashboard": dashboard.count(f"{report.rule_total}"),
        "archives": archives,
        "file": digest,
    }


def _post_refused(client, url, data, message):
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200, response.status_code  # the form again, not a redirect
    assert message in html
    return html


def _round_post(round_, **changes):
    data = {
        "name": round_.name,
        "year": round_.year,
        "template": round_.template_id,
        "rule_set": round_.rule_set_id,
        "deadline": round_.deadline.isoformat(),
        "departments": [d.pk for d in round_.departments.all()],
    }
    if round_.is_open:
        data["is_open"] = "on"
    data.update(changes)
    return data


def _edit_everything_behind(client, report):
    """Post an edit of each admin model that feeds the report's score; each must be refused."""
    round_ = report.round
    line = BudgetLine.objects.get(department=report.department, year=round_.year, row="total")
    url = reverse("admin:departments_budgetline_change", args=[line.pk])
    data = admin_form(client, url)
    data["executed"] = "100"
    html = _post_refused(client, url, data, BUDGET_REFUSED)
    assert BudgetLine.objects.get(pk=line.pk).executed == line.executed
    assert 'name="executed"' in html and 'value="100"' in html  # what was typed stays

    # A copy of the rule set with 优 out of reach, and a copy of the template: switching is refused.
    stricter = RuleSet.objects.get(pk=round_.rule_set_id)
    stricter.pk, stricter.version, stricter.grade_excellent, stricter.locked = None, 99, D("99.99"), False
    stricter.save()
    other = Template.objects.get(pk=round_.template_id)
    other.pk, other.version, other.locked = None, 99, False
    other.save()
    url = reverse("admin:reports_round_change", args=[round_.pk])
    _post_refused(client, url, _round_post(round_, rule_set=stricter.pk), ROUND_REFUSED)
    _post_refused(client, url, _round_post(round_, template=other.pk), ROUND_REFUSED)
    _post_refused(client, url, _round_post(round_, year=str(round_.year + 1)), ROUND_REFUSED)
    assert Round.objects.values_list("rule_set_id", "template_id", "year").get(pk=round_.pk) == (
        round_.rule_set_id,
        round_.template_id,
        round_.year,
    )
    moved = Round.objects.get(pk=round_.pk)
    moved.year += 1
    with pytest.raises(ValidationError):
        moved.save()  # the model refuses it too, not only the admin form

    rule_set = RuleSet.objects.get(pk=round_.rule_set_id)
    url = reverse("admin:indicators_ruleset_change", args=[rule_set.pk])
    _post_refused(client, url, rule_set_post(rule_set, grade_excellent="99.99"), CONFIG_REFUSED)
    assert RuleSet.objects.get(pk=rule_set.pk).grade_excellent == rule_set.grade_excellent

    template = Template.objects.get(pk=round_.template_id)
    url = reverse("admin:indicators_template_change", args=[template.pk])
    data = admin_form(client, url)
    data["execution_weight"] = "20"
    _post_refused(client, url, data, CONFIG_REFUSED)
    data = admin_form(client, url)
    i = next(k.split("-")[1] for k, v in data.items() if k.startswith("indicators-") and k.endswith("-weight") and v)
    data[f"indicators-{i}-weight"] = "0"
    j = next(k.split("-")[1] for k, v in data.items() if k.startswith("level1_nodes-") and k.endswith("-weight") and v)
    data[f"level1_nodes-{j}-weight"] = "0"
    _post_refused(client, url, data, CONFIG_REFUSED)
    assert Template.objects.get(pk=template.pk).execution_weight == template.execution_weight
    assert TemplateIndicator.objects.get(pk=data[f"indicators-{i}-id"]).weight != 0
    assert TemplateLevel1.objects.get(pk=data[f"level1_nodes-{j}-id"]).weight != 0


@pytest.mark.parametrize("code", ["206001", "207001"])
def test_admin_edits_behind_a_published_report_are_refused_and_change_nothing(
    admin_client, media, code, django_capture_on_commit_callbacks
):
    report = Report.objects.select_related("round", "department").get(department__code=code, round__year=2021)
    assert report.state == Report.State.PUBLISHED
    archive = _archive(report, django_capture_on_commit_callbacks)
    before = _state(admin_client, report, archive)
    assert before["public_total"] and before["public_grade"] and before["dashboard"]
    _edit_everything_behind(admin_client, report)
    assert _state(admin_client, report, archive) == before


def test_admin_edits_behind_the_2020_report_published_without_a_submit_are_refused(
    admin_client, media, history, django_capture_on_commit_callbacks
):
    report = Report.objects.select_related("round", "department").get(department__code="206001", round__year=2020)
    assert report.state == Report.State.PUBLISHED
    # Walked to published without the workflow's submit: its configuration was never flagged locked.
    assert not report.round.rule_set.locked and not report.round.template.locked
    archive = _archive(report, django_capture_on_commit_callbacks)
    before = _state(admin_client, report, archive)
    _edit_everything_behind(admin_client, report)
    assert _state(admin_client, report, archive) == before


def test_model_save_refuses_as_the_last_line_of_defence(demo, history):
    report = Report.objects.get(department__code="206001", round__year=2020)
    line = BudgetLine.objects.get(department=report.department, year=2020, row="total")
    line.executed = D("1")
    with pytest.raises(ValidationError, match="预算情况不能再修改"):
        line.save()
    with pytest.raises(ValidationError):
        BudgetLine.objects.get(pk=line.pk).delete()
    rule_set = report.round.rule_set
    rule_set.grade_excellent = D("99.99")
    with pytest.raises(ValidationError, match="不能修改"):
        rule_set.save()
    node = TemplateLevel1.objects.filter(template=report.round.template).first()
    node.weight = D("1")
    with pytest.raises(ValidationError, match="不能修改"):
        node.save()
    round_ = report.round
    round_.rule_set = RuleSet.objects.exclude(pk=round_.rule_set_id).first()
    with pytest.raises(ValidationError, match="不能更换"):
        round_.save()


def test_the_report_page_cannot_change_a_budget_another_report_of_the_year_was_scored_on(demo):
    """Two rounds of 2021 for one department: the draft's budget block is the published one's too."""
    from django.core.exceptions import ValidationError

    from reports.services.editing import report_load, report_save, report_start

    published = Report.objects.get(department__code="206001", round__year=2021)
    extra = Round.objects.create(
        name="2021年度专项",
        year=2021,
        template=published.round.template,
        rule_set=published.round.rule_set,
        deadline=published.round.deadline,
    )
    extra.departments.add(published.department)
    accountant = get_user_model().objects.create_user("acct206")
    from departments.models import Role

    Role.objects.create(user=accountant, kind=Role.Kind.ACCOUNTANT, department=published.department)
    draft = report_start(round_=extra, department=published.department, actor=accountant)
    draft = report_load(draft.pk)
    with pytest.raises(ValidationError) as raised:
        report_save(
            report_id=draft.pk,
            actor=accountant,
            data={"budget": {"total": {"executed": D("1")}}},
            expected_version=draft.version,
        )
    assert "预算情况不能再修改" in str(raised.value)


def test_a_budget_changed_behind_the_admin_does_not_move_approved_or_published_scores(client, demo, media):
    """A queryset update skips every model check: the pages still read what was approved."""
    from reports.interchange.store import report_queryset
    from reports.pdf.context import build
    from reports.xlsx.services import report_xlsx
    from reports.xlsx.summary import round_summary_csv

    client.force_login(get_user_model().objects.get(username="admin"))
    report = Report.objects.select_related("round").get(department__code="206001", round__year=2021)
    approved = Report.objects.get(department__code="204001", round__year=2021)
    assert approved.state == Report.State.APPROVED
    pdf_before = build(report_queryset().get(pk=report.pk))
    public_before = client.get(reverse("public:report", args=[report.pk])).content.decode()
    review_before = client.get(reverse("review:report", args=[approved.pk])).content.decode()
    xlsx_before = report_xlsx(report)
    stored = (report.rule_total, report.grade)
    csv_before = "".join(round_summary_csv(report.round))

    BudgetLine.objects.filter(department__code__in=["206001", "204001"], year=2021).update(executed=D("100"))

    report = Report.objects.get(pk=report.pk)
    assert (report.rule_total, report.grade) == stored
    pdf = build(report_queryset().get(pk=report.pk))
    assert (pdf.total, pdf.grade, pdf.budget) == (pdf_before.total, pdf_before.grade, pdf_before.budget)
    public = client.get(reverse("public:report", args=[report.pk])).content.decode()
    assert _without_tokens(public) == _without_tokens(public_before)
    review = client.get(reverse("review:report", args=[approved.pk])).content.decode()
    assert _without_tokens(review) == _without_tokens(review_before)
    assert _cells(report_xlsx(report)) == _cells(xlsx_before)
    assert "".join(round_summary_csv(report.round)) == csv_before
    dashboard = client.get(reverse("dashboard:round", args=[report.round_id])).content.decode()
    assert f"{stored[0]}" in dashboard


def _without_tokens(html: str) -> str:
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|name="csrf-token" content="[^"]+"', "", html)


def _cells(data: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [[cell.value for row in sheet.iter_rows() for cell in row] for sheet in book.worksheets]


def test_a_rule_set_change_writes_an_event_on_each_rescored_report(admin_client, django_capture_on_commit_callbacks):
    round_ = Round.objects.get(year=2021)
    only_open_reports(round_)
    reports = {r.pk: r.rule_total for r in Report.objects.filter(round=round_)}
    assert reports
    rule_set = RuleSet.objects.get(pk=round_.rule_set_id)
    url = reverse("admin:indicators_ruleset_change", args=[rule_set.pk])
    with django_capture_on_commit_callbacks(execute=True):  # the rescoring job runs once the save commits
        response = admin_client.post(
            url,
            rule_set_post(rule_set, execution_cap="", total_caps_by_execution="100 50"),
            follow=True,
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert "重新计分" in response.content.decode() or "rescored" in response.content.decode().lower()
    for pk, old in reports.items():
        event = ReportEvent.objects.filter(report_id=pk, action="rescore").get()
        new = Report.objects.get(pk=pk).rule_total
        assert f"评分规则“{rule_set}”已修改" in event.message
        assert event.old_value == (f"{old.normalize():f}" if old is not None else "")
        assert event.new_value == (f"{new.normalize():f}" if new is not None else "")
        assert "→" in event.message


def test_an_open_rounds_configuration_can_still_be_edited_and_rescored(
    admin_client, django_capture_on_commit_callbacks
):
    round_ = Round.objects.get(year=2021)
    only_open_reports(round_)
    seed = Report.objects.get(department__code="101001", round=round_)
    assert seed.state in Report.EDITABLE_STATES
    line = BudgetLine.objects.get(department=seed.department, year=2021, row="total")
    url = reverse("admin:departments_budgetline_change", args=[line.pk])
    data = admin_form(admin_client, url)
    data["executed"] = str(line.annual / 2)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, data, follow=True)
    assert response.status_code == 200 and BUDGET_REFUSED not in response.content.decode()
    assert BudgetLine.objects.get(pk=line.pk).executed == line.annual / 2
    event = ReportEvent.objects.get(report=seed, action="rescore")
    assert "预算情况已修改" in event.message
    assert Report.objects.get(pk=seed.pk).rule_total < seed.rule_total

    stricter = RuleSet.objects.get(pk=round_.rule_set_id)
    stricter.pk, stricter.version = None, 97
    stricter.save()
    url = reverse("admin:reports_round_change", args=[round_.pk])
    response = admin_client.post(url, _round_post(round_, rule_set=stricter.pk), follow=True)
    assert ROUND_REFUSED not in response.content.decode()
    assert Round.objects.get(pk=round_.pk).rule_set_id == stricter.pk
