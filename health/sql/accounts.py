"""Copying a day's snapshot onto Account.health_* (score, band, change over 7 days): one
UPDATE ... RETURNING on PostgreSQL, a subquery update between two reads elsewhere."""

from collections.abc import Sequence
from datetime import date, timedelta

from django.db import connection
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import Account
from core.db import is_postgresql
from usage.rollups import AccountRange, account_filter

from ..models import HealthScore

__all__ = ["account_columns_update"]

# (account id, old score, old band, score, band, external id, snapshot source)
Changed = tuple[int, int | None, str, int, str, str, str]


def account_columns_update(*, as_of: date, account_ids: Sequence[int], scored: set[int] | None = None) -> list[Changed]:
    """Copy the `as_of` snapshot onto these accounts' health columns (accounts without one lose
    their score). Returns the rows written with their score and band before, at least every
    row whose band changed. `scored` (the ids known to have that snapshot) saves a query."""
    if is_postgresql():
        return _update_postgresql(as_of, account_ids, scored)
    return _update_portable(as_of, account_ids)


def _update_postgresql(as_of: date, account_ids: Sequence[int], scored: set[int] | None) -> list[Changed]:
    if isinstance(account_ids, AccountRange):
        # The range on the snapshots too: the planner does not carry it over the join, and
        # without it every chunk reads the whole day's snapshots.
        id_filter = "a.id BETWEEN %(lo)s AND %(hi)s AND s.account_id BETWEEN %(lo)s AND %(hi)s"
        params = {"lo": account_ids.lo, "hi": account_ids.hi}
    else:
        id_filter, params = "a.id = ANY(%(ids)s) AND s.account_id = ANY(%(ids)s)", {"ids": list(account_ids)}
    params.update(day=as_of, week=as_of - timedelta(days=7))
    account_table, score_table = Account._meta.db_table, HealthScore._meta.db_table
    with connection.cursor() as cursor:
        # One statement: only the rows that differ are written, and RETURNING hands back
        # their old score and band (the FROM self-join reads the pre-update row), so a
        # band change needs no before/after reads.
        cursor.execute(
            f"""
            UPDATE {account_table} a
            SET health_score = s.score, health_band = s.band, health_change_7d = s.score - w.score
            FROM {score_table} s
            JOIN {account_table} o ON o.id = s.account_id
            LEFT JOIN {score_table} w ON w.account_id = s.account_id AND w.day = %(week)s
            WHERE s.day = %(day)s AND a.id = s.account_id AND {id_filter}
              AND (o.health_score IS DISTINCT FROM s.score OR o.health_band IS DISTINCT FROM s.band
                   OR o.health_change_7d IS DISTINCT FROM s.score - w.score)
            RETURNING a.id, o.health_score, o.health_band, s.score, s.band, a.external_id, s.source
            """,
            params,
        )
        updated = sorted(cursor.fetchall())
    # Accounts that have no snapshot that day lose their score.
    if scored is None or any(i not in scored for i in account_ids):
        stale = account_filter(Account.objects, account_ids, "id").exclude(health_scores__day=as_of)
        stale.exclude(health_score=None, health_band="", health_change_7d=None).update(
            health_score=None, health_band="", health_change_7d=None
        )
    return updated


def _update_portable(as_of: date, account_ids: Sequence[int]) -> list[Changed]:
    before = {
        a: (score, band)
        for a, score, band in account_filter(Account.objects, account_ids, "id").values_list(
            "id", "health_score", "health_band"
        )
    }
    snap = HealthScore.objects.filter(account=OuterRef("pk"), day=as_of)
    prior = HealthScore.objects.filter(account=OuterRef("pk"), day=as_of - timedelta(days=7))
    account_filter(Account.objects, account_ids, "id").update(
        health_score=Subquery(snap.values("score")[:1]),
        health_band=Coalesce(Subquery(snap.values("band")[:1]), Value("")),
        health_change_7d=Subquery(snap.values("score")[:1]) - Subquery(prior.values("score")[:1]),
    )
    after = account_filter(HealthScore.objects.filter(day=as_of), account_ids).values_list(
        "account_id", "score", "band", "account__external_id", "source"
    )
    return [
        (account_id, *before.get(account_id, (None, "")), score, band, external_id, source)
        for account_id, score, band, external_id, source in after
    ]
