"""The engine's grades in the reader's language ({{ report.grade|grade }}): reports/web/engine_text.py."""

from django import template

from reports.web.engine_text import grade_label

register = template.Library()


@register.filter
def grade(value):
    return grade_label(value)
