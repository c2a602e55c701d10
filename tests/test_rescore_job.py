"""Rescoring after a configuration change: a background job, never work inside the admin's save."""

import pytest
from django.db import connection
from django.urls import reverse

from reports.models import Report, ReportEvent, RescoreJob
from reports.services.scoring import rescore_job_run
from reports.tasks import rescore_job_task
from tests.test_admin import only_open_reports, rule_set_post

pytestmark = pytest.mark.django_db
QUEUED_ONLY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def queued_only(settings):
    """A backend that only records what is enqueued, as a database queue with no worker running yet."""
    from django_tasks import task_backends

    settings.TASKS = QUEUED_ONLY  # django_tasks drops its cached backends on setting_changed
    return task_backends["default"]


def _change_rules(client, capture):
    from indicators.models import RuleSet

    only_open_reports()
    rule_set = RuleSet.objects.get(locked=False, name__startswith="上街区", version=1)
    url = reverse("admin:indicators_ruleset_change", args=[rule_set.pk])
    with capture(execute=True):
        response = client.post(url, rule_set_post(rule_set, grade_excellent="99.5"), follow=True)
    return rule_set, response


def _stored(reports):
    return {r.pk: (r.grade, r.scored_at) for r in Report.objects.filter(pk__in=[r.pk for r in reports])}


def test_the_save_only_queues_and_the_job_then_rescores(
    personas, client, queued_only, django_capture_on_commit_callbacks, settings
):
    client.force_login(personas["admin"])
    from indicators.models import RuleSet

    only_open_reports()
    rule_set = RuleSet.objects.get(locked=False, name__startswith="上街区", version=1)
    reports = list(Report.objects.filter(round__rule_set=rule_set).order_by("pk"))
    before = _stored(reports)
    url = reverse("admin:indicators_ruleset_change", args=[rule_set.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, rule_set_post(rule_set, grade_excellent="99.5"), follow=True)

    job = RescoreJob.objects.get()
    assert (job.state, job.total, job.done, job.started_at) == (RescoreJob.State.QUEUED, len(reports), 0, None)
    assert sorted(job.report_ids) == [r.pk for r in reports]
    # Enqueued after the commit, once for each worker that may share it.
    assert [r.args for r in queued_only.results] == [[job.pk]] * settings.RESCORE_WORKERS
    assert _stored(reports) == before  # the request scored nothing
    assert not ReportEvent.objects.filter(action="rescore").exists()
    html = response.content.decode()
    assert f"正在后台按修改后的设置重新计分 {len(reports)} 份未审核通过的报告。" in html
    assert reverse("admin:reports_rescorejob_change", args=[job.pk]) in html

    # What a worker does with the queued task.
    assert rescore_job_task.call(job.pk) == RescoreJob.State.DONE
    job.refresh_from_db()
    assert (job.state, job.total, job.done, job.failed, job.error) == ("done", len(reports), len(reports), 0, "")
    assert job.started_at <= job.finished_at
    seed = Report.objects.get(department__code="101001", round__year=2021)
    assert seed.grade == "良"  # 99.44 under the new 99.5 band
    assert ReportEvent.objects.filter(action="rescore", report__in=reports).count() == len(reports)
    assert "→" in ReportEvent.objects.get(report=seed, action="rescore").message

    # Delivered twice: the second run does nothing.
    rescore_job_run(job.pk)
    assert ReportEvent.objects.filter(action="rescore", report__in=reports).count() == len(reports)


def test_a_failing_report_is_recorded_and_the_others_are_rescored(
    personas, client, queued_only, django_capture_on_commit_callbacks
):
    client.force_login(personas["admin"])
    _rule_set, _response = _change_rules(client, django_capture_on_commit_callbacks)
    job = RescoreJob.objects.get()
    bad = Report.objects.get(department__code="101001", round__year=2021)
    # The database refuses to store this report's new scores (the engine itself never raises).
    table = Report._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_report() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$"
                " LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse BEFORE UPDATE ON {table} FOR EACH ROW"
                f" WHEN (NEW.id = {bad.pk}) EXECUTE FUNCTION refuse_report()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER refuse BEFORE UPDATE ON {table} WHEN NEW.id = {bad.pk}"
                " BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )

    rescore_job_run(job.pk)
    job.refresh_from_db()
    assert (job.state, job.done, job.failed) == (RescoreJob.State.FAILED, job.total, 1)
    assert f"报告 {bad.pk}：" in job.error
    others = [pk for pk in job.report_ids if pk != bad.pk]
    assert others
    assert set(ReportEvent.objects.filter(action="rescore").values_list("report_id", flat=True)) == set(others)
    assert Report.objects.get(pk=bad.pk).grade == "优"  # rolled back, as it was


def test_a_report_approved_before_the_job_runs_keeps_its_score(
    personas, client, queued_only, django_capture_on_commit_callbacks
):
    client.force_login(personas["admin"])
    _change_rules(client, django_capture_on_commit_callbacks)
    job = RescoreJob.objects.get()
    seed = Report.objects.get(department__code="101001", round__year=2021)
    Report.objects.filter(pk=seed.pk).update(state=Report.State.APPROVED)
    rescore_job_run(job.pk)
    assert Report.objects.get(pk=seed.pk).grade == "优"
    assert not ReportEvent.objects.filter(report=seed, action="rescore").exists()
    assert RescoreJob.objects.get().done == job.total


def test_the_progress_page_is_the_admins_only(personas, client, queued_only, django_capture_on_commit_callbacks):
    client.force_login(personas["admin"])
    _change_rules(client, django_capture_on_commit_callbacks)
    job = RescoreJob.objects.get()
    url = reverse("admin:reports_rescorejob_change", args=[job.pk])
    html = client.get(url).content.decode()
    assert f'<progress class="rescore-progress" value="0" max="{job.total}">' in html
    assert f"0/{job.total}" in html and "排队中" in html
    assert '<meta http-equiv="refresh" content="2">' in html  # watched until it ends
    assert 'style="' not in html and "<script>" not in html
    listing = client.get(reverse("admin:reports_rescorejob_changelist")).content.decode()
    assert url in listing

    rescore_job_run(job.pk)
    html = client.get(url).content.decode()
    assert f'value="{job.total}" max="{job.total}"' in html and "已完成" in html
    assert 'http-equiv="refresh"' not in html

    for who in ("reviewer", "accountant_a"):
        client.force_login(personas[who])
        response = client.get(url)
        assert response.status_code in (302, 403, 404), who
        assert "rescore-progress" not in response.content.decode()
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_workers_sharing_a_job_take_each_report_once(
    personas, client, queued_only, django_capture_on_commit_callbacks, monkeypatch
):
    import reports.services.scoring

    monkeypatch.setattr(reports.services.scoring, "PROGRESS_EVERY", 1)  # a report a chunk, to have several
    client.force_login(personas["admin"])
    _change_rules(client, django_capture_on_commit_callbacks)
    job = RescoreJob.objects.get()
    assert job.total >= 3
    first = reports.services.scoring._claim(job.pk)  # a worker took the first chunk and is still at it
    assert first == job.report_ids[:1]
    rescore_job_run(job.pk)  # another worker does the rest
    job.refresh_from_db()
    assert (job.state, job.claimed, job.done) == (RescoreJob.State.RUNNING, job.total, job.total - 1)
    events = ReportEvent.objects.filter(action="rescore")
    assert set(events.values_list("report_id", flat=True)) == set(job.report_ids[1:])
