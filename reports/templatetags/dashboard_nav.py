"""`user|is_bureau` for the top bar: reviewers and admins get a link to the round dashboard."""

from django import template

from departments.selectors import access_for

register = template.Library()


@register.filter
def is_bureau(user) -> bool:
    return access_for(user).is_bureau
