"""Keep a synced calendar event: a meeting with a customer attendee is stored once per
connection and instance; once it has started it is on the account's timeline as a meeting (a
touch: `last_touch_at` through accounts' `activity_create`); a cancelled one goes, with its
timeline entry (accounts' `activity_delete` puts `last_touch_at` back)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.choices import ActivityKind
from accounts.services import activity_create, activity_delete

from ..models import ConnectedAccount, Meeting
from .matching import MatchRules, attendees_match

__all__ = ["EventData", "meeting_remove", "meeting_upsert", "meetings_due_to_timeline", "meetings_sweep"]


@dataclass(frozen=True)
class EventData:
    """One event instance as the providers' modules hand it over."""

    external_id: str
    title: str
    starts_at: datetime
    ends_at: datetime
    attendees: tuple[tuple[str, str], ...] = ()  # (email, name)
    organizer: str = ""
    location: str = ""
    cancelled: bool = False
    extra: dict = field(default_factory=dict)


def _timeline_entry(meeting: Meeting) -> None:
    """Put a started meeting on the timeline once; keep its entry in step when it moves."""
    if meeting.starts_at > timezone.now():
        return
    subject = meeting.title or gettext("Meeting")
    if meeting.activity_id is None:
        meeting.activity = activity_create(
            account=meeting.account,
            kind=ActivityKind.MEETING,
            subject=subject,
            contact=meeting.contact,
            occurred_at=meeting.starts_at,
            metadata={
                "source": meeting.connection.provider,
                "meeting_id": meeting.pk,
                "user_id": meeting.connection.user_id,
                "attendees": [a["email"] for a in meeting.attendees],
                "ends_at": meeting.ends_at.isoformat(),
            },
        )
        meeting.save(update_fields=["activity", "updated_at"])
        return
    activity = meeting.activity
    if activity.subject != subject[:255] or activity.occurred_at != meeting.starts_at:
        activity.subject, activity.occurred_at = subject[:255], meeting.starts_at
        activity.save(update_fields=["subject", "occurred_at"])


def meeting_remove(*, connection: ConnectedAccount, external_id: str) -> bool:
    """A cancelled or no longer customer-facing event: the meeting and its timeline entry go."""
    with transaction.atomic():
        meeting = (
            Meeting.objects.select_for_update(of=("self",))
            .select_related("activity")
            .filter(connection=connection, external_id=external_id)
            .first()
        )
        if meeting is None:
            return False
        if meeting.activity is not None:
            activity_delete(activity=meeting.activity)
        meeting.delete()
    return True


def meeting_upsert(*, connection: ConnectedAccount, event: EventData, rules: MatchRules) -> Meeting | None:
    """Store the event when a customer attends it (idempotent: the same event twice is one
    meeting); None when it is cancelled or has no customer attendee (and was removed if stored)."""
    if event.cancelled:
        meeting_remove(connection=connection, external_id=event.external_id)
        return None
    match = attendees_match([email for email, _name in event.attendees], rules=rules)
    if match is None:
        meeting_remove(connection=connection, external_id=event.external_id)
        return None
    names = dict(event.attendees)
    customers = set(match.customer_emails)
    attendees = [{"email": e, "name": names.get(e, ""), "customer": True} for e in match.customer_emails] + [
        {"email": e.lower(), "name": n, "customer": False} for e, n in event.attendees if e.lower() not in customers
    ]
    values = {
        "account": match.account,
        "contact": match.contact,
        "title": event.title[:255],
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "location": event.location[:500],
        "organizer": event.organizer[:254],
        "attendees": attendees,
    }
    for _attempt in range(2):
        try:
            with transaction.atomic():
                meeting = (
                    Meeting.objects.select_for_update(of=("self",))
                    .select_related("activity", "connection")
                    .filter(connection=connection, external_id=event.external_id)
                    .first()
                )
                if meeting is None:
                    meeting = Meeting.objects.create(connection=connection, external_id=event.external_id, **values)
                else:
                    moved_account = meeting.account_id != match.account.pk
                    if moved_account and meeting.activity is not None:
                        activity_delete(activity=meeting.activity)
                        meeting.activity = None
                    for name, value in values.items():
                        setattr(meeting, name, value)
                    meeting.save()
                _timeline_entry(meeting)
                return meeting
        except IntegrityError:  # a concurrent run created it first: update that one
            continue
    return None


def meetings_sweep(*, connection: ConnectedAccount, seen: set[str], since: datetime) -> int:
    """After a full sync: meetings from `since` on that the calendar no longer has are removed."""
    gone = list(
        Meeting.objects.filter(connection=connection, starts_at__gte=since)
        .exclude(external_id__in=seen)
        .values_list("external_id", flat=True)
    )
    for external_id in gone:
        meeting_remove(connection=connection, external_id=external_id)
    return len(gone)


def meetings_due_to_timeline(*, now: datetime | None = None, limit: int = 500) -> int:
    """Meetings that have started since the last sync go on the timeline (the sync task runs this
    too, so a meeting becomes a touch even when its calendar did not change)."""
    now = now or timezone.now()
    due = list(
        Meeting.objects.filter(activity__isnull=True, starts_at__lte=now)
        .select_related("account", "contact", "connection")
        .order_by("starts_at")[:limit]
    )
    for meeting in due:
        with transaction.atomic():
            _timeline_entry(meeting)
    return len(due)
