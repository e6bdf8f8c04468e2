"""`{% load inbox_rows %}`: the task inbox's rows written in Python (playbooks.inbox_rows)."""

from django import template
from django.template.defaulttags import CsrfTokenNode

from ..inbox_rows import inbox_rows_html

register = template.Library()
_CSRF = CsrfTokenNode()


@register.simple_tag(takes_context=True)
def inbox_rows(context, tasks):
    """The rows of `tasks` with what the page's context says about them (views/inbox.py row_context)."""
    user = context.get("user")
    return inbox_rows_html(
        tasks,
        today=context["today"],
        can_edit=context.get("can_edit", False),
        user_pk=getattr(user, "pk", None),
        tasks_url=context["tasks_url"],
        accounts_url=context["accounts_url"],
        view_include=context.get("view_include", ""),
        csrf_input=_CSRF.render(context),
        error=context.get("error"),
        just_changed=context.get("just_changed", ""),
    )
