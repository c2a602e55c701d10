"""结转到下一年度: a template and its rule set copied to the next year in one admin action."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from indicators.models import RuleSet, Template, TemplateIndicator, TemplateLevel1

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, demo):
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


def _rows(template):
    return [
        (r.order, r.level1.name if r.level1_id else "", r.level2, r.level3, r.kind, r.sign, r.target_text, r.weight)
        for r in template.indicators.select_related("level1").order_by("order", "pk")
    ]


def _roll(client, template):
    return client.post(
        reverse("admin:indicators_template_changelist"),
        {"action": "roll_forward", "_selected_action": [template.pk]},
        follow=True,
    )


def test_rolling_a_used_template_forward_copies_it_and_its_rule_set_unlocked(admin_client, seed_report):
    template = seed_report.round.template
    rules = seed_report.round.rule_set
    Template.objects.filter(pk=template.pk).update(locked=True)
    before = (Template.objects.count(), RuleSet.objects.count(), TemplateIndicator.objects.count())

    response = _roll(admin_client, template)
    assert response.status_code == 200
    new = Template.objects.get(year=template.year + 1)
    new_rules = RuleSet.objects.latest("pk")
    assert new_rules.pk != rules.pk
    text = response.content.decode()
    assert f"已结转为“{new}”和评分规则“{new_rules}”，可编辑。" in text
    assert (new.version, new.locked, new.execution_weight) == (1, False, template.execution_weight)
    assert str(template.year + 1) in new.name and str(template.year + 1) in new_rules.name
    assert _rows(new) == _rows(template)
    assert [(n.name, n.weight, n.standard_weight, n.applicable) for n in new.level1_nodes.order_by("order")] == [
        (n.name, n.weight, n.standard_weight, n.applicable) for n in template.level1_nodes.order_by("order")
    ]
    # The rows hang under the new template's own level-1 nodes.
    assert not TemplateIndicator.objects.filter(template=new).exclude(level1__template=new).exclude(level1=None)
    assert (new_rules.version, new_rules.locked) == (1, False)
    same = ("execution_denominator", "execution_cap", "quantitative_scores")
    assert [getattr(new_rules, f) for f in same] == [getattr(rules, f) for f in same]
    assert (Template.objects.count(), RuleSet.objects.count(), TemplateIndicator.objects.count()) == (
        before[0] + 1,
        before[1] + 1,
        before[2] + template.indicators.count(),
    )
    # The original is untouched.
    assert Template.objects.get(pk=template.pk).locked is True


def test_rolling_forward_twice_is_refused_and_writes_nothing(admin_client, seed_report):
    template = seed_report.round.template
    _roll(admin_client, template)
    counts = (Template.objects.count(), RuleSet.objects.count(), TemplateLevel1.objects.count())
    response = _roll(admin_client, template)
    new = Template.objects.get(year=template.year + 1)
    assert f"{template.year + 1} 年已有指标模板“{new.name}”，未结转。" in response.content.decode()
    assert (Template.objects.count(), RuleSet.objects.count(), TemplateLevel1.objects.count()) == counts
