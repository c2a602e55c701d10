"""Every kind of page under the Content-Security-Policy in a real browser: nothing blocked, nothing broken."""

import os
import re

import pytest
from playwright.sync_api import expect

from reports.models import Report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("PERFEVAL_SCREENSHOT_DIR")

# Recorded before any of the page's own scripts run.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push([e.violatedDirective, e.blockedURI, e.sourceFile + ":" + e.lineNumber, e.sample].join(" "));
});
"""


class Watch:
    """Console errors, uncaught exceptions and CSP violations of one page."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        self.failed: list[str] = []  # URLs answered 4xx/5xx
        page.add_init_script(LISTEN)
        page.on("response", lambda r: r.status >= 400 and self.failed.append(r.url))
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(f"console: {msg.text}"))
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

    def visit(self, url: str, *, status: int = 200):
        self.errors.clear()
        self.failed.clear()
        response = self.page.goto(url)
        assert response.status == status, (url, response.status)
        assert "default-src 'self'" in response.headers.get("content-security-policy", ""), url
        self.page.wait_for_load_state("load")
        return response

    def check(self, url: str, *, expected_errors: tuple[str, ...] = ()):
        violations = self.page.evaluate("window.__csp")
        assert violations == [], (url, violations)
        errors = [e for e in self.errors if not any(x in e for x in expected_errors)]
        # Chromium asks for /favicon.ico on its own, at times; the app has none (a 404, not the page's).
        if all(u.endswith("/favicon.ico") for u in self.failed):
            errors = [e for e in errors if "Failed to load resource" not in e]
        assert errors == [], (url, errors)

    def page_ok(self, url: str, *, status: int = 200, expected_errors: tuple[str, ...] = ()):
        self.visit(url, status=status)
        self.check(url, expected_errors=expected_errors)


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def styled(page, selector: str, prop: str) -> str:
    return page.locator(selector).first.evaluate(f"(el) => getComputedStyle(el).{prop}")


def test_every_kind_of_page_runs_under_the_policy(new_page, demo):
    seed = demo
    published = Report.objects.get(department__code="206001", round__year=2021)

    # Anonymous: login, the public list and report, a 404.
    anon = Watch(new_page())
    anon.page_ok("/login/")
    # The listener hears what the policy blocks: an inline style attribute added to the page.
    anon.page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    anon.page.wait_for_function("window.__csp.length > 0")
    assert "style-src" in anon.page.evaluate("window.__csp")[0]
    assert styled(anon.page, "header.topbar", "display") == "flex"  # app.css applies
    anon.page_ok("/public/")
    anon.page_ok(f"/public/{published.pk}/")
    anon.page_ok("/no-such-page/", status=404, expected_errors=("status of 404",))

    # The accountant: home, the report form (live score and autosave), submit page, print preview.
    acct = Watch(new_page("accountant"))
    acct.page_ok("/")
    acct.visit(f"/reports/{seed.pk}/")
    page = acct.page
    expect(page.locator("#bar-total")).to_have_text("99.44")
    served = page.locator("tr.ind-row", has=page.locator("td.c-l3", has_text=re.compile(r"^\s*服务社区数量")))
    served.locator("[data-field=actual_text]").fill("20")
    expect(served.locator("[data-out=row-score]")).to_have_text("14.63")  # the live score still updates
    expect(page.locator("#bar-total")).to_have_text("84.07")
    page.evaluate("window.dispatchEvent(new Event('blur'))")  # the autosave on leaving the window
    expect(page.locator("#save-status")).to_contain_text("已保存")
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "csp_report_page.png")
    acct.check("report page")
    acct.page_ok(f"/reports/{seed.pk}/submit/")
    acct.visit(f"/reports/{seed.pk}/print/")
    # The print stylesheet (nonce) and the column widths (classes) still apply.
    assert styled(acct.page, "table", "tableLayout") == "fixed"
    assert styled(acct.page, "nav.toolbar", "position") in ("sticky", "fixed")
    acct.check("print preview")

    # The reviewer: the review page and the round's dashboard with its charts.
    rev = Watch(new_page("reviewer"))
    rev.page_ok(f"/review/{seed.pk}/")
    rev.page_ok("/review/")
    rev.visit(f"/rounds/{seed.round_id}/")
    expect(rev.page.locator("svg.chart").first).to_be_visible()
    meter = rev.page.locator(".meter").first
    assert meter.bounding_box()["height"] > 0
    shot(rev.page, "csp_dashboard.png")
    rev.check("dashboard")
    rev.page_ok(f"/rounds/{seed.round_id}/reports/")

    # The admin: Django's own pages, and the spreadsheet import.
    adm = Watch(new_page("admin"))
    adm.page_ok("/admin/")
    adm.page_ok(f"/admin/reports/report/{seed.pk}/change/")
    adm.page_ok(f"/admin/departments/department/{seed.department_id}/change/")
    adm.page_ok("/admin/departments/department/import/")
    assert styled(adm.page, ".import-help", "paddingLeft") == "16px"  # admin.css, not a style attribute
    adm.page_ok("/xlsx/import/")
    assert styled(adm.page, ".xlsx-import", "maxWidth") == "1100px"  # app.css, not a <style> block
