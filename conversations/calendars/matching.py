"""Which customer a set of e-mail addresses belongs to: a contact by address first, else an
account by the address's domain. The team's own domains (the users' addresses) never match.

The inbound e-mail matcher (conversations.email, issue 21 part 1) applies the same two rules to
messages; meetings ask this module until that one is on main (see docs/decisions.md).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models.functions import Lower

from accounts.models import Account, Contact
from core.models import User

__all__ = ["AttendeeMatch", "attendees_match", "internal_domains"]


@dataclass(frozen=True)
class AttendeeMatch:
    account: Account
    contact: Contact | None
    customer_emails: tuple[str, ...]


def _domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def internal_domains(extra: tuple[str, ...] = ()) -> set[str]:
    """The team's domains: those of the users' addresses (one query)."""
    emails = User.objects.exclude(email="").values_list("email", flat=True)
    return {_domain(e) for e in emails if "@" in e} | {_domain(e) for e in extra if "@" in e}


def attendees_match(emails, *, internal: set[str]) -> AttendeeMatch | None:
    """The account the outside attendees belong to (two queries at most), or None.

    Contacts by address decide first (the account most of them belong to); with no known
    contact, an account whose `domain` is the attendees' domain. Ties go to the first attendee.
    """
    outside = []
    for email in emails:
        email = (email or "").strip().lower()
        if "@" in email and _domain(email) not in internal and email not in outside:
            outside.append(email)
    if not outside:
        return None
    contacts = list(
        Contact.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=outside, account__isnull=False)
        .select_related("account")
        .order_by("id")
    )
    if contacts:
        votes = Counter(c.account_id for c in contacts)
        by_email = {c.email_lower: c for c in contacts}
        first = next(by_email[e] for e in outside if e in by_email)
        best = max(votes.values())
        account_id = first.account_id if votes[first.account_id] == best else votes.most_common(1)[0][0]
        contact = next(by_email[e] for e in outside if e in by_email and by_email[e].account_id == account_id)
        return AttendeeMatch(account=contact.account, contact=contact, customer_emails=tuple(outside))
    domains = list(dict.fromkeys(_domain(e) for e in outside))
    accounts = {
        a.domain_lower: a
        for a in Account.objects.annotate(domain_lower=Lower("domain")).filter(domain_lower__in=domains).order_by("id")
    }
    for domain in domains:
        if domain in accounts:
            return AttendeeMatch(account=accounts[domain], contact=None, customer_emails=tuple(outside))
    return None
