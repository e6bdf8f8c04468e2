"""Expansion signals: accounts near their plan's limits."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import QuerySet

from accounts.models import Account, Subscription

from ..sql.dialect import ids_filter as _ids_filter
from ..sql.dialect import json_elements as _json_elements
from ..sql.dialect import json_keys as _json_keys
from ..sql.dialect import numeric as _numeric
from .product import USAGE_WINDOW_DAYS
from .slices import _d, _is_everyone, _rows

EXPANSION_THRESHOLD = 0.8


def expansion_signals(
    *, as_of: date, accounts: QuerySet | None = None, threshold: float = EXPANSION_THRESHOLD, limit: int | None = 50
) -> list[dict]:
    """Usage near the plan's limits on `as_of`, over the 30 days ending that day (inclusive):

    - for each numeric entitlement {feature: limit} of a paid subscription active on `as_of`,
      the feature's events in the window against the limit;
    - seats: distinct active contacts in the window against the subscriptions' seats.

    Rows with used / limit >= threshold, highest ratio first: {"account_id", "account_name",
    "owner_id", "what", "used", "limit", "ratio"}. Three queries: the limits of the active paid
    subscriptions, then the usage of just those accounts (by the rollup's (account, day) key).
    """
    from ..models import AccountDailyUsage

    w0, w1 = as_of - timedelta(days=USAGE_WINDOW_DAYS - 1), as_of + timedelta(days=1)
    subs = Subscription.objects.active_on(as_of).paid().filter(mrr__gt=0)
    if not _is_everyone(accounts):
        subs = subs.filter(account__in=accounts.order_by().values("id"))
    limits: dict[int, dict[str, float]] = {}
    for account_id, seats, entitlements in subs.order_by().values_list("account_id", "seats", "entitlements"):
        target = limits.setdefault(account_id, {})
        if seats:
            target["seats"] = target.get("seats", 0.0) + float(seats)
        for key, value in (entitlements or {}).items():
            if isinstance(value, int | float) and not isinstance(value, bool) and value > 0 and key != "seats":
                target[key] = target.get(key, 0.0) + float(value)
    limits = {k: v for k, v in limits.items() if v}
    if not limits:
        return []
    rollup = AccountDailyUsage._meta.db_table
    with_features = sorted(k for k, v in limits.items() if set(v) - {"seats"})
    with_seats = sorted(k for k, v in limits.items() if "seats" in v)
    used: dict[tuple[int, str], float] = {}
    if with_features:
        ids_sql, ids_params = _ids_filter("r.account_id", with_features)
        for row in _rows(
            f"""
            SELECT r.account_id AS account_id, j.key AS what, SUM(CAST(j.value AS {_numeric()})) AS used
            FROM {rollup} r, {_json_keys("r.features")}
            WHERE {ids_sql} AND r.day >= %s AND r.day < %s
            GROUP BY r.account_id, j.key
            """,
            [*ids_params, _d(w0), _d(w1)],
        ):
            used[(row["account_id"], row["what"])] = float(row["used"] or 0)
    if with_seats:
        ids_sql, ids_params = _ids_filter("r.account_id", with_seats)
        for row in _rows(
            f"""
            SELECT r.account_id AS account_id, COUNT(DISTINCT j.value) AS used
            FROM {rollup} r, {_json_elements("r.contact_ids")}
            WHERE {ids_sql} AND r.day >= %s AND r.day < %s
            GROUP BY r.account_id
            """,
            [*ids_params, _d(w0), _d(w1)],
        ):
            used[(row["account_id"], "seats")] = float(row["used"] or 0)
    hits = [
        (account_id, what, used[(account_id, what)], cap)
        for account_id, account_limits in limits.items()
        for what, cap in account_limits.items()
        if used.get((account_id, what), 0.0) >= threshold * cap
    ]
    if not hits:
        return []
    about = {
        pk: (name, owner_id)
        for pk, name, owner_id in Account.objects.filter(pk__in={h[0] for h in hits}).values_list(
            "pk", "name", "owner_id"
        )
    }
    out = [
        {
            "account_id": account_id,
            "account_name": about.get(account_id, ("", None))[0],
            "owner_id": about.get(account_id, ("", None))[1],
            "what": what,
            "used": used_value,
            "limit": cap,
            "ratio": round(used_value / cap, 4),
        }
        for account_id, what, used_value, cap in hits
    ]
    out.sort(key=lambda r: (-r["ratio"], r["account_name"], r["what"]))
    return out if limit is None else out[:limit]
