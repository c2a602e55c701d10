"""The bureau admin builds a flat-list template and a 2-level template through the admin's forms."""

from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F
from django.urls import reverse

from indicators.models import Template, TemplateLevel1
from tests.shapes import FLAT_ROWS, TWO_LEVEL, TWO_LEVEL_WEIGHTS, flat_template, two_level_template
from tests.test_admin import admin_form

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:indicators_template_add")
KINDS = {"quantitative": "quantitative", "qualitative": "qualitative"}


@pytest.fixture
def admin_client(client):
    admin = get_user_model().objects.create_superuser("shape_admin", password="pw")
    client.force_login(admin)
    return client


def _put_row(data: dict, i: int, spec, level1: str = "") -> None:
    level3, kind, sign, target, target_text, unit, weight = spec
    data.update(
        {
            f"indicators-{i}-order": str(i + 1),
            f"indicators-{i}-level1": level1,
            f"indicators-{i}-level2": "",
            f"indicators-{i}-level3": level3,
            f"indicators-{i}-kind": kind,
            f"indicators-{i}-sign": sign,
            f"indicators-{i}-target": "" if target is None else str(target),
            f"indicators-{i}-target_text": target_text,
            f"indicators-{i}-unit": unit,
            f"indicators-{i}-weight": str(weight),
        }
    )
    data["indicators-TOTAL_FORMS"] = str(i + 1)


def _errors(response) -> str:
    html = response.content.decode()
    return html[html.find("errornote") - 200 :][:3000] if "errornote" in html else ""


def _checks(client, template) -> str:
    html = client.get(reverse("admin:indicators_template_change", args=[template.pk])).content.decode()
    start = html.index("模板检查")
    return html[start : start + 800]


def test_a_flat_template_is_made_in_the_admin_with_no_levels(admin_client):
    flat_template("另一模板")
    TemplateLevel1.objects.create(template=two_level_template("别的模板"), name="别人的一级指标")
    html = admin_client.get(ADD_URL).content.decode()
    assert '<option value="" selected>（无一级指标）</option>' in html  # the blank choice says what it means
    # No other template's level-1 nodes among the rows' choices (the presets' labels may name 产出).
    assert "别人的一级指标" not in html and '">产出' not in html
    data = admin_form(admin_client, ADD_URL)
    data.update({"name": "平铺清单", "year": "2022", "version": "1", "execution_weight": "10"})
    for i, spec in enumerate(FLAT_ROWS):
        _put_row(data, i, spec)
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 302, _errors(response)
    assert "不能为空" not in _errors(response)
    template = Template.objects.get(name="平铺清单")
    assert list(template.indicators.order_by("order").values_list("level1", "level2", "level3", "weight")) == [
        (None, "", spec[0], spec[6]) for spec in FLAT_ROWS
    ]
    # 10 + 90 = 100 with no level 1 declared: the check does not call it wrong.
    assert "权重合计正确，未发现问题。" in _checks(admin_client, template)


def test_a_two_level_template_is_made_in_the_admin_with_rows_under_level1(admin_client):
    data = admin_form(admin_client, ADD_URL)
    data.update({"name": "两级清单", "year": "2022", "version": "1", "execution_weight": "10"})
    for i, (name, weight) in enumerate(TWO_LEVEL_WEIGHTS.items()):
        data.update(
            {
                f"level1_nodes-{i}-order": str(i + 1),
                f"level1_nodes-{i}-name": name,
                f"level1_nodes-{i}-weight": str(weight),
                f"level1_nodes-{i}-standard_weight": str(weight),
                f"level1_nodes-{i}-applicable": "on",
            }
        )
        data["level1_nodes-TOTAL_FORMS"] = str(i + 1)
    response = admin_client.post(ADD_URL, data)
    assert response.status_code == 302, _errors(response)
    template = Template.objects.get(name="两级清单")
    nodes = {n.name: n.pk for n in template.level1_nodes.all()}
    # The rows, level 2 left blank, under the nodes just saved (the change form offers them).
    url = reverse("admin:indicators_template_change", args=[template.pk])
    data = admin_form(admin_client, url)
    i = 0
    for level1, rows in TWO_LEVEL.items():
        for spec in rows:
            _put_row(data, i, spec, level1=str(nodes[level1]))
            i += 1
    response = admin_client.post(url, data)
    assert response.status_code == 302, _errors(response)
    rows = template.indicators.select_related("level1").order_by("order")
    assert [(r.level1.name, r.level2, r.level3) for r in rows] == [
        (l1, "", spec[0]) for l1, specs in TWO_LEVEL.items() for spec in specs
    ]
    assert "权重合计正确，未发现问题。" in _checks(admin_client, template)


def test_the_check_still_names_a_flat_list_that_does_not_add_up(admin_client):
    template = flat_template()
    template.indicators.filter(level3="制度建设").update(weight=D("5"))
    checks = _checks(admin_client, template)
    assert "95" in checks and "应为 100" in checks


def test_copy_as_new_version_keeps_rows_under_no_level1(admin_client):
    template = flat_template()
    response = admin_client.post(
        reverse("admin:indicators_template_changelist"),
        {"action": "copy_as_new_version", "_selected_action": [template.pk]},
    )
    assert response.status_code == 302
    copy = Template.objects.get(name=template.name, version=2)
    assert list(copy.indicators.values_list("level1", "level3").order_by("order")) == [
        (None, spec[0]) for spec in FLAT_ROWS
    ]


def test_the_check_uses_the_rule_set_of_the_rounds_using_the_template(admin_client):
    from departments.models import Department  # reason: only this test needs a department for its round
    from indicators.models import RuleSet  # reason: as above, the round's rule set
    from tests.shapes import open_round  # reason: as above

    template = flat_template("省级口径")
    Template.objects.filter(pk=template.pk).update(execution_weight=D("0"))
    template.indicators.filter(order=1).update(weight=F("weight") + D("10"))
    # No round yet: the default rules fix 预算执行率 at 10.
    assert "规则规定固定为 10 分" in _checks(admin_client, template)
    round_ = open_round(template, Department.objects.create(code="990001", name="口径测试部门"))
    round_.rule_set = RuleSet.objects.create(name="省级规则", fixed_execution_weight=None)
    round_.save()
    checks = _checks(admin_client, template)
    assert "按评分规则“省级规则 v1”：" in checks and "权重合计正确，未发现问题。" in checks
    assert "规则规定固定为" not in checks
