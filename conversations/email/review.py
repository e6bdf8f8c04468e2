"""The review queue: e-mails no rule could place. A person assigns them to an account, creates
the sender as a contact of an account (then every waiting message from that address follows), or
ignores them; each action takes many messages at once and is one transaction."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import account_write_check
from accounts.models import Account, Contact
from accounts.records import contacts_upsert

from ..models import MailMessage
from .ingest import message_timeline_put
from .matching import domain_in, domain_of, team_domains

__all__ = ["review_account_resolve", "review_assign", "review_contacts_create", "review_ignore"]


def review_account_resolve(*, value: str) -> Account:
    """The account a person typed or picked: its external id, else its exact name (unique)."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({"account": _("Choose an account.")})
    account = Account.objects.filter(external_id=value).first()
    if account is None:
        named = list(Account.objects.filter(name__iexact=value)[:2])
        if len(named) > 1:
            raise ValidationError({"account": _("Several accounts have that name: pick one from the list.")})
        account = named[0] if named else None
    if account is None:
        raise ValidationError({"account": _("No account “%(value)s”.") % {"value": value[:100]}})
    return account


def _waiting(message_ids: Iterable[int]):
    ids = sorted({int(i) for i in message_ids})
    if not ids:
        raise ValidationError({"messages": _("Tick at least one message.")})
    return MailMessage.objects.select_for_update().filter(pk__in=ids, status=MailMessage.Status.REVIEW).order_by("pk")


@transaction.atomic
def review_assign(*, message_ids: Iterable[int], account: Account, user) -> int:
    """Put waiting messages on `account`'s timeline; a sender who is a contact there is linked."""
    account_write_check(user, account)
    messages = list(_waiting(message_ids))
    addresses = {m.from_address for m in messages} | {a for m in messages for a in m.to}
    contacts = dict(Contact.objects.filter(account=account, email__in=sorted(addresses)).values_list("email", "pk"))
    for message in messages:
        contact_id = contacts.get(message.from_address) or next(
            (contacts[a] for a in message.to if a in contacts), None
        )
        message_timeline_put(message=message, account=account, contact_id=contact_id, how="review")
    return len(messages)


@transaction.atomic
def review_contacts_create(*, message_ids: Iterable[int], account: Account, user) -> tuple[int, int]:
    """Make each waiting message's customer sender a contact of `account` (forged senders and
    the team's own addresses excepted), then assign every waiting message from those addresses.
    Returns (contacts created, messages assigned)."""
    account_write_check(user, account)
    messages = list(_waiting(message_ids))
    team = team_domains()
    senders: dict[str, str] = {}
    for message in messages:
        address = message.from_address
        if address and not message.is_forged and not domain_in(domain_of(address), team, subdomains=False):
            senders.setdefault(address, message.from_name)
    if not senders:
        raise ValidationError({"messages": _("None of these messages has a sender who can become a contact.")})
    existing = set(Contact.objects.filter(email__in=sorted(senders)).values_list("email", flat=True))
    items = [
        {"external_id": f"email-{secrets.token_hex(8)}", "account": account, "email": address, "name": name}
        for address, name in senders.items()
        if address not in existing
    ]
    if items:
        contacts_upsert(items=items, author=user, source="email")
    waiting = MailMessage.objects.filter(status=MailMessage.Status.REVIEW, from_address__in=sorted(senders))
    ids = {m.pk for m in messages if m.from_address in senders} | set(waiting.values_list("pk", flat=True))
    assigned = review_assign(message_ids=ids, account=account, user=user)
    return len(items), assigned


@transaction.atomic
def review_ignore(*, message_ids: Iterable[int], user) -> int:
    """Leave waiting messages out of every timeline (they stay, so a copy is still a duplicate)."""
    return _waiting(message_ids).update(status=MailMessage.Status.IGNORED)
