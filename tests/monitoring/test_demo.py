"""The demo's 2021 round has a monitoring point as of 30 June whose entries light every colour."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model

from indicators.engine.monitoring import GREEN, GREY, RED, YELLOW
from reports.demo.build import load_demo
from reports.models import MonitoringEntry, MonitoringPoint
from reports.selectors.monitoring import monitoring_overview

pytestmark = pytest.mark.django_db


def test_the_demo_point_lights_every_colour(demo):
    point = MonitoringPoint.objects.get(round=demo.round)
    assert (point.as_of, point.expected_progress, point.is_open) == (datetime.date(2021, 6, 30), D("50"), True)
    reviewer = get_user_model().objects.get(username="reviewer")
    overview = {m.department.code: m for m in monitoring_overview(user=reviewer, point=point)}
    budgets = {code: m.budget.colour for code, m in overview.items() if m.entry}
    assert budgets == {"101001": GREEN, "201001": GREEN, "202001": YELLOW, "208001": RED}
    seed = overview["101001"]
    assert {r.light.colour for r in seed.rows} == {RED, YELLOW, GREEN, GREY}
    assert seed.worst == RED
    assert overview["203001"].entry is None and overview["203001"].worst == GREY
    # the seed's budget: 204.98 of 477.48 万元 executed by 30 June
    assert seed.entry.budget_executed == D("204.98")


def test_loading_the_demo_again_keeps_one_point_and_its_entries(demo):
    entries = list(MonitoringEntry.objects.order_by("pk").values_list("pk", "budget_executed"))
    load_demo()
    assert MonitoringPoint.objects.filter(round=demo.round).count() == 1
    assert list(MonitoringEntry.objects.order_by("pk").values_list("pk", "budget_executed")) == entries
