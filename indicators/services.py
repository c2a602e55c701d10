"""Writes to the bureau's configuration: one transaction each."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from indicators.models import RuleSet, Template, TemplateIndicator, TemplateLevel1


@dataclass(frozen=True)
class RolledForward:
    template: Template
    rule_set: RuleSet | None


def _for_year(name: str, old: int, new: int) -> str:
    """The name for the new year: its year replaced, or the year added."""
    if str(old) in name:
        return name.replace(str(old), str(new))
    return f"{name}（{new}）"


@transaction.atomic
def template_roll_forward(*, template: Template, rule_set: RuleSet | None) -> RolledForward:
    """Next year's template (and rule set): new unlocked versions with the same levels, rows and
    weights, named for the year. Refused, with nothing written, when that year has one already."""
    year = template.year + 1
    name = _for_year(template.name, template.year, year)
    if Template.objects.filter(year=year, name=name).exists():
        raise ValidationError(
            _("%(year)d 年已有指标模板“%(name)s”，未结转。") % {"year": year, "name": name}, code="exists"
        )
    rule_name = _for_year(rule_set.name, template.year, year) if rule_set else ""
    if rule_set and RuleSet.objects.filter(name=rule_name).exists():
        raise ValidationError(_("已有评分规则“%(name)s”，未结转。") % {"name": rule_name}, code="exists")
    nodes = list(template.level1_nodes.all())
    rows = list(template.indicators.all())
    new = Template.objects.get(pk=template.pk)
    new.pk = None
    new.name, new.year, new.version, new.locked = name, year, 1, False
    new.save()
    mapping = {}
    for node in nodes:
        old = node.pk
        node.pk, node.template = None, new
        mapping[old] = node
    TemplateLevel1.objects.bulk_create(nodes)
    for row in rows:
        row.pk, row.template, row.level1 = None, new, mapping.get(row.level1_id)
    TemplateIndicator.objects.bulk_create(rows)
    new_rules = None
    if rule_set:
        new_rules = RuleSet.objects.get(pk=rule_set.pk)
        new_rules.pk = None
        new_rules.name, new_rules.version, new_rules.locked = rule_name, 1, False
        new_rules.save()
    return RolledForward(template=new, rule_set=new_rules)
