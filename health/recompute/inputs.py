"""What scoring a chunk reads: the accounts in chunks, each measure's raw values and the
active overrides. CHUNK_SIZE is read from this module at call time (tests patch it)."""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from accounts.models import Account
from usage.rollups import AccountRange, account_filter

from ..measures import end_of_day
from ..models import HealthOverride
from ..registry import _RUN_CACHE, MEASURES
from ..scoring import Plan

__all__ = [
    "CHUNK_SIZE",
    "ChunkInputs",
    "account_chunks",
    "account_ranges",
    "active_overrides",
    "chunk_inputs",
    "moment",
    "raw_values",
    "today",
]

CHUNK_SIZE = 5000


def today() -> date:
    return timezone.now().date()


def moment(as_of: date) -> datetime:
    """The instant a day's snapshot describes: its end, or now for today."""
    return min(end_of_day(as_of), timezone.now())


def active_overrides(as_of: date, account_ids: Sequence[int] | None) -> dict[int, HealthOverride]:
    at = moment(as_of)
    rows = account_filter(
        HealthOverride.objects.filter(created_at__lte=at, expires_at__gt=at).exclude(cleared_at__lte=at),
        account_ids,
    )
    active: dict[int, HealthOverride] = {}
    for o in rows.order_by("account_id", "-created_at", "-id"):
        active.setdefault(o.account_id, o)
    return active


def raw_values(*, as_of: date, account_ids: Sequence[int] | None, keys: Iterable[str]) -> dict[str, dict]:
    """Every measure's raw values for these accounts, rollups read once for the run."""
    from ..custom_measures import custom_field_measures_sync

    custom_field_measures_sync()
    token = _RUN_CACHE.set({})
    try:
        return {key: MEASURES[key].compute(as_of, account_ids) for key in keys if key in MEASURES}
    finally:
        _RUN_CACHE.reset(token)


@dataclass
class ChunkInputs:
    """What scoring a chunk reads from the database: each measure's raw values and the
    active overrides."""

    raw: dict[str, dict]
    overrides: dict[int, HealthOverride]


def chunk_inputs(*, as_of: date, account_ids: Sequence[int], plans: Sequence[Plan]) -> ChunkInputs:
    keys = sorted({m.key for p in plans for m in p.measures})
    return ChunkInputs(
        raw=raw_values(as_of=as_of, account_ids=account_ids, keys=keys),
        overrides=active_overrides(as_of, account_ids),
    )


def account_chunks(account_ids: Sequence[int] | None) -> Iterator[tuple[list[tuple[int, str, str]], list[int]]]:
    """(accounts as (id, tier, segment), their ids) per chunk of CHUNK_SIZE, by id. A chunk
    holding every account of its id range comes as an AccountRange (filtered by range:
    index-friendly, no list of thousands of ids); one count query tells."""
    size = CHUNK_SIZE
    accounts = Account.objects.order_by("id")
    if account_ids is not None:
        accounts = accounts.filter(id__in=list(account_ids))
    last_id = 0
    while True:
        chunk = list(accounts.filter(id__gt=last_id).values_list("id", "tier", "segment")[:size])
        if not chunk:
            return
        ids = [c[0] for c in chunk]
        lo, hi = ids[0], ids[-1]
        if account_ids is None or len(ids) < 50 or Account.objects.filter(id__gte=lo, id__lte=hi).count() == len(ids):
            ids = AccountRange(ids, lo, hi) if len(ids) >= 50 else ids
        yield chunk, ids
        if len(chunk) < size:
            return
        last_id = hi


def account_ranges(*, size: int | None = None) -> Iterator[AccountRange]:
    """Every account id, in AccountRanges of CHUNK_SIZE (for the Account columns' updates)."""
    size = size or CHUNK_SIZE
    every = list(Account.objects.order_by("id").values_list("id", flat=True))
    for i in range(0, len(every), size):
        chunk = every[i : i + size]
        yield AccountRange(chunk, chunk[0], chunk[-1])
