"""Rescoring after a configuration change: a background job, never work inside the admin's save."""

import io
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from reports.enums import RESCORABLE_STATES
from reports.models import Report, ReportEvent, RescoreJob
from reports.selectors import report_queryset
from reports.services import scoring
from reports.services.scoring import report_score, rescore_job_run
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
    monkeypatch.setattr(scoring, "PROGRESS_EVERY", 1)  # a report a chunk, to have several
    client.force_login(personas["admin"])
    _change_rules(client, django_capture_on_commit_callbacks)
    job = RescoreJob.objects.get()
    assert job.total >= 3
    first = scoring._claim(job.pk)  # a worker took the first chunk and is still at it
    assert first.ids == job.report_ids[:1]
    rescore_job_run(job.pk)  # another worker does the rest
    job.refresh_from_db()
    assert (job.state, job.claimed, job.done) == (RescoreJob.State.RUNNING, job.total, job.total - 1)
    events = ReportEvent.objects.filter(action="rescore")
    assert set(events.values_list("report_id", flat=True)) == set(job.report_ids[1:])


# ------------------------------------------------------------------ admin saves of one object only enqueue


def _queued_job(queued_only, settings, report_ids):
    """The one job the save recorded, enqueued after the commit and not yet run."""
    job = RescoreJob.objects.get()
    assert (job.state, job.done) == (RescoreJob.State.QUEUED, 0)
    assert sorted(job.report_ids) == sorted(report_ids)
    assert [r.args for r in queued_only.results] == [[job.pk]] * settings.RESCORE_WORKERS
    return job


def test_a_report_edited_in_the_admin_is_rescored_by_a_job_of_one(
    personas, client, queued_only, django_capture_on_commit_callbacks, settings
):
    from tests.test_admin import admin_form

    client.force_login(personas["admin"])
    seed = Report.objects.get(department__code="101001", round__year=2021)
    assert seed.self_total == D("99.34")
    url = reverse("admin:reports_report_change", args=[seed.pk])
    data = admin_form(client, url)
    data["execution_self_score"] = "5"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert Report.objects.get(pk=seed.pk).execution_self_score == D("5")  # saved
    job = _queued_job(queued_only, settings, [seed.pk])
    assert _stored([seed]) == _stored_before(seed)  # the request scored nothing
    assert Report.objects.get(pk=seed.pk).self_total == D("99.34")
    html = response.content.decode()
    assert "正在后台重新计分这份报告。" in html
    assert reverse("admin:reports_rescorejob_change", args=[job.pk]) in html

    assert rescore_job_task.call(job.pk) == RescoreJob.State.DONE
    assert Report.objects.get(pk=seed.pk).self_total == D("99.34") - D("9.45") + D("5")
    assert ReportEvent.objects.filter(report=seed, action="rescore").count() == 1


def _stored_before(report):
    return {report.pk: (report.grade, report.scored_at)}


def _budget_post(client, department, year, executed):
    from tests.test_admin import admin_form

    url = reverse("admin:departments_department_change", args=[department.pk])
    data = admin_form(client, url)
    i = next(
        k.split("-")[1]
        for k, v in data.items()
        if k.startswith("budget_lines-") and k.endswith("-row") and v == "total"
        if data[k.replace("-row", "-year")] == str(year)
    )
    data[f"budget_lines-{i}-executed"] = executed
    return url, data


def test_a_departments_budget_edited_inline_is_rescored_by_a_job(
    personas, client, queued_only, django_capture_on_commit_callbacks, settings
):
    from departments.models import BudgetLine

    only_open_reports()
    client.force_login(personas["admin"])
    seed = Report.objects.get(department__code="101001", round__year=2021)
    line = BudgetLine.objects.get(department=seed.department, year=2021, row="total")
    url, data = _budget_post(client, seed.department, 2021, str(line.annual / 2))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert BudgetLine.objects.get(pk=line.pk).executed == line.annual / 2  # saved
    job = _queued_job(queued_only, settings, [seed.pk])
    assert Report.objects.get(pk=seed.pk).rule_total == seed.rule_total  # not yet rescored
    assert reverse("admin:reports_rescorejob_change", args=[job.pk]) in response.content.decode()

    rescore_job_run(job.pk)
    assert Report.objects.get(pk=seed.pk).rule_total < seed.rule_total
    assert "预算情况已修改" in ReportEvent.objects.get(report=seed, action="rescore").message


def test_an_unchanged_department_save_queues_nothing(personas, client, queued_only, django_capture_on_commit_callbacks):
    from tests.test_admin import admin_form

    only_open_reports()
    client.force_login(personas["admin"])
    seed = Report.objects.get(department__code="101001", round__year=2021)
    url = reverse("admin:departments_department_change", args=[seed.department.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, admin_form(client, url), follow=True).status_code == 200
    assert not RescoreJob.objects.exists() and not queued_only.results


def test_a_budget_line_deleted_in_the_admin_is_rescored_by_a_job(
    personas, client, queued_only, django_capture_on_commit_callbacks, settings
):
    from departments.models import BudgetLine

    only_open_reports()
    client.force_login(personas["admin"])
    seed = Report.objects.get(department__code="101001", round__year=2021)
    line = BudgetLine.objects.get(department=seed.department, year=2021, row="total")
    url = reverse("admin:departments_budgetline_delete", args=[line.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"post": "yes"}, follow=True)
    assert response.status_code == 200 and not BudgetLine.objects.filter(pk=line.pk).exists()
    job = _queued_job(queued_only, settings, [seed.pk])
    assert reverse("admin:reports_rescorejob_change", args=[job.pk]) in response.content.decode()
    assert Report.objects.get(pk=seed.pk).scored_at == seed.scored_at


def test_a_budget_line_moved_to_another_year_rescores_both_years(
    personas, client, queued_only, django_capture_on_commit_callbacks
):
    from departments.models import BudgetLine
    from tests.test_admin import admin_form

    client.force_login(personas["admin"])
    seed = Report.objects.get(department__code="101001", round__year=2021)
    line = BudgetLine.objects.get(department=seed.department, year=2021, row="total")
    url = reverse("admin:departments_budgetline_change", args=[line.pk])
    data = admin_form(client, url)
    data["year"] = "2019"  # no report that year: only 2021's loses the line
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data, follow=True).status_code == 200
    assert BudgetLine.objects.get(pk=line.pk).year == 2019
    assert RescoreJob.objects.get().report_ids == [seed.pk]


# ------------------------------------------------------------------ a worker that dies mid-job


def _a_job_a_worker_took(personas, client, capture) -> RescoreJob:
    """The job an admin's rule change queued, claimed by a worker (which may then die)."""
    client.force_login(personas["admin"])
    _change_rules(client, capture)
    job = RescoreJob.objects.get()
    scoring._claim(job.pk)
    return job


def _go_stale(job, settings):
    """No progress for longer than RESCORE_STALE_MINUTES: as if its workers died that long ago."""
    back = timezone.now() - timedelta(minutes=settings.RESCORE_STALE_MINUTES + 1)
    RescoreJob.objects.filter(pk=job.pk).update(heartbeat_at=back)


def _fresh_run(report_ids):
    """What a fresh run stores for each report: the engine's result over it as it stands."""
    expected = {}
    for report in report_queryset().filter(pk__in=report_ids):
        result = report_score(report)
        expected[report.pk] = (result.total, result.self_total, result.grade, len(result.findings))
    return expected


def _scores(report_ids):
    return {
        r.pk: (r.rule_total, r.self_total, r.grade, r.findings.count())
        for r in Report.objects.filter(pk__in=report_ids)
    }


def test_the_stale_minutes_have_a_default():
    from django.conf import settings

    assert settings.RESCORE_STALE_MINUTES == 10


def test_a_job_whose_worker_died_resumes_and_finishes_as_a_fresh_run_would(
    personas, client, queued_only, django_capture_on_commit_callbacks, monkeypatch, settings
):
    monkeypatch.setattr(scoring, "PROGRESS_EVERY", 1)  # a report a chunk, to have several
    client.force_login(personas["admin"])
    _change_rules(client, django_capture_on_commit_callbacks)
    job = RescoreJob.objects.get()
    assert job.total >= 3
    # A worker started, rescored the first report, took the second and died: its chunk's
    # transaction never committed.
    first = scoring._claim(job.pk)
    assert scoring._rescore_chunk(RescoreJob.objects.get(pk=job.pk), first)
    scoring._claim(job.pk)
    job.refresh_from_db()
    assert (job.state, job.done, job.claimed) == (RescoreJob.State.RUNNING, 1, 2)
    expected = _fresh_run(job.report_ids)

    rescore_job_run(job.pk)  # a worker within the minutes leaves the dead one's chunk alone
    job.refresh_from_db()
    assert (job.state, job.done) == (RescoreJob.State.RUNNING, job.total - 1)
    assert not job.stale

    _go_stale(job, settings)
    assert RescoreJob.objects.get(pk=job.pk).stale
    assert rescore_job_task.call(job.pk) == RescoreJob.State.DONE
    job.refresh_from_db()
    assert (job.state, job.done, job.failed, job.error) == (RescoreJob.State.DONE, job.total, 0, "")
    assert _scores(job.report_ids) == expected
    events = ReportEvent.objects.filter(action="rescore")
    assert sorted(events.values_list("report_id", flat=True)) == sorted(job.report_ids)  # each once


def test_a_job_whose_workers_all_died_before_claiming_everything_resumes(
    personas, client, queued_only, django_capture_on_commit_callbacks, monkeypatch, settings
):
    monkeypatch.setattr(scoring, "PROGRESS_EVERY", 1)
    client.force_login(personas["admin"])
    _change_rules(client, django_capture_on_commit_callbacks)
    job = RescoreJob.objects.get()
    expected = _fresh_run(job.report_ids)
    scoring._claim(job.pk)  # the only worker took the first chunk and died
    _go_stale(job, settings)
    rescore_job_run(job.pk)
    job.refresh_from_db()
    assert (job.state, job.done) == (RescoreJob.State.DONE, job.total)
    assert _scores(job.report_ids) == expected
    assert ReportEvent.objects.filter(action="rescore").count() == job.total


def test_a_worker_back_from_the_dead_writes_nothing_twice(
    personas, client, queued_only, django_capture_on_commit_callbacks, monkeypatch, settings
):
    monkeypatch.setattr(scoring, "PROGRESS_EVERY", 1)
    client.force_login(personas["admin"])
    _change_rules(client, django_capture_on_commit_callbacks)
    job = RescoreJob.objects.get()
    late = scoring._claim(job.pk)  # this worker hangs past the minutes
    _go_stale(job, settings)
    rescore_job_run(job.pk)  # another takes its chunk over and finishes the job
    assert RescoreJob.objects.get(pk=job.pk).state == RescoreJob.State.DONE
    assert not scoring._rescore_chunk(RescoreJob.objects.get(pk=job.pk), late)  # its work is refused
    job.refresh_from_db()
    assert (job.state, job.done) == (RescoreJob.State.DONE, job.total)
    assert ReportEvent.objects.filter(action="rescore").count() == job.total


def test_a_stale_job_never_rescores_an_approved_report(
    personas, client, queued_only, django_capture_on_commit_callbacks, monkeypatch, settings
):
    monkeypatch.setattr(scoring, "PROGRESS_EVERY", 1)
    client.force_login(personas["admin"])
    _change_rules(client, django_capture_on_commit_callbacks)
    job = RescoreJob.objects.get()
    chunk = scoring._claim(job.pk)
    Report.objects.filter(pk=chunk.ids[0]).update(state=Report.State.APPROVED)  # approved meanwhile
    before = _scores(chunk.ids)
    _go_stale(job, settings)
    rescore_job_run(job.pk)
    assert _scores(chunk.ids) == before
    assert not ReportEvent.objects.filter(report_id=chunk.ids[0], action="rescore").exists()
    assert RescoreJob.objects.get(pk=job.pk).done == job.total


def test_the_admin_shows_a_stale_job_and_requeues_it(
    personas, client, queued_only, django_capture_on_commit_callbacks, monkeypatch, settings
):
    monkeypatch.setattr(scoring, "PROGRESS_EVERY", 1)
    client.force_login(personas["admin"])
    _change_rules(client, django_capture_on_commit_callbacks)
    job = RescoreJob.objects.get()
    queued_only.clear()
    scoring._claim(job.pk)
    listing = reverse("admin:reports_rescorejob_changelist")
    assert "已停滞" not in client.get(listing).content.decode()

    # Refused while it is still moving.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(listing, {"action": "requeue", "_selected_action": [job.pk]}, follow=True)
    assert "1 个任务仍在进行或已结束，未重新排队。" in response.content.decode()
    assert not queued_only.results

    _go_stale(job, settings)
    html = client.get(listing).content.decode()
    assert "已停滞" in html and "重新排队" in html
    assert "已停滞" in client.get(reverse("admin:reports_rescorejob_change", args=[job.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(listing, {"action": "requeue", "_selected_action": [job.pk]}, follow=True)
    assert "已重新排队 1 个重新计分任务。" in response.content.decode()
    assert [r.args for r in queued_only.results] == [[job.pk]] * settings.RESCORE_WORKERS
    assert not RescoreJob.objects.get(pk=job.pk).stale  # requeued: waits for its workers again

    assert rescore_job_task.call(job.pk) == RescoreJob.State.DONE
    job.refresh_from_db()
    assert job.done == job.total
    assert ReportEvent.objects.filter(action="rescore").count() == job.total


def test_the_next_enqueue_requeues_a_stale_job(
    personas, client, queued_only, django_capture_on_commit_callbacks, settings
):
    stale = _a_job_a_worker_took(personas, client, django_capture_on_commit_callbacks)
    _go_stale(stale, settings)
    queued_only.clear()
    seed = Report.objects.get(department__code="101001", round__year=2021)
    with django_capture_on_commit_callbacks(execute=True):
        job = scoring.rescore_job_create(reports=[seed], what="测试")
    assert sorted(r.args[0] for r in queued_only.results) == sorted([job.pk, stale.pk] * settings.RESCORE_WORKERS)
    assert not RescoreJob.objects.get(pk=stale.pk).stale


def test_a_rounds_year_changed_in_the_admin_queues_its_open_reports(
    personas, client, queued_only, django_capture_on_commit_callbacks, settings
):
    from reports.models import Round
    from tests.test_admin import admin_form

    round_ = Round.objects.get(year=2021)
    only_open_reports(round_)
    client.force_login(personas["admin"])
    reports = list(Report.objects.filter(round=round_, state__in=RESCORABLE_STATES))
    url = reverse("admin:reports_round_change", args=[round_.pk])
    data = admin_form(client, url)
    data["year"] = "2022"  # the departments' 2022 budget lines, none: the budget block empties
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data, follow=True).status_code == 200
    job = _queued_job(queued_only, settings, [r.pk for r in reports])
    assert "年度改为“2022”" in job.what
    assert _stored(reports) == {r.pk: (r.grade, r.scored_at) for r in reports}


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_chunk_commits_nothing_and_the_next_one_finishes(demo, queued_only, settings):
    """A real worker process, killed while its chunk's transaction is open: PostgreSQL drops the chunk."""
    import os
    import subprocess
    import sys
    import time

    from django.db import transaction

    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs the server's database")
    reports = Report.objects.filter(state__in=RESCORABLE_STATES).order_by("pk")
    job = scoring.rescore_job_create(reports=reports, what="测试")
    assert 2 <= job.total <= scoring.PROGRESS_EVERY  # one chunk
    first, second = job.report_ids[:2]
    before = Report.objects.get(pk=first).scored_at
    expected = _fresh_run(job.report_ids)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "perfeval.settings",
    }
    code = (
        "import django; django.setup()\n"
        "from reports.services.scoring import rescore_job_run\n"
        f"rescore_job_run({job.pk})\n"
    )
    with transaction.atomic():
        # The second report is being saved elsewhere: the worker rescores the first, then waits.
        Report.objects.select_for_update().get(pk=second)
        worker = subprocess.Popen([sys.executable, "-c", code], env=env)
        try:
            for _ in range(600):
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_stat_clear_snapshot()")  # else frozen for the transaction
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                    if cursor.fetchone()[0]:
                        break
                assert worker.poll() is None, "the worker ended instead of waiting"
                time.sleep(0.1)
            else:
                pytest.fail("the worker never reached the second report")
        finally:
            worker.kill()
            worker.wait()
    job.refresh_from_db()
    assert (job.state, job.claimed, job.done) == (RescoreJob.State.RUNNING, job.total, 0)
    assert Report.objects.get(pk=first).scored_at == before  # its rescore died with the chunk
    assert not ReportEvent.objects.filter(action="rescore").exists()

    rescore_job_run(job.pk)  # too soon: the chunk may still be its worker's
    assert RescoreJob.objects.get(pk=job.pk).done == 0
    _go_stale(job, settings)
    rescore_job_run(job.pk)
    job.refresh_from_db()
    assert (job.state, job.done, job.failed) == (RescoreJob.State.DONE, job.total, 0)
    assert _scores(job.report_ids) == expected
    assert sorted(ReportEvent.objects.filter(action="rescore").values_list("report_id", flat=True)) == sorted(
        job.report_ids
    )


def test_the_sweeper_command_requeues_a_stale_job_with_no_new_job_coming(
    personas, client, queued_only, django_capture_on_commit_callbacks, settings
):
    stale = _a_job_a_worker_took(personas, client, django_capture_on_commit_callbacks)
    out = io.StringIO()
    call_command("rescore_recover", stdout=out)  # still moving: left alone
    assert "requeued: 0" in out.getvalue()
    _go_stale(stale, settings)
    queued_only.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("rescore_recover", stdout=out)
    assert "requeued: 1" in out.getvalue()
    assert [r.args[0] for r in queued_only.results] == [stale.pk] * settings.RESCORE_WORKERS
    assert not RescoreJob.objects.get(pk=stale.pk).stale
