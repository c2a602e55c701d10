"""The public report page of a flat, a 2-level and a leading-unlabelled report at 1366×768."""

import os

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import Report
from tests.pdf.test_shapes import reshape

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
SHOTS = os.environ.get("PERFEVAL_SCREENSHOT_DIR", "/tmp/d-shots")


@pytest.mark.parametrize("shape", ["flat", "two", "mixed"])
def test_public_page_of_every_shape(browser, live_server, demo, shape):
    reshape(demo, shape)
    Report.objects.filter(pk=demo.pk).update(state="published", published_at=timezone.now())
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        assert page.goto(reverse("public:report", args=[demo.pk])).status == 200
        table = page.locator("#indicator-table")
        heads = table.locator("thead th").all_inner_texts()
        assert ("一级指标" in heads) == (shape != "flat") and ("二级指标" in heads) == (shape == "mixed")
        # The table fits the page: no column pushed past the sheet's right edge.
        sheet = page.locator("article.rv-sheet").bounding_box()
        box = table.bounding_box()
        assert box["x"] + box["width"] <= sheet["x"] + sheet["width"] + 1
        os.makedirs(SHOTS, exist_ok=True)
        page.evaluate("document.getElementById('indicator-table').scrollIntoView()")
        page.screenshot(path=os.path.join(SHOTS, f"public-{shape}.png"))
        page.evaluate("document.querySelector('#indicator-table tfoot').scrollIntoView(false)")
        page.screenshot(path=os.path.join(SHOTS, f"public-{shape}-end.png"))
        page.screenshot(path=os.path.join(SHOTS, f"public-{shape}-full.png"), full_page=True)
    finally:
        context.close()
