"""The bureau admin finds the seed report complete in the Django admin, in Chinese."""

import json
import re
from decimal import Decimal as D
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from departments.models import Department
from reports.models import Report

SEED = json.loads((Path(__file__).parent / "data" / "seed_expected.json").read_text(encoding="utf-8"))
pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_demo(client, demo):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.get(username="admin")
    client.force_login(admin)
    return client


def test_admin_shows_the_seed_report_complete(admin_client_demo, seed_report):
    response = admin_client_demo.get(reverse("admin:reports_report_change", args=[seed_report.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for task in ("机关运行", "城乡社区服务群众专项工作", "社区发展治理工作"):
        assert task in html
    for row in SEED["indicators"]:
        assert row["level3"] in html
    for fragment in SEED["narrative_fragments"].values():
        assert fragment in html
    assert 'value="134.48"' in html  # exact decimals shown plainly, not 134.480000
    assert "99.44" in html and "99.34" in html


def test_admin_shows_the_five_budget_rows(admin_client_demo):
    dept = Department.objects.get(code="101001")
    response = admin_client_demo.get(reverse("admin:departments_department_change", args=[dept.pk]))
    html = response.content.decode()
    assert html.count('name="budget_lines-') >= 5 * 6
    for value in ("477.48", "451.06", "134.48", "135.35", "343.00", "315.71"):
        assert f'value="{value}"' in html


def test_admin_is_chinese_whatever_the_browser_asks(admin_client_demo):
    response = admin_client_demo.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert "评价任务与自评报告" in html
    assert "站点管理" in html or "管理" in html
    assert "Site administration" not in html


def test_admin_report_list_sorts_and_filters(admin_client_demo):
    url = reverse("admin:reports_report_changelist")
    response = admin_client_demo.get(url, {"state__exact": "returned"})
    assert response.status_code == 200
    assert "区民政局" in response.content.decode()
    assert "区教育局" not in response.content.decode()
    response = admin_client_demo.get(url, {"q": "101001"})
    assert "中共上街区委社治委" in response.content.decode()


def test_admin_actions_go_through_the_workflow(admin_client_demo, seed_report):
    from reports.models import Report, ReportEvent

    Report.objects.filter(pk=seed_report.pk).update(state="submitted")
    url = reverse("admin:reports_report_changelist")
    # The first step asks for a reason; without one nothing changes.
    response = admin_client_demo.post(url, {"action": "action_return", "_selected_action": [seed_report.pk]})
    assert response.status_code == 200 and "原因（必填）" in response.content.decode()
    response = admin_client_demo.post(
        url,
        {"action": "action_return", "_selected_action": [seed_report.pk], "confirm": "1", "reason": ""},
        follow=True,
    )
    assert "请填写原因" in response.content.decode()
    assert Report.objects.get(pk=seed_report.pk).state == "submitted"
    admin_client_demo.post(
        url,
        {"action": "action_return", "_selected_action": [seed_report.pk], "confirm": "1", "reason": "请补充原因分析"},
    )
    event = ReportEvent.objects.filter(report=seed_report).latest("pk")
    assert (event.action, event.to_state, event.actor.username, event.message) == (
        "return",
        "returned",
        "admin",
        "请补充原因分析",
    )


def test_admin_cannot_edit_a_submitted_report(admin_client_demo, seed_report):
    from reports.models import Report

    Report.objects.filter(pk=seed_report.pk).update(state="submitted")
    url = reverse("admin:reports_report_change", args=[seed_report.pk])
    response = admin_client_demo.post(url, {"goal": "rewritten"})
    assert response.status_code == 403
    assert Report.objects.get(pk=seed_report.pk).goal != "rewritten"


def only_open_reports(round_=None):
    """Move the round's frozen reports to a round of their own: what is left may be rescored."""
    from indicators.models import RuleSet, Template
    from reports.models import Round

    round_ = round_ or Round.objects.get(year=2021)
    frozen = Report.objects.filter(round=round_, state__in=Report.FROZEN_STATES)
    rule_set = RuleSet.objects.get(pk=round_.rule_set_id)
    rule_set.pk, rule_set.version, rule_set.locked = None, 98, False
    rule_set.save()
    template = Template.objects.get(pk=round_.template_id)
    template.pk, template.version, template.locked = None, 98, False
    template.save()
    aside = Round.objects.create(
        name="已审核", year=round_.year, template=template, rule_set=rule_set, deadline=round_.deadline
    )
    frozen.update(round=aside)


def caps_box(html: str) -> str:
    """What the caps text box shows."""
    return re.search(r'<textarea name="total_caps_by_execution"[^>]*>\n?(.*?)</textarea>', html, re.S).group(1)


def rule_set_post(rule_set, **changes) -> dict:
    """The rule set's admin form as the browser posts it."""
    from indicators.admin import RuleSetAdmin

    special = ("locked", "execution_cap", "total_caps_by_execution")
    fields = [f for _, opts in RuleSetAdmin.fieldsets for f in opts["fields"] if f not in special]
    data = {f: "" if getattr(rule_set, f) is None else str(getattr(rule_set, f)) for f in fields}
    if rule_set.execution_cap:
        data["execution_cap"] = "on"
    data["total_caps_by_execution"] = ""
    data.update(changes)
    return data


def test_rule_set_caps_are_typed_a_band_a_line(admin_client_demo):
    from indicators.models import RuleSet

    only_open_reports()  # configuration behind a submitted or approved report is refused
    rule_set = RuleSet.objects.get(locked=False, name__startswith="上街区", version=1)
    url = reverse("admin:indicators_ruleset_change", args=[rule_set.pk])
    assert caps_box(admin_client_demo.get(url).content.decode()) == ""  # no JSON "[]" to read or write

    response = admin_client_demo.post(url, rule_set_post(rule_set, total_caps_by_execution="80 89\r\n７０％，79.5\r\n"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule_set.refresh_from_db()
    assert rule_set.total_caps_by_execution == [["80", "89"], ["70", "79.5"]]
    assert rule_set.engine_caps() == ((80, 89), (70, 79.5))
    assert caps_box(admin_client_demo.get(url).content.decode()) == "80 89\n70 79.5"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("80", "第 1 行“80”：应为两个数，执行率下限和总分上限，如“80 89”。"),
        ("80 89\n低于八成 89", "第 2 行“低于八成 89”：应为两个数"),
        ("180 89", "第 1 行“180 89”：执行率下限应在 0–100 之间"),
    ],
)
def test_rule_set_caps_refused_at_the_field_and_nothing_saved(admin_client_demo, typed, message):
    from indicators.models import RuleSet

    only_open_reports()  # configuration behind a submitted or approved report is refused
    rule_set = RuleSet.objects.get(locked=False, name__startswith="上街区", version=1)
    before = rule_set.total_caps_by_execution
    url = reverse("admin:indicators_ruleset_change", args=[rule_set.pk])
    response = admin_client_demo.post(url, rule_set_post(rule_set, name="改过的名称", total_caps_by_execution=typed))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["total_caps_by_execution"]
    assert message in " ".join(errors["total_caps_by_execution"])
    assert caps_box(response.content.decode()) == typed  # what was typed stays, to be corrected
    rule_set.refresh_from_db()
    assert rule_set.total_caps_by_execution == before and rule_set.name != "改过的名称"


def test_admin_index_is_chinese_throughout(admin_client_demo):
    """django_tasks_db ships no Chinese: its section and model are named in our catalogue."""
    html = admin_client_demo.get(reverse("admin:index")).content.decode()
    assert "后台任务" in html and "任务记录" in html
    assert "Tasks Database Backend" not in html and "Task Results" not in html


def test_admin_lists_archives_and_renders_and_archives_a_failed_one_again(admin_client_demo, settings, tmp_path):
    """Archives and render requests are audit records: listed, linked, never edited; a failed
    archive render can be asked for again (the approval stands whatever became of its PDF)."""
    from reports.models import ReportArchive, ReportRender
    from reports.pdf.archive import report_archive_create
    from reports.pdf.render import render_pdf

    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    approved = Report.objects.filter(state="approved").order_by("pk").first()
    archive = report_archive_create(report=approved, pdf=render_pdf(approved.pk).pdf)
    failed = ReportRender.objects.create(
        report=approved, purpose=ReportRender.Purpose.ARCHIVE, status=ReportRender.Status.FAILED, error="字体缺失"
    )

    html = admin_client_demo.get(reverse("admin:reports_reportarchive_changelist")).content.decode()
    assert archive.sha256[:12] in html
    link = reverse("pdf:archive", kwargs={"pk": approved.pk, "version": 1})
    assert f'href="{link}"' in html
    pdf = admin_client_demo.get(link)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    change = admin_client_demo.get(reverse("admin:reports_reportarchive_change", args=[archive.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()  # read-only

    renders = reverse("admin:reports_reportrender_changelist")
    assert "字体缺失" in admin_client_demo.get(renders).content.decode()
    response = admin_client_demo.post(
        renders, {"action": "archive_again", "_selected_action": [failed.pk]}, follow=True
    )
    assert "已申请 1 份归档 PDF。" in response.content.decode()
    again = ReportRender.objects.exclude(pk=failed.pk).get(report=approved, purpose=ReportRender.Purpose.ARCHIVE)
    assert again.status == ReportRender.Status.QUEUED
    assert ReportArchive.objects.filter(report=approved).count() == 1  # nothing written until it runs


def test_changing_the_rules_rescores_the_open_reports_only(admin_client_demo, django_capture_on_commit_callbacks):
    """Lists and the dashboard sort by stored scores: they follow the rules an admin edits,
    while approved and published scores stay as they were approved."""
    from indicators.models import RuleSet

    only_open_reports()  # configuration behind a submitted or approved report is refused
    rule_set = RuleSet.objects.get(locked=False, name__startswith="上街区", version=1)
    reports = Report.objects.filter(round__rule_set=rule_set)
    before = {r.pk: (r.state, r.grade, r.rule_total) for r in reports}
    assert before[Report.objects.get(department__code="101001", round__year=2021).pk][1:] == ("优", D("99.44"))

    url = reverse("admin:indicators_ruleset_change", args=[rule_set.pk])
    with django_capture_on_commit_callbacks(execute=True):  # the rescoring job runs once the save commits
        response = admin_client_demo.post(url, rule_set_post(rule_set, grade_excellent="99.5"), follow=True)
    open_reports = [pk for pk, (state, *_) in before.items() if state not in ("approved", "published")]
    assert f"正在后台按修改后的设置重新计分 {len(open_reports)} 份未审核通过的报告。" in response.content.decode()

    for report in reports.all():  # read again
        _state, grade, total = before[report.pk]
        assert report.rule_total == total  # the bands moved, not the scores
        if report.pk in open_reports:
            assert report.grade == ("优" if total >= D("99.5") else "良" if total >= 80 else grade)
        else:
            assert report.grade == grade
    seed = Report.objects.get(department__code="101001", round__year=2021)
    assert seed.grade == "良"
    assert seed.findings.filter(code="total.differs").exists()


def test_switching_a_rounds_rule_set_rescores_its_open_reports(admin_client_demo, django_capture_on_commit_callbacks):
    from indicators.models import RuleSet
    from reports.models import Round

    round_ = Round.objects.get(year=2021)
    only_open_reports(round_)
    stricter = RuleSet.objects.get(pk=round_.rule_set_id)
    stricter.pk, stricter.version, stricter.grade_excellent = None, 99, D("99.5")
    stricter.save()
    data = {
        "name": round_.name,
        "year": round_.year,
        "template": round_.template_id,
        "rule_set": stricter.pk,
        "deadline": round_.deadline.isoformat(),
        "departments": [d.pk for d in round_.departments.all()],
    }
    if round_.is_open:
        data["is_open"] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_demo.post(reverse("admin:reports_round_change", args=[round_.pk]), data, follow=True)
    assert "正在后台按修改后的设置重新计分" in response.content.decode()
    assert Report.objects.get(department__code="101001", round__year=2021).grade == "良"
    assert Report.objects.get(department__code="207001", round__year=2021).grade == "优"  # published 97.80: as approved


class _FormFields(HTMLParser):
    """The fields of an admin change form as the browser would post them."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.data[name] = "on"
            else:
                self.data[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data.removeprefix("\n") if not self.data[self._textarea] else data


def admin_form(client, url: str) -> dict:
    parser = _FormFields()
    parser.feed(client.get(url).content.decode())
    parser.data.pop("csrfmiddlewaretoken", None)
    return {k: v for k, v in parser.data.items() if "__prefix__" not in k}


def test_changing_a_templates_level1_weights_rescores_the_open_reports(
    admin_client_demo, django_capture_on_commit_callbacks
):
    from indicators.models import Template

    only_open_reports()
    template = Template.objects.get(year=2021, locked=False, version=1)
    seed = Report.objects.get(department__code="101001", round__year=2021)
    moved = seed.findings.get(where="template.可持续性指标")
    assert (moved.code, moved.severity) == ("template.weight_moved", "info")  # dropped, its 10 points moved
    url = reverse("admin:indicators_template_change", args=[template.pk])
    data = admin_form(admin_client_demo, url)
    # 可持续性指标 applies again with its standard 10 points: the seed's weights no longer add up.
    i = next(k.split("-")[1] for k, v in data.items() if k.endswith("-name") and v == "可持续性指标")
    data[f"level1_nodes-{i}-applicable"] = "on"
    data[f"level1_nodes-{i}-weight"] = "10"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_demo.post(url, data, follow=True)
    assert response.status_code == 200
    assert "正在后台按修改后的设置重新计分" in response.content.decode(), response.content.decode()[:2000]
    # Now it applies with 10 points and no rows of its own: the stored findings say so.
    now = seed.findings.get(where="template.可持续性指标")
    assert now.severity == "error" and "三级指标分值合计 0" in now.message
