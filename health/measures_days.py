"""Health's own measures over many days at once (`Measure.compute_days`, see health.registry),
for a history (health.history): each reads its rows once for the whole span and slides the
windows in numpy, where `compute` runs one windowed query per day. Every value equals what
`compute` gives for that day (tests/health/history/test_compute.py): sums are integer arithmetic,
the floating-point steps are the same operations in the same order, and every rounding is
Python's round() on each distinct value.

Arrays are days x accounts (the chunk's ids, ascending), float64, NaN = no data.
"""

from collections.abc import Sequence
from datetime import UTC, date, timedelta

import numpy as np
from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from accounts.models import Contact, Subscription, SupportTicket
from usage.rollups import WINDOW_DAYS, AccountRange, account_filter

from .measures import MRR_LOOKBACK_DAYS, TREND_CAP, _settings, end_of_day, tickets_in_use
from .models import CsmSentiment
from .registry import run_cached
from .sql import usage_rows_days

NAN = np.nan


# Section: helpers (also used by the measures other floors register)


def ids_key(account_ids: Sequence[int]) -> tuple:
    if isinstance(account_ids, AccountRange):
        return ("range", account_ids.lo, account_ids.hi)
    return tuple(account_ids)


def columns(account_ids: Sequence[int], fetched) -> tuple[np.ndarray, np.ndarray]:
    """Column of each fetched account id among `account_ids` (ascending), and which of them
    are there at all."""
    ids = np.asarray(account_ids, dtype=np.int64)
    fetched = np.asarray(fetched, dtype=np.int64)
    if not len(ids):
        return np.zeros(len(fetched), dtype=np.int64), np.zeros(len(fetched), dtype=bool)
    cols = np.searchsorted(ids, fetched)
    cols[cols >= len(ids)] = 0
    return cols, ids[cols] == fetched


def rounded(values: np.ndarray, digits: int) -> np.ndarray:
    """Python's round(v, digits) of each value (numpy's rounding differs in the last digit
    now and then): once per distinct value. NaN stays NaN."""
    out = np.full(values.shape, NAN)
    ok = ~np.isnan(values)
    if ok.any():
        uniq, inv = np.unique(values[ok], return_inverse=True)
        out[ok] = np.array([round(v, digits) for v in uniq.tolist()], dtype=np.float64)[inv]
    return out


def ordinals(days: Sequence[date]) -> np.ndarray:
    return np.array([d.toordinal() for d in days], dtype=np.int64)


def _grid(cols: np.ndarray, t: np.ndarray, n: int, width: int, weights=None) -> np.ndarray:
    """An n x width int64 grid of the counts (or summed weights) at (cols, t)."""
    flat = np.bincount(cols * width + t, weights=weights, minlength=n * width)
    return flat.astype(np.int64).reshape(n, width)


def _cumulative(grid: np.ndarray) -> np.ndarray:
    """Column j holds the sum of grid columns < j."""
    out = np.zeros((grid.shape[0], grid.shape[1] + 1), dtype=np.int64)
    np.cumsum(grid, axis=1, out=out[:, 1:])
    return out


# Section: usage (the rollups)


def _usage_days(days: Sequence[date], account_ids: Sequence[int]) -> dict[str, np.ndarray]:
    """Per day and account (days x accounts, int64): whether any rollup row falls in the 60
    days ending that day (`present`: usage_window_stats' accounts), active days, events in
    the 30 days and the 30 before, distinct contacts and key features used in the 30 days."""
    key_features = list(dict.fromkeys(_settings().key_features))

    def compute() -> dict[str, np.ndarray]:
        n, n_days = len(account_ids), len(days)
        base = days[0] - timedelta(days=2 * WINDOW_DAYS - 1)
        width = (days[-1] - base).days + 1
        td = np.array([(d - base).days for d in days], dtype=np.int64)  # >= 59
        empty = {
            k: np.zeros((n_days, n), dtype=np.int64)
            for k in ("present", "active", "events", "prev", "contacts", "features")
        }
        if not n:
            return empty
        contacts_from = days[0] - timedelta(days=WINDOW_DAYS - 1)
        usage, contact_rows, feature_masks, groups = usage_rows_days(
            account_ids=account_ids, key_features=key_features, base=base, last=days[-1], contacts_from=contacts_from
        )
        cols, ok = columns(account_ids, usage[:, 0])
        cols, t, events = cols[ok], usage[ok, 1], usage[ok, 2]
        result = {}
        present = _cumulative(_grid(cols, t, n, width))
        result["present"] = (present[:, td + 1] - present[:, td - 59] > 0).astype(np.int64).T
        active = _cumulative(_grid(cols[events > 0], t[events > 0], n, width))
        result["active"] = (active[:, td + 1] - active[:, td - 29]).T
        sums = _cumulative(_grid(cols, t, n, width, weights=events.astype(np.float64)))
        result["events"] = (sums[:, td + 1] - sums[:, td - 29]).T
        result["prev"] = (sums[:, td - 29] - sums[:, td - 59]).T
        used = np.zeros((n, n_days), dtype=np.int64)
        for g, names in enumerate(groups):
            mask = feature_masks[g][ok]
            for i in range(len(names)):
                has = (mask >> i) & 1 == 1
                c = _cumulative(_grid(cols[has], t[has], n, width))
                used += c[:, td + 1] - c[:, td - 29] > 0
        result["features"] = used.T
        # Distinct contacts in the 30 days ending each day: each (account, contact) row covers
        # the days from its own to 29 later or to the contact's next row, whichever is first
        # (so a contact's covers never overlap); the count on a day is the covers over it.
        ccols, cok = columns(account_ids, contact_rows[:, 0])
        ccols, ct, contact = ccols[cok], contact_rows[cok, 1], contact_rows[cok, 2]
        order = np.lexsort((ct, contact, ccols))
        ccols, ct, contact = ccols[order], ct[order], contact[order]
        same = (ccols[1:] == ccols[:-1]) & (contact[1:] == contact[:-1])
        stop = ct + WINDOW_DAYS
        stop[:-1][same] = np.minimum(stop[:-1][same], ct[1:][same])
        cover = _grid(ccols, ct, n, width + WINDOW_DAYS) - _grid(ccols, stop, n, width + WINDOW_DAYS)
        result["contacts"] = np.cumsum(cover, axis=1)[:, td].T
        return result

    return run_cached(("usage_days", tuple(days), ids_key(account_ids), tuple(key_features)), compute)


def usage_frequency_days(days: Sequence[date], account_ids: Sequence[int]) -> np.ndarray:
    return _usage_days(days, account_ids)["active"].astype(np.float64)


def depth_days(days: Sequence[date], account_ids: Sequence[int]) -> np.ndarray:
    n_keys = len(set(_settings().key_features))
    if not n_keys:
        return np.full((len(days), len(account_ids)), NAN)
    table = np.array([round(100.0 * used / n_keys, 1) for used in range(n_keys + 1)])
    return table[_usage_days(days, account_ids)["features"]]


def usage_trend_days(days: Sequence[date], account_ids: Sequence[int]) -> np.ndarray:
    usage = _usage_days(days, account_ids)
    events, prev = usage["events"].astype(np.float64), usage["prev"].astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.minimum(TREND_CAP, 100.0 * (events - prev) / prev)
    out = np.where(prev > 0, change, np.where(events > 0, TREND_CAP, NAN))
    out[usage["present"] == 0] = NAN
    return rounded(out, 1)


def breadth_days(days: Sequence[date], account_ids: Sequence[int]) -> np.ndarray:
    seats = _seats_days(days, account_ids)
    usage = _usage_days(days, account_ids)
    active = np.where(usage["present"] > 0, usage["contacts"], 0).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.minimum(100.0, 100.0 * active / seats)
    return rounded(np.where(seats > 0, share, NAN), 1)


# Section: subscriptions


def _subscriptions_days(days: Sequence[date], account_ids: Sequence[int]) -> dict[str, np.ndarray]:
    """Per day and account: whether a paid subscription is active that day or 90 days before
    (`listed`: the accounts _subscriptions returns), seats (0 = none), nearest end date as
    an ordinal (0 = none), MRR in cents that day and 90 days before, and whether any was
    active each of those two days."""

    def compute() -> dict[str, np.ndarray]:
        n, n_days = len(account_ids), len(days)
        first_before = days[0] - timedelta(days=MRR_LOOKBACK_DAYS)
        subs = account_filter(
            Subscription.objects.paid().filter(
                Q(end_date__isnull=True) | Q(end_date__gt=first_before), start_date__lte=days[-1]
            ),
            account_ids,
        ).values_list("account_id", "start_date", "end_date", "seats", "mrr")
        far = date.max.toordinal() + 1
        rows = np.array(
            [
                (a, s.toordinal(), far if e is None else e.toordinal(), -1 if seats is None else seats, int(mrr * 100))
                for a, s, e, seats, mrr in subs
            ],
            dtype=np.int64,
        ).reshape(-1, 5)
        cols, ok = columns(account_ids, rows[:, 0])
        rows, cols = rows[ok], cols[ok]
        start, end, seats, cents = rows[:, 1], rows[:, 2], rows[:, 3], rows[:, 4]
        out = {
            k: np.zeros((n_days, n), dtype=np.int64)
            for k in ("seats", "next_end", "now", "before", "n_now", "n_before")
        }
        for i, day in enumerate(days):
            for suffix, d in (("now", day.toordinal()), ("before", day.toordinal() - MRR_LOOKBACK_DAYS)):
                act = (start <= d) & (end > d)
                out[f"n_{suffix}"][i] = np.bincount(cols[act], minlength=n)
                out[suffix][i] = np.bincount(cols[act], weights=cents[act].astype(np.float64), minlength=n).astype(
                    np.int64
                )
                if suffix == "now":
                    has_seats = act & (seats >= 0)
                    out["seats"][i] = np.bincount(cols[has_seats], weights=seats[has_seats], minlength=n).astype(
                        np.int64
                    )
                    ending = act & (end < far)
                    nearest = np.full(n, far, dtype=np.int64)
                    np.minimum.at(nearest, cols[ending], end[ending])
                    out["next_end"][i] = np.where(nearest < far, nearest, 0)
        return out

    return run_cached(("subs_days", tuple(days), ids_key(account_ids)), compute)


def _by_day(days: Sequence[date], cols: np.ndarray, first: Sequence[date], counts, n: int) -> np.ndarray:
    """days x n: the counts whose `first` day is on or before each day, per column."""
    ords = ordinals(days)
    start = np.searchsorted(ords, ordinals(first), side="left")  # the first of `days` they count on
    grid = np.zeros((len(days) + 1, n), dtype=np.int64)
    np.add.at(grid, (start, cols), np.asarray(counts, dtype=np.int64))
    return np.cumsum(grid, axis=0)[:-1]


def _seats_days(days: Sequence[date], account_ids: Sequence[int]) -> np.ndarray:
    """Paid seats active each day, else the contacts known by then (0 = neither), float."""
    seats = _subscriptions_days(days, account_ids)["seats"].astype(np.float64)
    # Contacts created before the end of a day = created on that UTC day or before.
    rows = list(
        account_filter(Contact.objects.filter(account__isnull=False, created_at__lt=end_of_day(days[-1])), account_ids)
        .annotate(d=TruncDate("created_at", tzinfo=UTC))
        .values("account_id", "d")
        .annotate(n=Count("id"))
        .values_list("account_id", "d", "n")
    )
    if rows:
        cols, ok = columns(account_ids, [r[0] for r in rows])
        rows = [r for r, there in zip(rows, ok.tolist(), strict=True) if there]
        known = _by_day(days, cols[ok], [r[1] for r in rows], [r[2] for r in rows], len(account_ids))
        seats = np.where(seats > 0, seats, known)
    return seats


def days_to_renewal_days(days: Sequence[date], account_ids: Sequence[int]) -> np.ndarray:
    subs = _subscriptions_days(days, account_ids)
    ords = ordinals(days)[:, None]
    listed = (subs["n_now"] + subs["n_before"]) > 0
    return np.where(listed & (subs["next_end"] > 0), (subs["next_end"] - ords).astype(np.float64), NAN)


def mrr_change_days(days: Sequence[date], account_ids: Sequence[int]) -> np.ndarray:
    subs = _subscriptions_days(days, account_ids)
    now, before = subs["now"] / 100.0, subs["before"] / 100.0
    with np.errstate(divide="ignore", invalid="ignore"):
        change = 100.0 * (now - before) / before
    return rounded(np.where((subs["n_before"] > 0) & (before > 0), change, NAN), 1)


# Section: tickets and sentiment


def _tickets_days(days: Sequence[date], account_ids: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Tickets open at the end of each day, and escalated ones (days x accounts): opened on
    that UTC day or before, not resolved by then (resolved on a later day, or not at all)."""

    def compute():
        n = len(account_ids)
        rows = list(
            account_filter(
                SupportTicket.objects.filter(opened_at__lt=end_of_day(days[-1])).filter(
                    Q(resolved_at__isnull=True) | Q(resolved_at__gte=end_of_day(days[0]))
                ),
                account_ids,
            )
            .annotate(opened=TruncDate("opened_at", tzinfo=UTC), resolved=TruncDate("resolved_at", tzinfo=UTC))
            .values("account_id", "opened", "resolved", "escalated")
            .annotate(n=Count("id"))
            .values_list("account_id", "opened", "resolved", "escalated", "n")
        )
        cols, ok = columns(account_ids, [r[0] for r in rows])
        opened = np.array([r[1].toordinal() for r in rows], dtype=np.int64)
        never = date.max.toordinal() + 1
        resolved = np.array([never if r[2] is None else r[2].toordinal() for r in rows], dtype=np.int64)
        escalated = np.array([bool(r[3]) for r in rows], dtype=bool)
        count = np.array([r[4] for r in rows], dtype=np.float64)
        n_open = np.zeros((len(days), n), dtype=np.int64)
        n_escalated = np.zeros((len(days), n), dtype=np.int64)
        for i, d in enumerate(ordinals(days).tolist()):
            is_open = ok & (opened <= d) & (resolved > d)
            n_open[i] = np.bincount(cols[is_open], weights=count[is_open], minlength=n)
            esc = is_open & escalated
            n_escalated[i] = np.bincount(cols[esc], weights=count[esc], minlength=n)
        return n_open, n_escalated

    return run_cached(("tickets_days", tuple(days), ids_key(account_ids)), compute)


def open_tickets_days(days: Sequence[date], account_ids: Sequence[int]) -> np.ndarray:
    if not tickets_in_use():
        return np.full((len(days), len(account_ids)), NAN)
    return _tickets_days(days, account_ids)[0].astype(np.float64)


def escalated_tickets_days(days: Sequence[date], account_ids: Sequence[int]) -> np.ndarray:
    if not tickets_in_use():
        return np.full((len(days), len(account_ids)), NAN)
    return _tickets_days(days, account_ids)[1].astype(np.float64)


def csm_sentiment_days(days: Sequence[date], account_ids: Sequence[int]) -> np.ndarray:
    """The latest sentiment recorded before the end of each day, unless stale by then."""
    out = np.full((len(days), len(account_ids)), NAN)
    stale = timedelta(days=_settings().sentiment_stale_days)
    rows = account_filter(CsmSentiment.objects.filter(recorded_at__lt=end_of_day(days[-1])), account_ids)
    by_account: dict[int, list] = {}
    for account_id, value, recorded_at, pk in rows.values_list("account_id", "value", "recorded_at", "id"):
        by_account.setdefault(account_id, []).append((recorded_at, pk, value))
    if not by_account:
        return out
    cols, ok = columns(account_ids, list(by_account))
    for items, col, there in zip(by_account.values(), cols.tolist(), ok.tolist(), strict=True):
        if not there:
            continue
        items.sort()
        for i, day in enumerate(days):
            moment = end_of_day(day)
            latest = None
            for item in items:  # ascending: the last one before the moment wins (ties: highest id)
                if item[0] >= moment:
                    break
                latest = item
            if latest is not None and latest[0] >= moment - stale:
                out[i, col] = float(latest[2])
    return out
