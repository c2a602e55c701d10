"""The report bar at 1366×768: the PDF in one click, the Excel import linked; the public page without the phone."""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from reports.models import Report, ReportRender
from reports.pdf import services
from tests.browser.test_report_form import open_seed_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("PERFEVAL_SCREENSHOT_DIR")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name))


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_pdf_in_one_click_and_the_import_link(new_page, demo, media):
    page = new_page("accountant")
    page.set_viewport_size({"width": 1366, "height": 768})
    open_seed_report(page, demo, via_login=False)
    bar = page.locator(".report-bar")
    expect(bar.get_by_role("button", name="下载 PDF")).to_be_visible()
    expect(bar.get_by_role("link", name="导入 Excel")).to_be_visible()
    shot(page, "report-bar.png")

    # Tasks run inline here: one click and the file downloads, the page stays where it is.
    with page.expect_download() as info:
        bar.get_by_role("button", name="下载 PDF").click()
    download = info.value
    assert download.suggested_filename.endswith("部门整体绩效自评报告及自评表.pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    assert page.url.endswith(f"/reports/{demo.pk}/")

    # Unsaved changes are saved first: the PDF is of what is on the screen.
    page.locator("input[name='contact']").fill("张会计 0371-12345678")
    with page.expect_download():
        bar.get_by_role("button", name="下载 PDF").click()
    assert Report.objects.get(pk=demo.pk).contact == "张会计 0371-12345678"

    # With a worker still busy, the status page waits and starts the download when the file is ready.
    accountant = get_user_model().objects.get(username="accountant")
    waiting = ReportRender.objects.create(report=demo, part="both", requested_by=accountant)
    with page.expect_download(timeout=60_000) as info:
        bar.get_by_role("button", name="下载 PDF").click()
        page.wait_for_url(f"**/pdf/{waiting.pk}/?download=1")
        expect(page.locator("[data-status-label]")).to_have_text("排队中")
        shot(page, "pdf-status-waiting.png")
        services.render_run(waiting.pk)
    assert Path(info.value.path()).read_bytes().startswith(b"%PDF")
    expect(page.locator("[data-status-label]")).to_have_text("已完成")

    page.goto(f"/reports/{demo.pk}/")
    page.locator(".report-bar").get_by_role("link", name="导入 Excel").click()
    expect(page).to_have_url(re.compile(rf"/xlsx/reports/{demo.pk}/import/$"))
    shot(page, "xlsx-import.png")
    page.locator("#back-to-report").click()
    expect(page).to_have_url(re.compile(rf"/reports/{demo.pk}/$"))


def test_the_public_page_shows_the_filer_without_the_phone(new_page, demo):
    published = Report.objects.get(department__code="206001")
    page = new_page()
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"/public/{published.pk}/")
    header = page.locator("table.sheet-header")
    expect(header).to_contain_text("区文广旅局财务科")
    assert "68922060" not in page.content()
    header.scroll_into_view_if_needed()
    shot(page, "public-report.png")
