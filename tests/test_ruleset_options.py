"""Rule-set option not_applicable through the model, the admin form and the interchange document."""

import copy
import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.urls import reverse

from indicators import engine
from indicators.models import RuleSet
from reports.interchange.document import rules_from_document, rules_to_document, validate

pytestmark = pytest.mark.django_db

SEED_DOC = json.loads((Path(__file__).parent.parent / "reports" / "demo" / "seed_2021.json").read_text("utf-8"))


def test_model_to_engine_carries_the_option():
    rs = RuleSet(name="折算", not_applicable="rescale")
    assert rs.to_engine().not_applicable == "rescale"
    assert RuleSet(name="默认").to_engine().not_applicable == "move"


@pytest.mark.parametrize("option", ["move", "rescale"])
def test_document_round_trip(option):
    rules = engine.RuleSet(
        not_applicable=option,
        total_caps_by_execution=((D("80"), D("89")), (D("70"), D("79"))),
        overachievement_ratio=D("1.3"),
        overachievement_deduction=D("2"),
    )
    written = rules_to_document(rules)
    assert written["not_applicable"] == option
    doc = copy.deepcopy(SEED_DOC)
    doc["rules"] = written
    validate(doc)  # the schema accepts what the writer writes
    assert rules_from_document(json.loads(json.dumps(written))) == rules


@pytest.mark.parametrize("value", [None, "absent"])
def test_null_or_absent_means_move(value):
    doc = copy.deepcopy(SEED_DOC)
    if value == "absent":
        doc["rules"].pop("not_applicable", None)
    else:
        doc["rules"]["not_applicable"] = None
    validate(doc)
    assert rules_from_document(doc["rules"]).not_applicable == "move"


def test_schema_refuses_an_unknown_option():
    from reports.interchange.document import DocumentError

    doc = copy.deepcopy(SEED_DOC)
    doc["rules"]["not_applicable"] = "drop"
    with pytest.raises(DocumentError):
        validate(doc)


def test_round_created_from_a_document_keeps_the_option():
    from reports.interchange.store import round_create_from_document

    doc = copy.deepcopy(SEED_DOC)
    doc["rules"]["not_applicable"] = "rescale"
    round_ = round_create_from_document(
        document=doc, name="折算轮次", deadline="2022-06-30", template_name="折算模板", rules_name="折算规则"
    )
    assert round_.rule_set.not_applicable == "rescale"
    assert round_.rule_set.to_engine() == rules_from_document(doc["rules"])


def test_admin_form_saves_the_option(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    rs = RuleSet.objects.create(name="管理端折算")
    from tests.test_admin import rule_set_post

    url = reverse("admin:indicators_ruleset_change", args=[rs.pk])
    html = client.get(url).content.decode()
    assert 'name="not_applicable"' in html and "按百分制折算" in html
    response = client.post(url, rule_set_post(rs, not_applicable="rescale"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    rs.refresh_from_db()
    assert rs.not_applicable == "rescale"
