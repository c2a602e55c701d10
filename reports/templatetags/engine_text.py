"""The engine's grades in the reader's language ({{ report.grade|grade }}): reports/web/engine_text.py."""

from django import template

from reports.web.engine_explain import light_text
from reports.web.engine_text import finding_message, grade_label

register = template.Library()


@register.filter
def grade(value):
    return grade_label(value)


@register.filter
def light(text):
    """A monitoring light's explanation in the reader's language ({{ light.explanation|light }})."""
    return light_text(text)


@register.filter
def finding(f):
    """A stored finding's message in the reader's language ({{ f|finding }})."""
    # A row's messages start with the row's name ("服务社区数量：…"): kept before the label.
    name = f.message.split("：", 1)[0] if f.where.startswith("indicators[") and "：" in f.message else ""
    return finding_message(f.code, f.message, name)
