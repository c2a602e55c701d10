"""Monitoring tests run over the demo loaded once a module, with the five personas (as the review tests)."""

from __future__ import annotations

import pytest

from reports.models import MonitoringPoint
from tests.review.conftest import people, review_data, seed  # noqa: F401 (fixtures)


@pytest.fixture
def point(seed):  # noqa: F811 (the fixture above)
    return MonitoringPoint.objects.select_related("round__rule_set").get(round_id=seed.round_id)
