"""The rollup deltas of ingested batches (usage.models.RollupDelta): written by ingest in the
batch's transaction, added to the daily rollups and deleted in one transaction by
`deltas_apply` (usage.rollups.usage_rollup_apply_deltas). PostgreSQL: one INSERT from arrays,
and one statement that deletes the deltas and adds them (a data-modifying CTE: the deltas it
adds are exactly the ones it deleted, one snapshot). Elsewhere (SQLite, one writer at a time):
the deltas are read by DELETE ... RETURNING and merged in Python.

What cannot be summed: a day's distinct contacts. A delta's contact is new to its day when
its (account, day, contact) row is not in AccountDailyContact yet: the INSERT ... ON CONFLICT
DO NOTHING of those rows returns exactly the new ones, which are added to active_contacts and
contact_ids. Exact because every writer of the two tables holds REFRESH_LOCK (PostgreSQL) or
SQLite's one write lock."""

from collections import Counter
from datetime import date

from django.db import connection

from accounts.models import Account
from core.db import is_postgresql

from ..models import AccountDailyContact, AccountDailyUsage, RollupDelta

__all__ = ["DELTAS", "deltas_apply", "deltas_insert"]

DELTAS = RollupDelta._meta.db_table
ROLLUP = AccountDailyUsage._meta.db_table
CONTACTS = AccountDailyContact._meta.db_table
ACCOUNTS = Account._meta.db_table
NULL = "\\N"  # COPY's null, as some ingest paths give a missing contact


def _text(value) -> str | None:
    return None if value is None or value == NULL else str(value)


def deltas_insert(counts: Counter) -> int:
    """Write these deltas, {(account id, UTC day, event, contact id or None): events}, in the
    current transaction (ids and days may come as text, a missing contact as COPY's null).
    Returns the number of rows."""
    if not counts:
        return 0
    if is_postgresql():
        accounts, days, events, contacts, ns = [], [], [], [], []
        for (account_id, day, event, contact_id), n in counts.items():
            accounts.append(str(account_id))
            days.append(str(day))
            events.append(event)
            contacts.append(_text(contact_id))
            ns.append(n)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {DELTAS} (account_id, day, event, contact_id, events) "
                "SELECT a::bigint, d::date, e, c::bigint, n "
                "FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::int[]) AS x(a, d, e, c, n)",
                [accounts, days, events, contacts, ns],
            )
        return len(counts)
    RollupDelta.objects.bulk_create(
        [
            RollupDelta(
                account_id=int(account_id),
                day=day if isinstance(day, date) else date.fromisoformat(str(day)),
                event=event,
                contact_id=None if _text(contact_id) is None else int(contact_id),
                events=n,
            )
            for (account_id, day, event, contact_id), n in counts.items()
        ],
        batch_size=500,
    )
    return len(counts)


# Deltas of accounts deleted since are dropped (their rollup rows would break the foreign key).
_PG_APPLY = f"""
WITH d AS (
    DELETE FROM {DELTAS} RETURNING account_id, day, event, contact_id, events
),
k AS (
    SELECT d.* FROM d WHERE EXISTS (SELECT 1 FROM {ACCOUNTS} a WHERE a.id = d.account_id)
),
c AS (
    INSERT INTO {CONTACTS} (account_id, day, contact_id)
    SELECT DISTINCT account_id, day, contact_id FROM k WHERE contact_id IS NOT NULL ORDER BY 1, 2, 3
    ON CONFLICT DO NOTHING
    RETURNING account_id, day, contact_id
),
f AS (SELECT account_id, day, event, sum(events)::int AS n FROM k GROUP BY account_id, day, event),
agg AS (
    SELECT account_id, day, sum(n)::int AS events, jsonb_object_agg(event, n) AS features
    FROM f GROUP BY account_id, day
),
nc AS (
    SELECT account_id, day, count(*)::int AS n, jsonb_agg(contact_id ORDER BY contact_id) AS ids
    FROM c GROUP BY account_id, day
)
INSERT INTO {ROLLUP} AS r (account_id, day, events, active_contacts, contact_ids, features)
SELECT agg.account_id, agg.day, agg.events, coalesce(nc.n, 0), coalesce(nc.ids, '[]'::jsonb), agg.features
FROM agg LEFT JOIN nc ON nc.account_id = agg.account_id AND nc.day = agg.day
ORDER BY 1, 2
ON CONFLICT (account_id, day) DO UPDATE SET
    events = r.events + EXCLUDED.events,
    active_contacts = r.active_contacts + EXCLUDED.active_contacts,
    contact_ids = r.contact_ids || EXCLUDED.contact_ids,
    features = r.features || (
        SELECT jsonb_object_agg(x.key, coalesce((r.features ->> x.key)::int, 0) + x.value::int)
        FROM jsonb_each_text(EXCLUDED.features) AS x
    )
"""


def deltas_apply(cursor) -> int:
    """Add every delta stored so far to the rollups and delete it, in the caller's transaction
    (which holds the rollup writers' lock). Returns the number of (account, day) rows touched."""
    if is_postgresql():
        cursor.execute(_PG_APPLY)
        return max(cursor.rowcount, 0)
    return _apply_portable(cursor)


def _apply_portable(cursor) -> int:
    cursor.execute(f"DELETE FROM {DELTAS} RETURNING account_id, day, event, contact_id, events")
    rows = cursor.fetchall()
    if not rows:
        return 0
    live = set(Account.objects.filter(id__in={r[0] for r in rows}).values_list("id", flat=True))
    counts: dict[tuple[int, date], Counter] = {}
    contacts: dict[tuple[int, date], set[int]] = {}
    for account_id, day, event, contact_id, n in rows:
        if account_id not in live:
            continue
        pair = (account_id, day if isinstance(day, date) else date.fromisoformat(day))
        counts.setdefault(pair, Counter())[event] += n
        if contact_id is not None:
            contacts.setdefault(pair, set()).add(contact_id)
    if not counts:
        return 0
    accounts = {a for a, _ in counts}
    days = {d for _, d in counts}
    current = {
        (r.account_id, r.day): r for r in AccountDailyUsage.objects.filter(account_id__in=accounts, day__in=days)
    }
    known = set(
        AccountDailyContact.objects.filter(account_id__in=accounts, day__in=days).values_list(
            "account_id", "day", "contact_id"
        )
    )
    rollups, new_contacts = [], []
    for pair, features in sorted(counts.items()):
        new = sorted(c for c in contacts.get(pair, ()) if (*pair, c) not in known)
        new_contacts += [AccountDailyContact(account_id=pair[0], day=pair[1], contact_id=c) for c in new]
        row = current.get(pair) or AccountDailyUsage(
            account_id=pair[0], day=pair[1], events=0, active_contacts=0, contact_ids=[], features={}
        )
        merged = Counter(row.features or {})
        merged.update(features)
        row.events += sum(features.values())
        row.active_contacts += len(new)
        row.contact_ids = [*(row.contact_ids or []), *new]
        row.features = dict(merged)
        rollups.append(row)
    AccountDailyContact.objects.bulk_create(new_contacts, ignore_conflicts=True, batch_size=500)
    AccountDailyUsage.objects.bulk_create(
        rollups,
        update_conflicts=True,
        unique_fields=["account", "day"],
        update_fields=["events", "active_contacts", "contact_ids", "features"],
        batch_size=500,
    )
    return len(rollups)
