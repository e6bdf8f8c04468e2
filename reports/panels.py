"""The account 360 page's "Value reports" panel: the account's latest reports (one query)."""

from .models import ValueReport


def value_reports_panel_context(request, account) -> dict:
    return {"account": account, "reports": list(ValueReport.objects.filter(account=account)[:3])}
