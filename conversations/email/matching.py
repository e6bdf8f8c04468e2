"""Who an e-mail (or a meeting) is with: addresses → contacts → an account, else a domain.

Rules, in order (docs/conversations.md):
1. The team's own addresses (the configured team domains, plus the domains of the team's users'
   e-mail addresses, freemail domains excepted; exact domains, as a customer may live at a
   subdomain of yours) and excluded domains (with their subdomains) are not customers.
2. A customer address that is a contact's e-mail matches that contact; the account is the
   preferred address's contact's (the sender of an inbound message), else the account with the
   most matched contacts (lowest id on a tie).
3. No contact: the customer addresses' domains against `Account.domain` ("www." ignored),
   freemail domains never; exactly one account matches, or none does (two accounts with one
   domain go to review).
Three queries at most, whatever the number of addresses.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q

from accounts.models import Account, Contact

__all__ = ["AddressMatch", "addresses_match", "domain_in", "domain_of", "team_domains"]


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().lower()


def domain_in(domain: str, domains: Iterable[str], *, subdomains: bool = True) -> bool:
    return any(domain == d or (subdomains and domain.endswith("." + d)) for d in domains)


def team_domains(configured: Iterable[str] = ()) -> set[str]:
    """The team's own domains: those configured, and those of the active team users' e-mails
    (freemail domains excepted: a CSM on gmail.com does not make every gmail.com address internal)."""
    freemail = {d.lower() for d in settings.INBOUND_EMAIL_FREEMAIL_DOMAINS}
    emails = get_user_model().objects.filter(is_active=True).exclude(email="").values_list("email", flat=True)
    domains = {d.strip().lower() for d in configured if d.strip()}
    domains |= {domain_of(e) for e in emails if "@" in e} - freemail
    return domains


@dataclass
class AddressMatch:
    """`account_id` and how (`"contact"`, `"domain"` or `""`), each customer address's contact
    (of any account), the customer addresses (neither team nor excluded), and why none matched
    (`"internal"`, `"excluded"`, `"ambiguous_domain"`, `"unknown"`)."""

    account_id: int | None = None
    how: str = ""
    contacts: dict[str, int] = field(default_factory=dict)
    contact_accounts: dict[int, int] = field(default_factory=dict)
    customer_addresses: list[str] = field(default_factory=list)
    reason: str = ""

    def contact_for(self, address: str) -> int | None:
        contact_id = self.contacts.get(address)
        if contact_id is None or self.contact_accounts.get(contact_id) != self.account_id:
            return None
        return contact_id


def addresses_match(
    addresses: Iterable[str],
    *,
    prefer: str = "",
    team: Iterable[str] = (),
    excluded: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> AddressMatch:
    """Match the people of one message (or meeting). `team` and `excluded` are domains; `ignore`
    are addresses not to match by (a forged From)."""
    team_set = {d.lower() for d in team}
    excluded_set = {d.lower() for d in excluded}
    ignored = {a.lower() for a in ignore}
    result = AddressMatch()
    wanted = []
    everyone = [a.strip().lower() for a in addresses if a and "@" in a]
    non_team = [a for a in everyone if not domain_in(domain_of(a), team_set, subdomains=False)]
    if everyone and not non_team:
        result.reason = "internal"
        return result
    for address in non_team:
        if domain_in(domain_of(address), excluded_set) or address in wanted:
            continue
        wanted.append(address)
    result.customer_addresses = wanted
    if not wanted:
        result.reason = "excluded" if non_team else "unknown"
        return result
    usable = [a for a in wanted if a not in ignored]
    if not usable:
        result.reason = "unknown"
        return result

    rows = Contact.objects.filter(email__in=sorted(set(usable))).values_list("id", "email", "account_id")
    for contact_id, email, account_id in rows.order_by("id"):
        key = email.lower()
        if key not in result.contacts:
            result.contacts[key] = contact_id
            result.contact_accounts[contact_id] = account_id
    if result.contacts:
        preferred = result.contacts.get(prefer.lower()) if prefer and prefer.lower() not in ignored else None
        if preferred is not None:
            result.account_id = result.contact_accounts[preferred]
        else:
            counts = Counter(result.contact_accounts.values())
            result.account_id = min(counts, key=lambda a: (-counts[a], a))
        result.how = "contact"
        return result

    freemail = {d.lower() for d in settings.INBOUND_EMAIL_FREEMAIL_DOMAINS}
    domains = sorted({domain_of(a) for a in usable} - freemail)
    if not domains:
        result.reason = "unknown"
        return result
    variants = set(domains) | {f"www.{d}" for d in domains}
    query = Q(domain__in=variants)
    accounts = list(Account.objects.filter(query).values_list("id", flat=True)[:2])
    if len(accounts) == 1:
        result.account_id = accounts[0]
        result.how = "domain"
    else:
        result.reason = "ambiguous_domain" if accounts else "unknown"
    return result
