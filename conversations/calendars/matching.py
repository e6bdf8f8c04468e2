"""Which customer a meeting is with: the inbound e-mail matcher's rules
(`conversations.email.matching.addresses_match`: contacts by address first, else one account by
domain; the team's and excluded domains never match), applied to the attendees. The
organiser's own address is the team's, whatever its domain."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Account, Contact

from ..email.matching import addresses_match, team_domains
from ..models import InboundSettings

__all__ = ["AttendeeMatch", "MatchRules", "attendees_match", "match_rules"]


@dataclass(frozen=True)
class MatchRules:
    team: frozenset[str]
    excluded: frozenset[str]
    own: frozenset[str]  # the calendar owner's addresses


@dataclass(frozen=True)
class AttendeeMatch:
    account: Account
    contact: Contact | None
    customer_emails: tuple[str, ...]


def match_rules(*, own: tuple[str, ...] = ()) -> MatchRules:
    """The workspace's team and excluded domains (two queries; once per sync run)."""
    config = InboundSettings.load()
    return MatchRules(
        team=frozenset(team_domains(config.team_domains)),
        excluded=frozenset(d.lower() for d in config.excluded_domains),
        own=frozenset(a.lower() for a in own),
    )


def attendees_match(emails, *, rules: MatchRules) -> AttendeeMatch | None:
    """The account the attendees belong to, or None (internal, excluded, unknown, ambiguous)."""
    addresses = [e.strip().lower() for e in emails if e and "@" in e and e.strip().lower() not in rules.own]
    match = addresses_match(addresses, team=rules.team, excluded=rules.excluded)
    if match.account_id is None:
        return None
    account = Account.objects.get(pk=match.account_id)
    contact_id = next((c for c in map(match.contact_for, match.customer_addresses) if c is not None), None)
    contact = Contact.objects.filter(pk=contact_id).first() if contact_id else None
    return AttendeeMatch(account=account, contact=contact, customer_emails=tuple(match.customer_addresses))
