"""Reads of meetings: the upcoming ones of an account (its page's panel) and of a user (the
home page), and one meeting for its prep card."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from accounts.access import accounts_readable
from accounts.models import Account

from ..models import ConnectedAccount, ConnectionStatus, Meeting

__all__ = ["account_upcoming_meetings", "meeting_for_user", "user_connections", "user_upcoming_meetings"]

UPCOMING_DAYS = 14


def _upcoming(now=None) -> QuerySet[Meeting]:
    now = now or timezone.now()
    # a meeting under way still counts as upcoming until it ends
    return Meeting.objects.filter(ends_at__gt=now, starts_at__lt=now + timedelta(days=UPCOMING_DAYS))


def account_has_upcoming_meetings(*, account_id: int) -> bool:
    """Whether anyone on the team has a meeting with the account coming up (one EXISTS query: about
    1,000 Python calls where loading them costs 5,200, for a panel most accounts don't show)."""
    return _upcoming().filter(account_id=account_id).exists()


def account_upcoming_meetings(*, account_id: int, limit: int = 5) -> list[Meeting]:
    """The account's next meetings, whoever on the team holds them (one query); the same
    event in two colleagues' calendars shows once."""
    rows = list(
        _upcoming()
        .filter(account_id=account_id)
        .select_related("connection__user", "contact")
        .order_by("starts_at", "id")[: limit * 3]
    )
    seen, unique = set(), []
    for meeting in rows:
        key = (meeting.title, meeting.starts_at)
        if key not in seen:
            seen.add(key)
            unique.append(meeting)
    return unique[:limit]


def user_upcoming_meetings(*, user, limit: int = 8) -> list[Meeting]:
    """The user's own next customer meetings (one query)."""
    return list(
        _upcoming()
        .filter(connection__user=user)
        .select_related("account", "contact")
        .order_by("starts_at", "id")[:limit]
    )


def meeting_for_user(*, user, pk: int) -> Meeting | None:
    """A meeting on an account the user may read, or None."""
    meeting = Meeting.objects.select_related("account", "contact", "connection").filter(pk=pk).first()
    if meeting is None or not accounts_readable(user, Account.objects.filter(pk=meeting.account_id)).exists():
        return None
    return meeting


def user_connections(*, user) -> list[ConnectedAccount]:
    return list(
        ConnectedAccount.objects.filter(user=user)
        .exclude(status=ConnectionStatus.REVOKED)
        .order_by("provider", "email")
    )
