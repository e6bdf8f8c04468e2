"""`{% load team_rows %}`: the team page's overdue rows written in Python (playbooks.team_rows)."""

from django import template

from ..team_rows import team_overdue_rows as _team_overdue_rows

register = template.Library()


@register.simple_tag
def team_overdue_rows(tasks):
    return _team_overdue_rows(tasks)
