"""Admins create monitoring points; the lights follow the rule set's margins, which must be ordered."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from indicators.models import RuleSet
from reports.models import MonitoringPoint


def _inline_management() -> dict:
    return {
        f"entries-{k}": v
        for k, v in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0", "MIN_NUM_FORMS": "0", "MAX_NUM_FORMS": "1000"}.items()
    }


def test_an_admin_adds_a_point_in_the_admin(client, people, point):
    client.force_login(people["admin"])
    data = {"round": point.round_id, "as_of": "2021-09-30", "expected_progress": "75", "is_open": "on"}
    response = client.post(reverse("admin:reports_monitoringpoint_add"), {**data, **_inline_management()})
    assert response.status_code == 302, response.context["adminform"].form.errors
    added = MonitoringPoint.objects.get(round=point.round, as_of="2021-09-30")
    assert (added.expected_progress, added.is_open) == (D("75"), True)
    listing = client.get(reverse("admin:reports_monitoringpoint_changelist")).content.decode()
    assert reverse("monitoring:round", args=[added.pk]) in listing
    change = client.get(reverse("admin:reports_monitoringpoint_change", args=[point.pk])).content.decode()
    assert "204.98" in change  # the seed's entry, shown read-only


@pytest.mark.parametrize("progress", ["-1", "100.5"])
def test_expected_progress_is_a_percentage(client, people, point, progress):
    client.force_login(people["admin"])
    data = {"round": point.round_id, "as_of": "2021-09-30", "expected_progress": progress}
    response = client.post(reverse("admin:reports_monitoringpoint_add"), {**data, **_inline_management()})
    assert response.status_code == 200
    assert "expected_progress" in response.context["adminform"].form.errors
    assert not MonitoringPoint.objects.filter(as_of="2021-09-30").exists()


def test_the_lights_follow_the_rule_sets_margins(client, people, point):
    client.force_login(people["reviewer"])
    url = reverse("monitoring:round", args=[point.pk])

    def seed_budget_light() -> str:
        html = client.get(url).content.decode()
        row = re.search(r'<tr data-department="101001">.*?</tr>', html, re.S).group(0)
        return re.findall(r'class="light light-(\w+)"', row)[1]

    assert seed_budget_light() == "green"  # 42.93 % ≥ 50 − 10
    # queryset update: the rule set is in use by submitted reports, and its save refuses
    RuleSet.objects.filter(pk=point.round.rule_set_id).update(monitoring_yellow_margin=D("5"))
    assert seed_budget_light() == "yellow"  # 42.93 % < 50 − 5
    RuleSet.objects.filter(pk=point.round.rule_set_id).update(monitoring_red_margin=D("5"))
    assert seed_budget_light() == "red"
    assert "黄灯差距 5 个百分点，红灯差距 5 个百分点" in client.get(url).content.decode()


def test_the_red_margin_may_not_be_below_the_yellow(db):
    rules = RuleSet(name="监控", monitoring_yellow_margin=D("20"), monitoring_red_margin=D("10"))
    with pytest.raises(ValidationError) as refused:
        rules.full_clean()
    assert refused.value.message_dict["monitoring_red_margin"] == ["红灯差距不能小于黄灯差距。"]
    with pytest.raises(IntegrityError), transaction.atomic():
        rules.save()
    assert RuleSet(name="默认").to_monitoring().yellow_margin == D("10")
    assert RuleSet(name="默认").to_monitoring().red_margin == D("25")
