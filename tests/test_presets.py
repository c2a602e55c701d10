"""Presets of rule sets and level-1 skeletons (domain.md §4), chosen on the admin's add forms."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from indicators import engine, presets
from indicators.models import RuleSet, Template

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw"))
    return client


def _rule_set_add_post(**changes) -> dict:
    """The add form as the browser posts it with the model's defaults."""
    data = {
        "name": "新规则",
        "version": "1",
        "execution_denominator": "annual",
        "execution_cap": "on",
        "execution_method": "proportional",
        "execution_step_per": "",
        "execution_step_deduct": "",
        "total_caps_by_execution": "",
        "reverse_formula": "linear",
        "overachievement_ratio": "",
        "overachievement_deduction": "0",
        "quantitative_scores": "self-checked",
        "tolerance": "0.01",
        "not_applicable": "move",
        "monitoring_yellow_margin": "10",
        "monitoring_red_margin": "25",
        "tier_met": "80",
        "tier_partial": "60",
        "grade_excellent": "90",
        "grade_good": "80",
        "grade_pass": "60",
        "notes": "",
        "preset": "",
    }
    data.update(changes)
    return data


def test_rule_presets_are_valid_rule_sets():
    for key, preset in presets.RULE_PRESETS.items():
        rs = RuleSet(name=key)
        presets.apply_rule_preset(rs, key)
        rs.full_clean(exclude=["name"])
        res = engine.score_report(engine.ReportInput(rules=rs.to_engine()))
        assert "rules.invalid" not in {f.code for f in res.findings}, key
        assert preset.notes


def test_template_presets_add_up_to_100():
    for key, preset in presets.TEMPLATE_PRESETS.items():
        assert preset.execution_weight + sum(w for _, w in preset.level1) == D("100"), key


def test_add_form_offers_the_presets(admin_client):
    html = admin_client.get(reverse("admin:indicators_ruleset_add")).content.decode()
    assert 'name="preset"' in html
    assert "财预〔2020〕10号" in html and "省级规则" in html
    # the change form has no preset
    rs = RuleSet.objects.create(name="已有")
    html = admin_client.get(reverse("admin:indicators_ruleset_change", args=[rs.pk])).content.decode()
    assert 'name="preset"' not in html


def test_preset_link_prefills_the_add_form(admin_client):
    url = reverse("admin:indicators_ruleset_add")
    assert 'href="?preset=province"' in admin_client.get(url).content.decode()
    response = admin_client.get(url + "?preset=province")
    html = response.content.decode()
    assert "80 89\n70 79\n60 69\n50 59" in html
    form = response.context["adminform"].form
    assert form.initial["overachievement_ratio"] == D("1.3") and form.initial["not_applicable"] == "rescale"
    assert "preset" not in form.initial  # saving keeps what is edited after the prefill


def test_prefilled_then_edited_keeps_the_edit(admin_client):
    post = _rule_set_add_post(
        name="改过", total_caps_by_execution="80 90", overachievement_ratio="1.3", not_applicable="rescale"
    )
    assert admin_client.post(reverse("admin:indicators_ruleset_add") + "?preset=province", post).status_code == 302
    rs = RuleSet.objects.get(name="改过")
    assert rs.total_caps_by_execution == [["80", "90"]] and rs.not_applicable == "rescale"


def test_province_preset_creates_its_rules(admin_client):
    response = admin_client.post(
        reverse("admin:indicators_ruleset_add"), _rule_set_add_post(name="省", preset="province")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    rs = RuleSet.objects.get(name="省")
    assert rs.total_caps_by_execution == [["80", "89"], ["70", "79"], ["60", "69"], ["50", "59"]]
    assert rs.overachievement_ratio == D("1.3") and rs.overachievement_deduction == D("2")
    assert rs.not_applicable == "rescale"
    assert rs.quantitative_scores == "self-checked"
    assert "偏差" in rs.notes
    e = rs.to_engine()
    assert e.total_caps_by_execution[-1] == (D("50"), D("59"))


def test_national_preset_computes_scores_and_keeps_typed_notes(admin_client):
    post = _rule_set_add_post(name="国", preset="national", notes="本局表注", overachievement_ratio="1.2")
    assert admin_client.post(reverse("admin:indicators_ruleset_add"), post).status_code == 302
    rs = RuleSet.objects.get(name="国")
    assert rs.quantitative_scores == "computed"
    assert rs.overachievement_ratio is None  # the preset states every rule
    assert rs.notes == "本局表注"


def test_seed_preset_is_the_seed_rules(admin_client):
    post = _rule_set_add_post(name="种子", preset="seed", reverse_formula="ratio", tier_partial="50")
    assert admin_client.post(reverse("admin:indicators_ruleset_add"), post).status_code == 302
    rs = RuleSet.objects.get(name="种子")
    assert rs.to_engine() == engine.RuleSet()  # the engine's defaults are the seed bureau's
    assert (rs.tier_met, rs.tier_partial) == (D("80"), D("60"))


def test_no_preset_keeps_what_was_typed(admin_client):
    post = _rule_set_add_post(name="手填", reverse_formula="ratio")
    assert admin_client.post(reverse("admin:indicators_ruleset_add"), post).status_code == 302
    assert RuleSet.objects.get(name="手填").reverse_formula == "ratio"


def _template_add_post(**changes) -> dict:
    data = {"name": "模板", "year": "2022", "version": "1", "execution_weight": "5", "preset": ""}
    for prefix in ("level1_nodes", "indicators"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("seed", [("投入管理指标", D("30")), ("可持续性指标", D("10")), ("产出指标", D("30")), ("效益指标", D("20"))]),
        ("national", [("产出指标", D("50")), ("效益指标", D("30")), ("满意度指标", D("10"))]),
    ],
)
def test_template_preset_creates_the_level1_nodes(admin_client, key, expected):
    url = reverse("admin:indicators_template_add")
    assert 'name="preset"' in admin_client.get(url).content.decode()
    response = admin_client.post(url, _template_add_post(name=f"模板{key}", preset=key))
    assert response.status_code == 302, response.context["adminform"].form.errors
    t = Template.objects.get(name=f"模板{key}")
    assert t.execution_weight == D("10")
    nodes = list(t.level1_nodes.order_by("order"))
    assert [(n.name, n.weight) for n in nodes] == expected
    assert all(n.standard_weight == n.weight and n.applicable for n in nodes)


def test_template_preset_keeps_a_typed_level1(admin_client):
    post = _template_add_post(name="有一级", preset="national")
    post.update(
        {
            "level1_nodes-TOTAL_FORMS": "1",
            "level1_nodes-0-order": "0",
            "level1_nodes-0-name": "产出指标",
            "level1_nodes-0-weight": "45",
            "level1_nodes-0-standard_weight": "50",
            "level1_nodes-0-applicable": "on",
        }
    )
    response = admin_client.post(reverse("admin:indicators_template_add"), post)
    assert response.status_code == 302, response.context["adminform"].form.errors
    t = Template.objects.get(name="有一级")
    assert {n.name: n.weight for n in t.level1_nodes.all()} == {
        "产出指标": D("45"),
        "效益指标": D("30"),
        "满意度指标": D("10"),
    }


def test_template_without_preset_has_no_nodes(admin_client):
    assert admin_client.post(reverse("admin:indicators_template_add"), _template_add_post()).status_code == 302
    t = Template.objects.get(name="模板")
    assert t.execution_weight == D("5") and not t.level1_nodes.exists()
