"""Reading and updating many rows at once: PostgreSQL's packed integer rows and `unnest`
updates, the portable ORM equivalents beside them (the history's usage rollups, the parents'
roll-up of every day)."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date

from django.db import connection, transaction

from core.db import is_postgresql
from usage.models import AccountDailyContact, AccountDailyUsage
from usage.rollups import AccountRange, account_filter

from ..models import HealthScore, ScoreSource

__all__ = ["SERIAL_ABOVE", "id_clause", "int_rows", "rollup_scores_update", "serial_plan", "usage_rows_days"]

SERIAL_ABOVE = 100  # accounts: a query for fewer is planned as it comes (no transaction, no SET)


@contextmanager
def serial_plan(big: bool = True) -> Iterator[None]:
    """PostgreSQL, for a chunk's query (`big`): no parallel workers and no JIT, in a
    transaction of its own (SET LOCAL). On a mid-size rollup table the planner prefers a
    parallel scan of every account's rows and a sort over the chunk's index range (measured
    at 20,000 accounts: 0.7 s against 0.27 s a chunk); the nightly already keeps both cores
    busy (read, score and write overlap), and compiling a sub-second query costs more than
    it saves. Elsewhere, or for a few accounts, nothing is set."""
    if not (big and is_postgresql()):
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        # SET LOCAL both, in one round trip
        cursor.execute(
            "SELECT set_config('max_parallel_workers_per_gather', '0', true), set_config('jit', 'off', true)"
        )
        yield


def int_rows(sql: str, params: dict, ncols: int):
    """PostgreSQL: the rows of `sql` (%(name)s parameters), `ncols` non-null integer columns,
    as an (n, ncols) int64 array. PostgreSQL packs them into one bytea that numpy reads in one
    go: fetching millions of rows as Python tuples (or COPY messages) costs seconds."""
    import numpy as np
    import psycopg

    names = ", ".join(f"c{i}" for i in range(ncols))
    packed = " || ".join(f"int8send(c{i}::int8)" for i in range(ncols))
    query = f"SELECT string_agg({packed}, ''::bytea) FROM ({sql}) q({names})"
    connection.ensure_connection()
    # A server-side-binding cursor (Django's own binds client-side, which cannot return binary).
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(query, params, binary=True)
        data = cursor.fetchone()[0]
    if not data:
        return np.zeros((0, ncols), dtype=np.int64)
    return np.frombuffer(data, dtype=">i8").astype(np.int64).reshape(-1, ncols)


def id_clause(account_ids: Sequence[int], params: dict) -> str:
    """PostgreSQL: the `account_id` condition for these ids (a range or an array)."""
    if isinstance(account_ids, AccountRange):
        params.update(lo=account_ids.lo, hi=account_ids.hi)
        return "account_id BETWEEN %(lo)s AND %(hi)s"
    params["ids"] = [int(i) for i in account_ids]
    return "account_id = ANY(%(ids)s)"


def usage_rows_days(
    *, account_ids: Sequence[int], key_features: list[str], base: date, last: date, contacts_from: date
) -> tuple:
    """The usage rollup rows of these accounts from `base` to `last` as an int64 array of
    (account, day - base, events, one key-feature bit mask per group), the daily contacts
    from `contacts_from` as (account, day - base, contact), and the groups of key features
    (a mask holds at most 62 of them on PostgreSQL). Returns (usage, contacts, masks, groups)."""
    if is_postgresql():
        return _usage_postgresql(account_ids, key_features, base, last, contacts_from)
    return _usage_portable(account_ids, key_features, base, last, contacts_from)


def _usage_postgresql(account_ids, key_features, base, last, contacts_from) -> tuple:
    groups = [key_features[i : i + 62] for i in range(0, len(key_features), 62)]
    params: dict = {"base": base, "last": last, "cfrom": contacts_from}
    masks = []
    for g, names in enumerate(groups):
        terms = []
        for i, name in enumerate(names):
            params[f"kf{g}_{i}"] = name
            terms.append(f"CASE WHEN features ? %(kf{g}_{i})s THEN {1 << i}::int8 ELSE 0 END")
        masks.append(" + ".join(terms))
    ids_sql = id_clause(account_ids, params)
    usage = int_rows(
        f"SELECT account_id, day - %(base)s, events{''.join(', ' + m for m in masks)} "
        f"FROM {AccountDailyUsage._meta.db_table} WHERE day >= %(base)s AND day <= %(last)s AND {ids_sql}",
        params,
        3 + len(masks),
    )
    contact_rows = int_rows(
        f"SELECT account_id, day - %(base)s, contact_id FROM {AccountDailyContact._meta.db_table} "
        f"WHERE day >= %(cfrom)s AND day <= %(last)s AND {ids_sql}",
        params,
        3,
    )
    feature_masks = [usage[:, 3 + g] for g in range(len(groups))]
    return usage, contact_rows, feature_masks, groups


def _usage_portable(account_ids, key_features, base, last, contacts_from) -> tuple:
    import numpy as np

    rows = list(
        account_filter(AccountDailyUsage.objects.filter(day__gte=base, day__lte=last), account_ids).values_list(
            "account_id", "day", "events", "features"
        )
    )
    usage = np.array([(a, (d - base).days, e) for a, d, e, _ in rows], dtype=np.int64).reshape(-1, 3)
    groups = [key_features] if key_features else []
    feature_masks = (
        [
            np.array(
                [sum(1 << i for i, name in enumerate(key_features) if name in (f or {})) for *_, f in rows],
                dtype=np.int64,
            )
        ]
        if key_features
        else []
    )
    contact_rows = np.array(
        [
            (a, (d - base).days, c)
            for a, d, c in account_filter(
                AccountDailyContact.objects.filter(day__gte=contacts_from, day__lte=last), account_ids
            ).values_list("account_id", "day", "contact_id")
        ],
        dtype=np.int64,
    ).reshape(-1, 3)
    return usage, contact_rows, feature_masks, groups


def rollup_scores_update(changed: list[tuple[int, int, str, int, date]], *, by_id: bool) -> None:
    """Write the parents' rolled-up (snapshot id, score, band, account id, day) rows: by
    snapshot id, or (`by_id=False`) by (account, day), the unique index. One `unnest` UPDATE on
    PostgreSQL."""
    table = HealthScore._meta.db_table
    if not by_id:
        if is_postgresql():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} h SET score = v.score, band = v.band, source = %s "
                    "FROM unnest(%s::bigint[], %s::date[], %s::int[], %s::text[]) AS v(account_id, day, score, band) "
                    "WHERE h.account_id = v.account_id AND h.day = v.day",
                    [
                        ScoreSource.ROLLUP.value,
                        [c[3] for c in changed],
                        [c[4] for c in changed],
                        [c[1] for c in changed],
                        [c[2] for c in changed],
                    ],
                )
        else:
            for _, score, band, account_id, day in changed:
                HealthScore.objects.filter(account_id=account_id, day=day).update(
                    score=score, band=band, source=ScoreSource.ROLLUP
                )
        return
    if is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} h SET score = v.score, band = v.band, source = %s "
                "FROM unnest(%s::bigint[], %s::int[], %s::text[]) AS v(id, score, band) WHERE h.id = v.id",
                [ScoreSource.ROLLUP.value, [c[0] for c in changed], [c[1] for c in changed], [c[2] for c in changed]],
            )
    else:
        HealthScore.objects.bulk_update(
            [HealthScore(id=i, score=score, band=band, source=ScoreSource.ROLLUP) for i, score, band, *_ in changed],
            ["score", "band", "source"],
            batch_size=500,
        )
