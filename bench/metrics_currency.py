"""The currency part of bench_metrics (issue 18): metrics with conversion against "today's time"
in the same run, on the same 100k-account book.

Three timings of the live revenue components for one period (median of REPEAT, each timed alternately
with the baseline; cache irrelevant: the SQL is run directly), then the live metrics API (cold cache) before and after:
- baseline "no conversion": the revenue query as it was before conversion (copied below,
  unchanged), on the book as generated (every subscription in USD);
- "conversion, base currency only": usage.metrics.metric_components on the same USD book;
- "conversion, mixed currencies": 20% of the accounts' subscriptions moved to EUR and 10% to GBP,
  a rate for every month loaded, the same call. The book is put back to USD afterwards.
Target: mixed / baseline <= 1.2."""

from __future__ import annotations

import statistics
import time
from datetime import date

from bench.setup import ratio

REPEAT = 11
PREFIX = "bm-"


def _median_ms(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _paired_ms(first, second, repeat: int) -> tuple[float, float]:
    """Medians of two functions timed alternately (the machine's load drifts: interleaving
    keeps the ratio honest)."""
    a, b = [], []
    for _ in range(repeat):
        for fn, out in ((first, a), (second, b)):
            started = time.perf_counter()
            fn()
            out.append((time.perf_counter() - started) * 1000)
    return statistics.median(a), statistics.median(b)


def _unconverted_revenue(start: date, end: date) -> list[dict]:
    """The revenue components' query before issue 18 (no exchange rates), for the baseline."""
    from accounts.models import Subscription
    from usage.metrics.slices import _d, _rows

    sub = Subscription._meta.db_table
    sql = f"""
        SELECT COUNT(*) AS revenue_accounts, SUM(t.m0) AS mrr_start, SUM(t.m1) AS mrr_end,
            SUM(CASE WHEN t.m0 = 0 AND t.m1 > 0 AND t.paid_before = 0 THEN t.m1 ELSE 0 END) AS mrr_new,
            SUM(CASE WHEN t.m0 = 0 AND t.m1 > 0 AND t.paid_before = 1 THEN t.m1 ELSE 0 END) AS mrr_reactivation,
            SUM(CASE WHEN t.m0 > 0 AND t.m1 > t.m0 THEN t.m1 - t.m0 ELSE 0 END) AS mrr_expansion,
            SUM(CASE WHEN t.m0 > 0 AND t.m1 > 0 AND t.m1 < t.m0 THEN t.m0 - t.m1 ELSE 0 END) AS mrr_contraction,
            SUM(CASE WHEN t.m0 > 0 AND t.m1 = 0 THEN t.m0 ELSE 0 END) AS mrr_churned,
            SUM(CASE WHEN t.m0 > 0 THEN 1 ELSE 0 END) AS accounts_active_start,
            SUM(CASE WHEN t.m1 > 0 THEN 1 ELSE 0 END) AS accounts_active_end,
            SUM(CASE WHEN t.m0 > 0 AND t.m1 = 0 THEN 1 ELSE 0 END) AS accounts_churned
        FROM (
            SELECT s.account_id,
                SUM(CASE WHEN s.start_date <= %s AND (s.end_date IS NULL OR s.end_date > %s)
                    THEN s.mrr ELSE 0 END) AS m0,
                SUM(CASE WHEN s.start_date <= %s AND (s.end_date IS NULL OR s.end_date > %s)
                    THEN s.mrr ELSE 0 END) AS m1,
                MAX(CASE WHEN s.start_date < %s THEN 1 ELSE 0 END) AS paid_before
            FROM {sub} s
            WHERE s.is_trial = %s AND s.mrr > 0 AND s.start_date <= %s
            GROUP BY s.account_id
        ) t
    """
    return _rows(sql, [_d(start), _d(start), _d(end), _d(end), _d(start), False, _d(end)])


def _converted_revenue(start: date, end: date) -> list[dict]:
    from usage.metrics.components import _revenue_components

    return _revenue_components(start, end, None, ())


def _set_currencies(mixed: bool) -> int:
    from django.db import connection

    from accounts.models import Account, Subscription

    sub, acc = Subscription._meta.db_table, Account._meta.db_table
    ids = f"SELECT id FROM {acc} WHERE external_id LIKE 'bm-%%'"
    value = "CASE WHEN account_id %% 10 < 2 THEN 'EUR' WHEN account_id %% 10 = 2 THEN 'GBP' ELSE 'USD' END"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {sub} SET currency = {value if mixed else chr(39) + 'USD' + chr(39)} "
                       f"WHERE account_id IN ({ids})", [])  # fmt: skip
        return cursor.rowcount


def _load_rates(today: date) -> int:
    from accounts.currency import fx_rates_upsert
    from usage.metrics import month_starts

    months = month_starts(last=today, months=48)
    rates = []
    for i, month in enumerate(months):
        rates.append({"currency": "EUR", "month": f"{month:%Y-%m}", "rate": f"{1.05 + (i % 7) / 100:.4f}"})
        rates.append({"currency": "GBP", "month": f"{month:%Y-%m}", "rate": f"{1.22 + (i % 5) / 100:.4f}"})
    return fx_rates_upsert(rates=rates, source="bench", today=today)


def run_currency(*, client, start: date, end: date, today: date, smoke: bool) -> dict:
    """Print the three timings and the API before / after; returns the figures."""
    from django.core.cache import cache

    from accounts.models import FxRate

    repeat = 1 if smoke else REPEAT
    api = ("/api/v1/metrics/", {"start": start.isoformat(), "end": end.isoformat()})
    print(f"\ncurrency conversion, live revenue components for [{start}, {end}) (median of {repeat}, interleaved):")

    def api_cold():
        cache.clear()
        return client.get(*api)

    _unconverted_revenue(start, end)  # warm the buffers
    _converted_revenue(start, end)
    baseline, base_only = _paired_ms(
        lambda: _unconverted_revenue(start, end), lambda: _converted_revenue(start, end), repeat
    )
    api_base = _median_ms(api_cold, repeat)
    moved = _set_currencies(mixed=True)
    try:
        _load_rates(today)
        _converted_revenue(start, end)
        baseline_2, mixed = _paired_ms(
            lambda: _unconverted_revenue(start, end), lambda: _converted_revenue(start, end), repeat
        )
        status = api_cold().status_code
        api_mixed = _median_ms(api_cold, repeat)
    finally:
        _set_currencies(mixed=False)
        FxRate.objects.filter(source="bench").delete()
    print(f"baseline: no conversion (the query before issue 18), USD book   {baseline:8.1f} ms")
    print(f"conversion, base currency only (same USD book)                  {base_only:8.1f} ms"
          f"  {ratio(base_only, baseline):>7} of baseline")  # fmt: skip
    print(f"conversion, mixed currencies ({moved:,} subscriptions, 30% EUR/GBP) {mixed:8.1f} ms"
          f"  {ratio(mixed, baseline_2):>7} of the baseline timed beside it "
          f"({baseline_2:.1f} ms; target <= 1.20x)")  # fmt: skip
    print(f"API /api/v1/metrics/ live, cold cache: USD book {api_base:.1f} ms, mixed {api_mixed:.1f} ms "
          f"({ratio(api_mixed, api_base)}), status {status}")  # fmt: skip
    return {
        "baseline": baseline,
        "baseline_2": baseline_2,
        "base_only": base_only,
        "mixed": mixed,
        "api_base": api_base,
        "api_mixed": api_mixed,
    }
