"""`{% load portfolio_cells %}`: the portfolio's rows and the health pill written in Python
(accounts.portfolio_table: the page's CPU, issues 22 and 23)."""

from django import template

from ..portfolio_table import health_pill as _health_pill
from ..portfolio_table import portfolio_rows as _portfolio_rows

register = template.Library()


@register.simple_tag(takes_context=True)
def portfolio_rows(context, accounts):
    """The table's rows for `accounts`, with the page's `can_reassign`, `rolled_up` and `base_currency`."""
    return _portfolio_rows(
        accounts,
        can_reassign=bool(context.get("can_reassign")),
        rolled_up=bool(context.get("rolled_up")),
        base_currency=context.get("base_currency") or "",
    )


@register.filter
def health_pill(account):
    return _health_pill(account)
