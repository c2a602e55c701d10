"""Approval archives the PDF: written once, its hash kept, a new version per approval."""

import hashlib
import os
import stat

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from departments.models import Department, Role
from reports.models import Report, ReportArchive, ReportRender
from reports.pdf import archive as archive_module
from reports.pdf import services
from reports.pdf.archive import archive_latest, archive_verify, media_path
from reports.pdf.render import Rendered
from reports.services.workflow import report_transition
from tests.conftest import make_user
from tests.pdf.conftest import pdftotext
from tests.test_form_helpers import fill_required

pytestmark = pytest.mark.django_db

FAKE = b"%PDF-1.7\n% perfeval test stand-in\n"


@pytest.fixture
def fake_render(monkeypatch):
    """Archive tests about storage need a PDF, not a typeset one (one test below renders for real)."""
    calls = []

    def render(report_id, *, part="both", final=None, public=False):
        calls.append((report_id, part, final))
        return Rendered(pdf=FAKE + f"report {report_id} #{len(calls)}\n".encode())

    monkeypatch.setattr(services, "render_pdf", render)
    return calls


def approve(report, reviewer, capture, **kwargs):
    with capture(execute=True):
        return report_transition(report=report, action="approve", actor=reviewer, **kwargs)


def test_approval_archives_the_seed_pdf_without_watermark(personas, seed_report, django_capture_on_commit_callbacks):
    # The seed still has error findings: a reviewer approves it with a stated reason.
    Report.objects.filter(pk=seed_report.pk).update(state="submitted")
    approve(seed_report, personas["reviewer"], django_capture_on_commit_callbacks, override="已核实，同意公开。")
    archive = ReportArchive.objects.get(report=seed_report)
    assert archive.version == 1 and archive.created_by == personas["reviewer"]
    path = media_path(archive.file.name)
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == archive.sha256 and archive.size == len(data)
    assert archive_verify(archive)
    text = pdftotext(data)
    assert "99.44" in text and "草" not in text  # approved: no 草稿 watermark
    render = ReportRender.objects.get(report=seed_report)
    assert (render.purpose, render.status, render.archive) == ("archive", "done", archive)


def test_archive_cannot_be_overwritten_changed_or_deleted(
    personas, seed_report, fake_render, django_capture_on_commit_callbacks
):
    report = Report.objects.get(department__code="201001")
    approve(report, personas["reviewer"], django_capture_on_commit_callbacks)
    archive = ReportArchive.objects.get(report=report)
    path = media_path(archive.file.name)
    original = path.read_bytes()
    # The file: opened "xb" it refuses to be created again; it is read-only on disk.
    with pytest.raises(FileExistsError):
        archive_module.write_once(archive.file.name, b"replacement")
    assert not os.stat(path).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert path.read_bytes() == original
    # The row: the model, the queryset and the database all refuse.
    archive.sha256 = "0" * 64
    with pytest.raises(ValidationError):
        archive.save()
    with pytest.raises(ValidationError):
        archive.delete()
    with pytest.raises(ValidationError):
        ReportArchive.objects.filter(pk=archive.pk).update(sha256="0" * 64)
    with pytest.raises(ValidationError):
        ReportArchive.objects.filter(pk=archive.pk).delete()
    table = ReportArchive._meta.db_table
    for sql in (f"UPDATE {table} SET sha256 = 'x' WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [archive.pk])
    archive.refresh_from_db()
    assert archive.sha256 == hashlib.sha256(original).hexdigest()


def test_reopen_and_approve_again_makes_version_two_and_keeps_one(
    personas, seed_report, fake_render, django_capture_on_commit_callbacks
):
    report = Report.objects.get(department__code="201001")
    reviewer, admin, accountant = personas["reviewer"], personas["admin"], personas["accountant_b"]
    approve(report, reviewer, django_capture_on_commit_callbacks)
    first = ReportArchive.objects.get(report=report)
    first_bytes = media_path(first.file.name).read_bytes()
    report_transition(report=report, action="reopen", actor=admin, reason="补充原因分析")
    fill_required(report)
    report_transition(report=report, action="submit", actor=accountant)
    approve(report, reviewer, django_capture_on_commit_callbacks)
    versions = list(ReportArchive.objects.filter(report=report).order_by("version"))
    assert [a.version for a in versions] == [1, 2]
    assert versions[0] == first and media_path(first.file.name).read_bytes() == first_bytes
    assert versions[1].file.name != first.file.name
    assert all(archive_verify(a) for a in versions)
    assert archive_latest(report) == versions[1]
    assert [c[2] for c in fake_render] == [True, True]  # archives are rendered as final, unwatermarked


def test_a_report_reopened_before_the_worker_runs_is_not_archived(personas, seed_report, fake_render):
    report = Report.objects.get(department__code="204001")  # approved in the demo
    render = ReportRender.objects.create(report=report, purpose="archive")
    Report.objects.filter(pk=report.pk).update(state="returned")
    render = services.render_run(render.pk)
    assert render.status == "failed" and "不再是审核通过" in render.error
    assert not ReportArchive.objects.filter(report=report).exists()


def test_a_failed_archive_render_does_not_undo_the_approval(
    personas, seed_report, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("font missing")

    monkeypatch.setattr(services, "render_pdf", broken)
    report = Report.objects.get(department__code="201001")
    approve(report, personas["reviewer"], django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert report.state == "approved"
    render = ReportRender.objects.get(report=report)
    assert render.status == "failed" and "font missing" in render.error
    assert not ReportArchive.objects.exists()


def test_a_task_delivered_twice_renders_once(personas, seed_report, fake_render):
    report = Report.objects.get(department__code="204001")
    render = ReportRender.objects.create(report=report, purpose="archive")
    services.render_run(render.pk)
    services.render_run(render.pk)
    assert ReportArchive.objects.filter(report=report).count() == 1
    assert len(fake_render) == 1


def test_archive_names_are_under_media_archive(personas, seed_report, fake_render, media):
    report = Report.objects.get(department__code="206001")  # published
    render = ReportRender.objects.create(report=report, purpose="archive")
    services.render_run(render.pk)
    archive = ReportArchive.objects.get(report=report)
    assert archive.file.name.startswith("archive/2021/206001/")
    assert media_path(archive.file.name).is_relative_to(media / "archive")


def test_accountant_of_the_department_cannot_approve(personas, seed_report):
    user = make_user("acct_201", Role.Kind.ACCOUNTANT, Department.objects.get(code="201001"))
    report = Report.objects.get(department__code="201001")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        report_transition(report=report, action="approve", actor=user)
    assert not ReportRender.objects.exists()
