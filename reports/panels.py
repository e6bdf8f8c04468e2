"""The account 360 page's "Value reports" panel: the account's latest reports (one query)."""

from .value import value_reports_of


def value_reports_panel_context(request, account) -> dict:
    return {"account": account, "reports": value_reports_of(account=account, limit=3)}
