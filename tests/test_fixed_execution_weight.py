"""预算执行率's fixed weight is the rule set's: 10 by default, blank for trees without it (部门决策 25 /
综合管理 30 / 部门绩效 45), through the model, the admin, the interchange document and the score."""

import copy
import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.urls import reverse

from indicators import engine
from indicators.models import RuleSet, Template
from reports.interchange.document import rules_from_document, rules_to_document, to_engine_input, validate
from reports.interchange.store import round_create_from_document
from reports.pdf.context import build, conclusion_paragraphs
from reports.selectors import report_queryset
from tests.test_admin import rule_set_post

pytestmark = pytest.mark.django_db

SEED_DOC = json.loads((Path(__file__).parent.parent / "reports" / "demo" / "seed_2021.json").read_text("utf-8"))


def without_execution(doc: dict) -> dict:
    """The seed as a tree with no 预算执行率 of its own: its 10 points moved to 效益指标."""
    doc = copy.deepcopy(doc)
    doc["budget"]["execution_weight"] = "0"
    for node in doc["level1"]:
        if node["name"] == "效益指标":
            node["weight"] = str(D(node["weight"]) + 10)
            node["standard_weight"] = node["weight"]
    return doc


def execution_findings(doc: dict) -> list[str]:
    findings = engine.score_report(to_engine_input(doc)).findings
    return [f.message for f in findings if f.code == "template.execution_weight"]


def test_the_default_is_10_and_blank_is_not_fixed():
    assert RuleSet(name="默认").to_engine().fixed_execution_weight == D("10")
    assert RuleSet(name="省级", fixed_execution_weight=None).to_engine().fixed_execution_weight is None


def test_a_tree_without_execution_is_an_error_only_where_the_rules_fix_it():
    doc = without_execution(SEED_DOC)
    assert execution_findings(doc) == ["一级指标预算执行率分值为 0，规则规定固定为 10 分"]
    doc["rules"]["fixed_execution_weight"] = False
    validate(doc)
    assert execution_findings(doc) == []


@pytest.mark.parametrize(("written", "read"), [("absent", D("10")), (None, D("10")), (False, None), ("5", D("5"))])
def test_the_document_reads_and_writes_it(written, read):
    rules = copy.deepcopy(SEED_DOC["rules"])
    rules.pop("fixed_execution_weight", None)
    if written != "absent":
        rules["fixed_execution_weight"] = written
    engine_rules = rules_from_document(rules)
    assert engine_rules.fixed_execution_weight == read
    assert rules_from_document(json.loads(json.dumps(rules_to_document(engine_rules)))) == engine_rules


def test_a_round_made_from_a_document_keeps_it():
    doc = without_execution(SEED_DOC)
    doc["rules"]["fixed_execution_weight"] = False
    round_ = round_create_from_document(
        document=doc, name="省级口径", deadline="2022-06-30", template_name="省级模板", rules_name="省级规则"
    )
    assert round_.rule_set.fixed_execution_weight is None
    assert round_.template.execution_weight == D("0")


def test_the_admin_saves_a_blank_as_not_fixed(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw"))
    rs = RuleSet.objects.create(name="管理端")
    url = reverse("admin:indicators_ruleset_change", args=[rs.pk])
    assert 'name="fixed_execution_weight" value="10.00"' in client.get(url).content.decode()
    response = client.post(url, rule_set_post(rs, fixed_execution_weight=""))
    assert response.status_code == 302, response.context["adminform"].form.errors
    rs.refresh_from_db()
    assert rs.fixed_execution_weight is None


def test_the_pdf_prints_a_zero_execution_weight_as_zero(demo):
    Template.objects.filter(pk=demo.round.template_id).update(execution_weight=D("0"))  # as a tree without one
    p = build(report_queryset().get(pk=demo.pk))
    assert next(line for line in p.budget if line.key == "total").weight == "0"
    assert "预算执行率分值0分" in conclusion_paragraphs(p)[1]
