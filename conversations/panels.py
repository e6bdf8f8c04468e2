"""The account page's and the person page's "E-mail" panels (registered in apps.py): the latest
e-mails with them and a "Write an e-mail" button for those who may write the account."""

from __future__ import annotations

from accounts.access import account_can_write

from .models import MailMessage

LATEST = 5


def _latest(**filters) -> list[MailMessage]:
    return list(
        MailMessage.objects.filter(status=MailMessage.Status.MATCHED, **filters)
        .only(
            "pk",
            "subject",
            "snippet",
            "direction",
            "sent_at",
            "from_address",
            "from_name",
            "open_count",
            "click_count",
            "tracking",
        )
        .order_by("-sent_at", "-pk")[:LATEST]
    )


def account_email_panel_context(request, account) -> dict:
    return {
        "messages": _latest(account=account),
        "can_write": account_can_write(request.user, account),
        "account": account,
    }


def contact_email_panel_context(request, contact) -> dict | None:
    if contact.account_id is None:
        return None
    return {
        "messages": _latest(contact=contact),
        "can_write": bool(contact.email) and account_can_write(request.user, contact.account),
        "account": contact.account,
        "contact": contact,
    }
