"""Evidence in a real browser: the accountant uploads a file from a row of the form and sees it
listed; the reviewer sees it beside the row and marks another row 缺少佐证, which the department sees."""

import os

import pytest
from playwright.sync_api import expect

from reports.models import Evidence, Report
from tests.evidence.conftest import MINIMAL_PDF, WINDOWS_EXE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("PERFEVAL_SCREENSHOT_DIR")
SCREEN = {"width": 1366, "height": 768}


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name))


def test_upload_from_a_row_then_the_reviewer_sees_it_and_marks_a_row(new_page, demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    rows = list(demo.indicators.order_by("order", "pk")[:2])
    page = new_page("accountant")
    page.set_viewport_size(SCREEN)
    page.goto(f"/reports/{demo.pk}/")
    link = page.locator(f'tr.ind-row a.ev-link[href$="?row={rows[0].pk}"]')
    expect(link).to_have_text("佐证 0")
    link.scroll_into_view_if_needed()
    shot(page, "evidence_row_cell.png")
    link.click()

    expect(page.locator("#evidence-panel h1")).to_contain_text(rows[0].level3)
    expect(page.locator("#evidence-empty")).to_be_visible()
    # A Windows executable named .pdf: refused at the field, nothing kept.
    page.locator("#evidence-file").set_input_files(
        {"name": "年度报告.pdf", "mimeType": "application/pdf", "buffer": WINDOWS_EXE}
    )
    page.locator("#evidence-submit").click()
    expect(page.locator("#evidence-file-error")).to_have_text("文件类型不受支持：只接受 PDF、图片、xlsx、docx")
    shot(page, "evidence_refused.png")
    assert not Evidence.objects.filter(report=demo).exists()
    page.locator("#evidence-file").set_input_files(
        {"name": "会议纪要.pdf", "mimeType": "application/pdf", "buffer": MINIMAL_PDF}
    )
    page.locator("#evidence-submit").click()
    expect(page.locator("tr.ev-item a.ev-file")).to_have_text(["会议纪要.pdf"])
    shot(page, "evidence_panel.png")
    item = Evidence.objects.get(report=demo)
    assert (item.indicator_id, item.size) == (rows[0].pk, len(MINIMAL_PDF))

    page.get_by_role("link", name="‹ 返回报告").click()
    expect(page.locator(f'tr.ind-row a.ev-link[href$="?row={rows[0].pk}"]')).to_have_text("佐证 1")

    Report.objects.filter(pk=demo.pk).update(state="submitted")
    review = new_page("reviewer")
    review.set_viewport_size(SCREEN)
    review.goto(f"/review/{demo.pk}/")
    first = review.locator(f"#row-{rows[0].pk}")
    expect(first.locator("a.ev-file")).to_have_text("会议纪要.pdf")
    # A comment typed before pressing the mark is saved with it, not lost.
    first.locator(f"textarea[name=comment-{rows[0].pk}]").fill("纪要已核对。")
    second = review.locator(f"#row-{rows[1].pk}")
    second.get_by_role("button", name="标记缺少佐证").click()
    expect(review.locator(f"#row-{rows[1].pk} .ev-missing")).to_have_text("缺少佐证")
    expect(review.locator(f"textarea[name=comment-{rows[0].pk}]")).to_have_value("纪要已核对。")
    review.locator(f"#row-{rows[0].pk}").scroll_into_view_if_needed()
    shot(review, "evidence_review.png")

    page.goto(f"/reports/{demo.pk}/")
    expect(page.locator(f'tr.ind-row:has(a.ev-link[href$="?row={rows[1].pk}"]) .ev-missing')).to_have_text("缺少佐证")
    page.locator(f'a.ev-link[href$="?row={rows[1].pk}"]').scroll_into_view_if_needed()
    shot(page, "evidence_row_marked.png")
