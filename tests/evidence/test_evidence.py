"""Evidence (佐证材料) through the pages: upload to a row and to the report, list, download,
delete; refusals (type by content, size, state, another department); the reviewer's mark."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from reports.models import Evidence, Report, ReportEvent, ReportIndicator
from tests.evidence.conftest import MINIMAL_PDF, WINDOWS_EXE, png_bytes, upload
from tests.review.test_queries import REVIEW_QUERIES
from tests.test_form_helpers import form_data, post_form, set_row
from tests.test_report_page import PAGE_QUERIES

TYPE_REFUSED = "文件类型不受支持：只接受 PDF、图片、xlsx、docx"


def first_row(report: Report) -> ReportIndicator:
    return report.indicators.order_by("order", "pk").first()


def panel(report: Report, row: ReportIndicator | None = None) -> str:
    url = reverse("evidence:panel", args=[report.pk])
    return f"{url}?row={row.pk}" if row else url


def post_file(client, report, name, data, row=None):
    body = {"file": upload(name, data)}
    if row is not None:
        body["row"] = str(row.pk)
    return client.post(reverse("evidence:panel", args=[report.pk]), body)


def panel_html(client, url: str) -> str:
    """The panel itself (not the messages above it)."""
    return client.get(url).content.decode().split('id="evidence-panel"', 1)[1]


def mark(client, report: Report, row: ReportIndicator, missing: str, **typed):
    """The row's 缺少佐证 button, pressed in the review form as it stands (what was typed goes with it)."""
    report = Report.objects.get(pk=report.pk)
    data = {"opinion": report.review_opinion, "version": report.version, "missing": missing, "decision": ""}
    for other in report.indicators.all():
        data[f"score-{other.pk}"] = "" if other.reviewer_score is None else str(other.reviewer_score)
        data[f"comment-{other.pk}"] = other.review_comment
    data.update(typed)
    return client.post(reverse("review:evidence_missing", args=[report.pk, row.pk]), data)


def stored_files(media) -> list:
    return sorted(p for p in media.rglob("*") if p.is_file())


def download(client, report, item):
    response = client.get(reverse("evidence:file", args=[report.pk, item.pk]))
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, body


def test_pdf_to_a_row_and_png_to_the_report_are_listed_and_downloadable(client, people, seed, media):
    row = first_row(seed)
    client.force_login(people["accountant_a"])
    response = post_file(client, seed, "会议纪要.pdf", MINIMAL_PDF, row)
    assert response.status_code == 302 and response.url == panel(seed, row)
    png = png_bytes()
    assert post_file(client, seed, "现场照片.png", png).status_code == 302

    pdf_item, png_item = Evidence.objects.filter(report=seed).order_by("pk")
    assert (pdf_item.indicator_id, pdf_item.content_type, pdf_item.size) == (
        row.pk,
        "application/pdf",
        len(MINIMAL_PDF),
    )
    assert pdf_item.sha256 == hashlib.sha256(MINIMAL_PDF).hexdigest()
    assert (png_item.indicator_id, png_item.content_type, png_item.original_name) == (None, "image/png", "现场照片.png")
    # Stored through the default storage under evidence/<report>/, never under the uploader's name.
    assert [p.relative_to(media).parts[:2] for p in stored_files(media)] == [("evidence", str(seed.pk))] * 2
    assert not any("会议纪要" in p.name for p in stored_files(media))
    # Events: who uploaded what, to which row.
    events = ReportEvent.objects.filter(report=seed, action="evidence_upload").order_by("pk")
    assert [(e.actor_id, e.new_value) for e in events] == [(people["accountant_a"].pk, "会议纪要.pdf")] * 1 + [
        (people["accountant_a"].pk, "现场照片.png")
    ]

    row_page = panel_html(client, panel(seed, row))
    assert "会议纪要.pdf" in row_page and "现场照片.png" not in row_page
    all_page = panel_html(client, panel(seed))
    assert "会议纪要.pdf" in all_page and "现场照片.png" in all_page

    for persona in ("accountant_a", "reviewer"):
        client.force_login(people[persona])
        response, body = download(client, seed, pdf_item)
        assert response.status_code == 200 and body == MINIMAL_PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        response, body = download(client, seed, png_item)
        assert body == png and response["Content-Type"] == "image/png"


def test_another_departments_accountant_gets_404_and_nothing_changes(client, people, seed, media):
    client.force_login(people["accountant_a"])
    post_file(client, seed, "a.pdf", MINIMAL_PDF, first_row(seed))
    item = Evidence.objects.get(report=seed)
    before = stored_files(media)

    client.force_login(people["accountant_b"])
    assert client.get(panel(seed)).status_code == 404
    assert post_file(client, seed, "b.pdf", MINIMAL_PDF).status_code == 404
    assert download(client, seed, item)[0].status_code == 404
    assert client.post(reverse("evidence:delete", args=[seed.pk, item.pk])).status_code == 404
    assert list(Evidence.objects.filter(report=seed)) == [item] and stored_files(media) == before


def test_a_file_of_another_report_is_404_under_this_report(client, people, seed, media):
    client.force_login(people["accountant_a"])
    post_file(client, seed, "a.pdf", MINIMAL_PDF)
    item = Evidence.objects.get(report=seed)
    other = Report.objects.exclude(pk=seed.pk).order_by("pk").first()
    client.force_login(people["reviewer"])  # sees both reports
    assert client.get(reverse("evidence:file", args=[other.pk, item.pk])).status_code == 404
    other_row = first_row(other)
    assert client.get(panel(seed, other_row)).status_code == 404


def test_a_renamed_windows_executable_is_refused_at_the_field_and_nothing_is_stored(client, people, seed, media):
    client.force_login(people["accountant_a"])
    response = post_file(client, seed, "年度报告.pdf", WINDOWS_EXE, first_row(seed))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="evidence-file-error"' in html and TYPE_REFUSED in html
    assert not Evidence.objects.filter(report=seed).exists()
    assert stored_files(media) == []
    assert not ReportEvent.objects.filter(report=seed, action="evidence_upload").exists()


def test_an_oversize_file_is_refused_and_nothing_is_stored(client, people, seed, media, settings):
    settings.EVIDENCE_MAX_BYTES = 2048
    client.force_login(people["accountant_a"])
    response = post_file(client, seed, "big.pdf", MINIMAL_PDF + b"%" * 4096)
    assert response.status_code == 400
    assert "文件超过 2 KB" in response.content.decode()
    assert not Evidence.objects.filter(report=seed).exists() and stored_files(media) == []
    # Just under the limit is kept.
    assert post_file(client, seed, "ok.pdf", MINIMAL_PDF).status_code == 302


@pytest.mark.parametrize("state", ["submitted", "approved"])
def test_upload_and_delete_are_refused_once_handed_in(client, people, seed, media, state):
    client.force_login(people["accountant_a"])
    post_file(client, seed, "a.pdf", MINIMAL_PDF)
    item = Evidence.objects.get(report=seed)
    Report.objects.filter(pk=seed.pk).update(state=state)
    before = stored_files(media)

    response = post_file(client, seed, "b.pdf", MINIMAL_PDF)
    assert response.status_code == 409
    assert "不能上传或删除佐证材料" in response.content.decode()
    assert 'id="evidence-upload"' not in response.content.decode()  # no form offered
    response = client.post(reverse("evidence:delete", args=[seed.pk, item.pk]), follow=True)
    assert "不能上传或删除佐证材料" in response.content.decode()
    assert list(Evidence.objects.filter(report=seed)) == [item] and stored_files(media) == before


def test_delete_removes_the_row_and_the_stored_file(client, people, seed, media, django_capture_on_commit_callbacks):
    client.force_login(people["accountant_a"])
    post_file(client, seed, "a.pdf", MINIMAL_PDF)
    item = Evidence.objects.get(report=seed)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evidence:delete", args=[seed.pk, item.pk]))
    assert response.status_code == 302
    assert not Evidence.objects.filter(report=seed).exists() and stored_files(media) == []
    assert ReportEvent.objects.filter(report=seed, action="evidence_delete", old_value="a.pdf").count() == 1


def test_a_reviewer_cannot_upload(client, people, seed, media):
    client.force_login(people["reviewer"])
    assert post_file(client, seed, "a.pdf", MINIMAL_PDF).status_code == 403
    page = client.get(panel(seed)).content.decode()
    assert 'id="evidence-upload"' not in page
    assert not Evidence.objects.exists() and stored_files(media) == []


def test_a_deleted_rows_files_stay_with_the_report(people, seed, media):
    custom = ReportIndicator.objects.create(report=seed, order=999, level1="产出指标", level3="本部门新增")
    item = Evidence.objects.create(
        report=seed,
        indicator=custom,
        file="evidence/x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
    )
    custom.delete()
    item.refresh_from_db()
    assert item.indicator_id is None and item.report_id == seed.pk


def test_the_reviewers_evidence_missing_mark_is_shown_to_the_department(client, people, seed, media):
    row = first_row(seed)
    Report.objects.filter(pk=seed.pk).update(state="submitted")
    client.force_login(people["reviewer"])
    review = client.get(reverse("review:report", args=[seed.pk])).content.decode()
    assert reverse("review:evidence_missing", args=[seed.pk, row.pk]) in review
    response = mark(client, seed, row, "1")
    assert response.status_code == 302 and response.url.endswith(f"#row-{row.pk}")
    row.refresh_from_db()
    assert row.evidence_missing is True
    event = ReportEvent.objects.get(report=seed, field=f"indicators[{row.order}].evidence_missing")
    assert (event.actor_id, event.old_value, event.new_value) == (people["reviewer"].pk, "否", "是")
    # The report version is untouched: the reviewer's open form is not made stale by the mark.
    assert Report.objects.get(pk=seed.pk).version == seed.version

    client.force_login(people["accountant_a"])
    page = client.get(reverse("report", args=[seed.pk])).content.decode()
    assert 'class="ev-missing"' in page and "缺少佐证" in page
    assert "本指标缺少佐证" in client.get(panel(seed, row)).content.decode()

    client.force_login(people["reviewer"])
    mark(client, seed, row, "0")
    row.refresh_from_db()
    assert row.evidence_missing is False


def test_the_mark_saves_what_the_reviewer_typed_with_it(client, people, seed):
    first, second = seed.indicators.order_by("order", "pk")[:2]
    Report.objects.filter(pk=seed.pk).update(state="submitted")
    client.force_login(people["reviewer"])
    response = mark(client, seed, second, "1", **{f"comment-{first.pk}": "请补充会议纪要。"})
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.review_comment == "请补充会议纪要。" and second.evidence_missing is True


def test_refused_review_input_marks_nothing(client, people, seed):
    first, second = seed.indicators.order_by("order", "pk")[:2]
    Report.objects.filter(pk=seed.pk).update(state="submitted")
    client.force_login(people["reviewer"])
    response = mark(client, seed, second, "1", **{f"score-{first.pk}": "-1"})
    assert response.status_code == 400
    assert "审核得分不能为负数" in response.content.decode()
    second.refresh_from_db()
    assert second.evidence_missing is False


def test_a_stale_page_marks_nothing(client, people, seed):
    row = first_row(seed)
    Report.objects.filter(pk=seed.pk).update(state="submitted")
    client.force_login(people["reviewer"])
    response = mark(client, seed, row, "1", version=str(seed.version - 1))
    assert response.status_code == 409
    row.refresh_from_db()
    assert row.evidence_missing is False


def test_the_mark_is_refused_unless_submitted(client, people, seed):
    row = first_row(seed)
    client.force_login(people["reviewer"])
    response = mark(client, seed, row, "1")
    assert response.status_code == 400 and "只有已送审的报告" in response.content.decode()
    row.refresh_from_db()
    assert row.evidence_missing is False


def test_report_page_shows_each_rows_count_and_the_review_page_lists_the_files(client, people, seed, media):
    row = first_row(seed)
    client.force_login(people["accountant_a"])
    post_file(client, seed, "纪要一.pdf", MINIMAL_PDF, row)
    post_file(client, seed, "纪要二.png", png_bytes(), row)
    page = client.get(reverse("report", args=[seed.pk])).content.decode()
    assert f'href="{panel(seed, row)}"' in page
    assert f'<a class="ev-link has-ev" href="{panel(seed, row)}"' in page and "佐证 2" in page
    other = seed.indicators.order_by("order", "pk")[1]
    assert f'<a class="ev-link" href="{panel(seed, other)}"' in page

    Report.objects.filter(pk=seed.pk).update(state="submitted")
    client.force_login(people["reviewer"])
    review = client.get(reverse("review:report", args=[seed.pk])).content.decode()
    row_html = review.split(f'id="row-{row.pk}"', 1)[1].split("</tr>", 1)[0]
    items = Evidence.objects.filter(report=seed).order_by("pk")
    for item in items:
        assert reverse("evidence:file", args=[seed.pk, item.pk]) in row_html
        assert item.original_name in row_html
    assert "缺少佐证" in row_html


def test_a_save_of_the_form_keeps_the_files_and_the_mark(client, people, seed, media):
    row = first_row(seed)
    client.force_login(people["accountant_a"])
    post_file(client, seed, "a.pdf", MINIMAL_PDF, row)
    ReportIndicator.objects.filter(pk=row.pk).update(evidence_missing=True)
    data = form_data(client, seed)
    set_row(data, row.level3, reason="已补充说明")
    assert post_form(client, reverse("report_save", args=[seed.pk]), data).json()["status"] == "saved"
    row.refresh_from_db()
    assert row.evidence_missing is True
    assert Evidence.objects.get(report=seed).indicator_id == row.pk


# The panel: session, user, roles, the report (scoped), [the row], the report's files with their rows,
# the archive versions that kept them.
PANEL_QUERIES = 6
PANEL_ROW_QUERIES = 7
# A download: session, user, roles, the report (scoped), the file's row.
DOWNLOAD_QUERIES = 5


def add_files(seed: Report, rows: int, per_row: int) -> None:
    Evidence.objects.bulk_create(
        Evidence(
            report=seed,
            indicator=row,
            file=f"evidence/{seed.pk}/{row.pk}-{i}.pdf",
            original_name=f"{row.level3}-{i}.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
        )
        for row in seed.indicators.order_by("order", "pk")[:rows]
        for i in range(per_row)
    )


@pytest.mark.parametrize(("rows", "per_row"), [(0, 0), (1, 1), (8, 3)])
def test_pages_cost_the_same_whatever_the_number_of_files(
    client, people, seed, media, django_assert_num_queries, rows, per_row
):
    add_files(seed, rows, per_row)
    client.force_login(people["accountant_a"])
    client.get(reverse("home"))  # a warm session, as in use
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(reverse("report", args=[seed.pk])).status_code == 200
    with django_assert_num_queries(PANEL_QUERIES):
        assert client.get(panel(seed)).status_code == 200
    row_url = panel(seed, first_row(seed))
    with django_assert_num_queries(PANEL_ROW_QUERIES):
        assert client.get(row_url).status_code == 200
    Report.objects.filter(pk=seed.pk).update(state="submitted")
    client.force_login(people["reviewer"])
    client.get(reverse("home"))
    with django_assert_num_queries(REVIEW_QUERIES):
        page = client.get(reverse("review:report", args=[seed.pk])).content.decode()
    assert page.count('class="ev-file"') == rows * per_row


def test_a_download_costs_a_fixed_number_of_queries(client, people, seed, media, django_assert_num_queries):
    client.force_login(people["accountant_a"])
    post_file(client, seed, "a.pdf", MINIMAL_PDF)
    item = Evidence.objects.get(report=seed)
    with django_assert_num_queries(DOWNLOAD_QUERIES):
        assert download(client, seed, item)[1] == MINIMAL_PDF


def test_the_admin_lists_evidence_read_only_with_a_download_link(client, people, seed, media):
    client.force_login(people["accountant_a"])
    post_file(client, seed, "会议纪要.pdf", MINIMAL_PDF)
    item = Evidence.objects.get(report=seed)
    client.force_login(people["admin"])
    page = client.get(reverse("admin:reports_evidence_changelist")).content.decode()
    assert "会议纪要.pdf" in page and reverse("evidence:file", args=[seed.pk, item.pk]) in page
    assert client.get(reverse("admin:reports_evidence_add")).status_code == 403
    assert client.post(reverse("admin:reports_evidence_delete", args=[item.pk]), {"post": "yes"}).status_code == 403
    assert Evidence.objects.filter(pk=item.pk).exists()
