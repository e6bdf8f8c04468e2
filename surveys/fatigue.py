"""The one fatigue budget. Every way of asking a contact something (survey widget, survey email,
personal link, playbook email) asks here first and records here after, so a contact is asked at
most once per recontact window across all surveys and channels.

Rules (settings, with defaults):
- SURVEYS_RECONTACT_DAYS = 90: a contact with any touch (asked, answered, dismissed, email) in
  the last 90 days is not allowed.
- SURVEYS_ACCOUNT_CAP = 5 per SURVEYS_ACCOUNT_CAP_DAYS = 30: at most 5 distinct contacts of one
  account are touched in any 30 days; a batch gets the remaining places, lowest contact id first.
Both are set-based: a few queries whatever the number of contacts.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone

from .choices import TouchKind
from .models import FatigueTouch

__all__ = [
    "FatigueCheck",
    "account_cap",
    "fatigue_allowed_contact_ids",
    "fatigue_check",
    "fatigue_check_rows",
    "fatigue_record",
    "fatigue_record_many",
    "recontact_days",
]

_CHUNK = 5000


def recontact_days() -> int:
    return int(getattr(settings, "SURVEYS_RECONTACT_DAYS", 90))


def account_cap() -> tuple[int, int]:
    """(max distinct contacts, per so many days)."""
    return int(getattr(settings, "SURVEYS_ACCOUNT_CAP", 5)), int(getattr(settings, "SURVEYS_ACCOUNT_CAP_DAYS", 30))


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


@dataclass
class FatigueCheck:
    """Of the contacts checked: who may be asked now, who was touched within the recontact
    window, and whose account had reached its cap. `account_of` maps each known contact
    that was not touched recently to its account."""

    allowed: set[int] = field(default_factory=set)
    recent: set[int] = field(default_factory=set)
    capped: set[int] = field(default_factory=set)
    account_of: dict[int, int | None] = field(default_factory=dict)


def fatigue_allowed_contact_ids(*, contact_ids: Iterable[int], now: datetime | None = None) -> set[int]:
    """The subset of `contact_ids` that may be asked now."""
    return fatigue_check(contact_ids=contact_ids, now=now).allowed


def fatigue_check(
    *, contact_ids: Iterable[int], now: datetime | None = None, places_taken: Mapping[int, int] | None = None
) -> FatigueCheck:
    """Who of `contact_ids` may be asked now, and why the others may not. `places_taken`
    ({account id: n}) counts places of the account cap already given to contacts not recorded
    yet (a preview over several chunks, which writes nothing)."""
    from accounts.models import Contact

    now = now or timezone.now()
    wanted = sorted({int(c) for c in contact_ids})
    result = FatigueCheck()
    if not wanted:
        return result

    window_start = now - timedelta(days=recontact_days())
    touched: set[int] = set()
    for chunk in _chunks(wanted):
        touched.update(
            FatigueTouch.objects.filter(contact_id__in=chunk, occurred_at__gt=window_start, occurred_at__lte=now)
            .order_by()  # no default ordering: DISTINCT on the contact alone
            .values_list("contact_id", flat=True)
            .distinct()
        )
    result.recent = touched & set(wanted)
    candidates = [c for c in wanted if c not in touched]
    if not candidates:
        return result

    _cap, cap_days = account_cap()
    account_of: dict[int, int | None] = {}
    for chunk in _chunks(candidates):
        account_of.update(Contact.objects.filter(id__in=chunk).values_list("id", "account_id"))
    account_ids = sorted({a for a in account_of.values() if a is not None})
    used: dict[int, int] = {}
    cap_start = now - timedelta(days=cap_days)
    for chunk in _chunks(account_ids):
        used.update(
            FatigueTouch.objects.filter(account_id__in=chunk, occurred_at__gt=cap_start, occurred_at__lte=now)
            .values("account_id")
            .annotate(n=Count("contact_id", distinct=True))
            .values_list("account_id", "n")
        )

    result.account_of = account_of
    _give_places(result, candidates, account_of, used, places_taken)
    return result


def _give_places(
    result: FatigueCheck,
    candidates: list[int],
    account_of: Mapping[int, int | None],
    used: Mapping[int, int],
    places_taken: Mapping[int, int] | None,
) -> None:
    """The account cap: candidates (sorted: lowest ids first) get their account's places left."""
    cap, _days = account_cap()
    taken: dict[int, int] = defaultdict(int, places_taken or {})
    for contact_id in candidates:
        if contact_id not in account_of:
            continue  # unknown contact
        account_id = account_of[contact_id]
        if account_id is not None:
            if used.get(account_id, 0) + taken[account_id] >= cap:
                result.capped.add(contact_id)
                continue
            taken[account_id] += 1
        result.allowed.add(contact_id)


def fatigue_check_rows(
    *,
    contacts: QuerySet,
    rows: list[tuple[int, int | None]],
    now: datetime | None = None,
    places_taken: Mapping[int, int] | None = None,
) -> FatigueCheck:
    """`fatigue_check` for `rows` ((contact id, account id) of contacts that `contacts`, a
    Contact queryset, selects): the budget is read with `contacts` as a subquery instead of id
    lists, two queries however many rows (a whole survey audience)."""
    now = now or timezone.now()
    result = FatigueCheck()
    if not rows:
        return result
    window_start = now - timedelta(days=recontact_days())
    result.recent = set(
        FatigueTouch.objects.filter(
            contact_id__in=contacts.values("id"), occurred_at__gt=window_start, occurred_at__lte=now
        )
        .order_by()  # no default ordering: DISTINCT on the contact alone
        .values_list("contact_id", flat=True)
        .distinct()
    )
    wanted = sorted(rows)
    candidates = [c for c, _a in wanted if c not in result.recent]
    result.recent &= {c for c, _a in wanted}
    if not candidates:
        return result
    _cap, cap_days = account_cap()
    used = dict(
        FatigueTouch.objects.filter(
            account_id__in=contacts.values("account_id"),
            occurred_at__gt=now - timedelta(days=cap_days),
            occurred_at__lte=now,
        )
        .values("account_id")
        .annotate(n=Count("contact_id", distinct=True))
        .values_list("account_id", "n")
    )
    result.account_of = dict(wanted)
    _give_places(result, candidates, result.account_of, used, places_taken)
    return result


def fatigue_record(
    *,
    contact_id: int,
    channel: str,
    kind: str,
    account_id: int | None = None,
    occurred_at: datetime | None = None,
) -> FatigueTouch:
    """Spend the contact's budget. kind: "asked" | "answered" | "dismissed" | "email"."""
    if kind not in TouchKind.values:
        raise ValueError(f"Unknown fatigue kind {kind!r}; expected one of {', '.join(TouchKind.values)}.")
    if account_id is None:
        from accounts.models import Contact

        account_id = Contact.objects.filter(id=contact_id).values_list("account_id", flat=True).first()
    return FatigueTouch.objects.create(
        contact_id=contact_id,
        account_id=account_id,
        channel=channel,
        kind=kind,
        occurred_at=occurred_at or timezone.now(),
    )


def fatigue_record_many(
    *, contacts: Iterable[tuple[int, int | None]], channel: str, kind: str, occurred_at: datetime | None = None
) -> int:
    """Bulk form for sends: `contacts` is (contact_id, account_id) pairs. Returns rows written."""
    if kind not in TouchKind.values:
        raise ValueError(f"Unknown fatigue kind {kind!r}.")
    at = occurred_at or timezone.now()
    rows = [FatigueTouch(contact_id=c, account_id=a, channel=channel, kind=kind, occurred_at=at) for c, a in contacts]
    FatigueTouch.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
