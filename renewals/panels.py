"""The account page's opportunities panel (registered in apps.py)."""

from .permissions import account_can_add_opportunity
from .selectors import account_opportunities


def opportunities_panel_context(request, account) -> dict:
    """Two queries whatever the data: the open opportunities, then the latest closed."""
    return {
        "account": account,
        "opportunities": account_opportunities(account),
        "can_add": account_can_add_opportunity(request.user, account),
    }
