"""公开所选: an admin publishes the approved reports picked in the queue in one POST, each through
the workflow's own publish; a report not approved (or changed since) is refused by name."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from reports.models import Report, ReportEvent
from tests.review.test_queries import QUEUE_QUERIES, count

URL = reverse("review:bulk_publish")


def approved(seed) -> list[Report]:
    return list(Report.objects.filter(round_id=seed.round_id, state="approved").order_by("department__code"))


def form(*reports: Report, versions: dict | None = None, round_id=None) -> dict:
    data = {"report": [r.pk for r in reports]}
    data.update({f"version-{r.pk}": (versions or {}).get(r.pk, r.version) for r in reports})
    if round_id:
        data["round"] = round_id
    return data


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def publishes(report: Report) -> int:
    return ReportEvent.objects.filter(report=report, kind="transition", action="publish").count()


def test_an_admin_publishes_the_approved_ones_and_is_told_which_were_refused(client, people, seed):
    picked = approved(seed)
    assert len(picked) == 2
    Report.objects.filter(pk=seed.pk).update(state="submitted", error_count=0)
    seed.refresh_from_db()
    client.force_login(people["admin"])
    response = client.post(URL, form(*picked, seed, round_id=seed.round_id))
    assert response.status_code == 302
    assert response.url == reverse("review:queue") + f"?round={seed.round_id}"
    for report in picked:
        report.refresh_from_db()
        assert report.state == "published" and report.published_at is not None
        assert publishes(report) == 1  # through the workflow: its event
    seed.refresh_from_db()
    assert seed.state == "submitted" and publishes(seed) == 0
    messages = said(response)
    assert any("已公开 2 份报告" in m and "区住建局" in m for m in messages), messages
    refused = [m for m in messages if "未公开" in m]
    assert refused and seed.department.display_name in refused[0] and "已送审" in refused[0], messages


def test_a_report_changed_since_the_queue_was_shown_is_refused(client, people, seed):
    first, second = approved(seed)
    client.force_login(people["admin"])
    response = client.post(URL, form(first, second, versions={second.pk: second.version - 1}))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == ("published", "approved")
    assert any("未公开" in m and "已被他人修改" in m for m in said(response))


def test_nothing_picked_publishes_nothing(client, people, seed):
    client.force_login(people["admin"])
    response = client.post(URL, {"round": seed.round_id})
    assert response.status_code == 302
    assert [r.state for r in approved(seed)] == ["approved", "approved"]
    assert any("请先勾选" in m for m in said(response))


def test_a_reviewer_may_not_publish(client, people, seed):
    picked = approved(seed)
    client.force_login(people["reviewer"])
    assert client.post(URL, form(*picked)).status_code == 403
    assert [r.state for r in approved(seed)] == ["approved", "approved"]


def test_an_unknown_report_is_refused_not_a_500(client, people, seed):
    client.force_login(people["admin"])
    response = client.post(URL, {"report": ["999999", "abc"], "version-999999": "1"})
    assert response.status_code == 302
    assert any("未公开" in m for m in said(response))


def test_the_queue_offers_the_approved_reports_to_an_admin_only(client, people, seed, django_assert_num_queries):
    picked = {r.pk for r in approved(seed)}
    client.force_login(people["admin"])
    client.get(reverse("review:queue"))
    html = count(client, django_assert_num_queries, reverse("review:queue"), QUEUE_QUERIES).content.decode()
    assert 'id="bulk-publish"' in html
    for pk in picked:
        assert f'name="report" value="{pk}"' in html
    assert html.count('name="report" value=') == len(picked)  # approved ones only
    assert 'data-confirm="' in html
    client.force_login(people["reviewer"])
    html = client.get(reverse("review:queue")).content.decode()
    assert 'id="bulk-publish"' not in html and 'name="report"' not in html


@pytest.mark.parametrize("button", ["do-return", "do-approve"])
def test_the_decisions_ask_for_confirmation(client, people, seed, button):
    Report.objects.filter(pk=seed.pk).update(state="submitted", error_count=0)
    client.force_login(people["reviewer"])
    html = client.get(reverse("review:report", args=[seed.pk])).content.decode()
    tag = re.search(rf'<button[^>]*id="{button}"[^>]*>', html).group(0)
    assert "data-confirm=" in tag
    assert 'id="confirm-dialog"' in html and "js/confirm.js" in html
    # The dialog is a form of its own: outside the review form (forms do not nest).
    assert html.index('id="confirm-dialog"') > html.index("</form>", html.index('id="review-form"'))


def test_publish_asks_for_confirmation(client, people, seed):
    Report.objects.filter(pk=seed.pk).update(state="approved")
    client.force_login(people["admin"])
    html = client.get(reverse("review:report", args=[seed.pk])).content.decode()
    tag = re.search(r'<button[^>]*id="do-publish"[^>]*>', html).group(0)
    assert "data-confirm=" in tag and 'id="confirm-dialog"' in html


def test_no_publish_form_when_nothing_on_the_page_is_approved(client, people, seed):
    Report.objects.filter(round_id=seed.round_id, state="approved").update(state="published")
    client.force_login(people["admin"])
    html = client.get(reverse("review:queue")).content.decode()
    assert 'id="bulk-publish"' not in html and 'id="confirm-dialog"' not in html
