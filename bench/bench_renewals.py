"""Renewals (issue 18): the nightly renewal sweep and the renewal pages at N accounts
(100,000 at --scale 1).

Data (in a database of its own, <bench db>_renewals, kept between runs: a run finds the data of
its size and reuses it, clearing only what the sweep writes): N accounts (20 CSMs under 4
managers, tiers and segments, health bands), each with up to three paid yearly terms: one that
ended one to two years ago (renewed), one that ended in the last year (renewed for ~88%: 95%
green, 85% yellow, 60% red), and the running one that follows it (ending within the next year);
health snapshots on the last four quarter starts and today.

Printed:
- the nightly sweep (open renewals for terms ending within 120 days, close, reactivate,
  P(renew)) on the whole book, its re-run (opens nothing), and a busy night 30 days on (every
  term that ended unrenewed closes lost); each with its time and query count;
- the forecast's track record rebuild (band rates + accuracy of four past quarters);
- baseline, same run: reading every subscription's columns into Python once;
- the board, list and forecast pages (median of 5 after a warm-up, as a manager, in-process
  through django.test.Client), their query counts beside the same page filtered to one CSM
  (flat: equal), against /login/ measured in the same run. Target: under 300 ms at 100,000.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/h5 .venv/bin/python -m bench --only renewals --scale 0.1
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal

from bench.setup import ratio, switch_database

PREFIX = "br-"
FULL_ACCOUNTS = 100_000
RUNS = 5
TARGET_MS = 300
RENEW = {"green": 0.95, "yellow": 0.85, "red": 0.60}


def _reset() -> None:
    """What the sweep and the track record wrote (the accounts and subscriptions stay)."""
    from django.db import connection

    from renewals.models import BandRenewalRate, ForecastAccuracy, Opportunity

    Opportunity.objects.all().delete()
    BandRenewalRate.objects.all().delete()
    ForecastAccuracy.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM FULL renewals_opportunity")  # a run starts from a table without a past


def _cleanup() -> None:
    from accounts.models import Account
    from core.models import User

    _reset()
    Account.objects.filter(external_id__startswith=PREFIX).delete()  # cascades subscriptions, snapshots
    User.objects.filter(username__startswith=PREFIX).delete()


def _prepare(n: int, rng: random.Random) -> dict:
    from django.utils import timezone

    from accounts.models import Account, Subscription
    from core.choices import Role
    from core.models import User
    from health.models import HealthScore
    from renewals.quarters import quarter_add, quarter_start

    today = timezone.now().date()
    managers = [
        User.objects.create(username=f"{PREFIX}manager-{i}", role=Role.MANAGER, first_name=f"Manager {i}")
        for i in range(4)
    ]
    csms = [
        User.objects.create(username=f"{PREFIX}csm-{i}", role=Role.CSM, first_name=f"CSM {i}", manager=managers[i % 4])
        for i in range(20)
    ]
    bands = ["green"] * 6 + ["yellow"] * 3 + ["red"]
    accounts = []
    for i in range(n):
        band = rng.choice(bands)
        accounts.append(
            Account(
                external_id=f"{PREFIX}{i}",
                name=f"Renewals bench {i}",
                tier=rng.choice(["strategic", "key", "standard", "tech_touch"]),
                segment=rng.choice(["SMB", "Mid-market", "Enterprise"]),
                owner=rng.choice(csms),
                health_band=band,
                health_score={"green": 80, "yellow": 55, "red": 25}[band],
            )
        )
    Account.objects.bulk_create(accounts, batch_size=5000)
    rows = Account.objects.filter(external_id__startswith=PREFIX).values_list("id", "health_band")
    subs, scores = [], []
    q0 = quarter_start(today)
    snapshot_days = [quarter_add(q0, -k) - timedelta(days=1) for k in range(4)] + [today]
    for account_id, band in rows:
        mrr = Decimal(rng.choice([100, 250, 500, 1000, 5000]))
        ended = today - timedelta(days=rng.randint(0, 364))
        subs.append(
            Subscription(
                account_id=account_id,
                plan="Yearly",
                mrr=mrr,
                start_date=ended - timedelta(days=730),
                end_date=ended - timedelta(days=365),
            )
        )
        subs.append(
            Subscription(
                account_id=account_id, plan="Yearly", mrr=mrr, start_date=ended - timedelta(days=365), end_date=ended
            )
        )
        if rng.random() < RENEW[band]:
            subs.append(
                Subscription(
                    account_id=account_id,
                    plan="Yearly",
                    mrr=mrr,
                    start_date=ended,
                    end_date=ended + timedelta(days=365),
                )
            )
        scores += [HealthScore(account_id=account_id, day=d, score=50, band=band) for d in snapshot_days]
    Subscription.objects.bulk_create(subs, batch_size=10000)
    HealthScore.objects.bulk_create(scores, batch_size=10000, ignore_conflicts=True)
    return {"subscriptions": len(subs), "snapshots": len(scores), "manager": managers[0], "csm": csms[0]}


def _queries(fn):
    from django.db import connection

    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - started
    return result, elapsed, count


def _measure(client, url: str, runs: int) -> tuple[int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
    return queries, statistics.median(times) * 1000


def run(args) -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from accounts.models import Account, Subscription
    from core.models import User
    from health.models import HealthScore
    from renewals.models import Opportunity
    from renewals.services import forecast_track_record_refresh, renewals_sweep

    n = max(200, int(FULL_ACCOUNTS * args.scale))
    rng = random.Random(18)
    name = switch_database("renewals")
    started = time.perf_counter()
    if Account.objects.filter(external_id__startswith=PREFIX).count() == n:
        _reset()
        data = {
            "subscriptions": Subscription.objects.filter(account__external_id__startswith=PREFIX).count(),
            "snapshots": HealthScore.objects.count(),
            "manager": User.objects.get(username=f"{PREFIX}manager-0"),
            "csm": User.objects.get(username=f"{PREFIX}csm-0"),
        }
        loaded = "reused"
    else:
        _cleanup()
        data = _prepare(n, rng)
        loaded = "loaded"
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"database {name}: {n:,} accounts, {data['subscriptions']:,} subscriptions, {data['snapshots']:,} health "
        f"snapshots ({loaded} in {time.perf_counter() - started:.1f} s, scale {args.scale}; kept between runs)"
    )
    today = timezone.now().date()

    _, baseline, _ = _queries(
        lambda: list(Subscription.objects.values_list("id", "account_id", "start_date", "end_date", "mrr", "is_trial"))
    )
    print(f"baseline (read {data['subscriptions']:,} subscriptions' columns once): {baseline:.2f} s")

    _, track, track_q = _queries(lambda: forecast_track_record_refresh(today=today))
    print(
        f"track record rebuild (band rates + 4 past quarters): {track:.2f} s, {track_q} queries "
        f"({ratio(track, baseline)} baseline)"
    )

    result, first, first_q = _queries(lambda: renewals_sweep(today=today))
    print(
        f"nightly sweep #1: {first:.2f} s, {first_q} queries, opened {result.opened:,}, "
        f"P(renew) written for {result.probabilities:,} ({ratio(first, baseline)} baseline); steps {result.steps}"
    )
    result, second, second_q = _queries(lambda: renewals_sweep(today=today))
    print(
        f"nightly sweep re-run: {second:.2f} s, {second_q} queries, opened {result.opened} (must be 0); "
        f"steps {result.steps}"
    )
    print(f"nightly total at {n:,} accounts (track record + sweep): {track + first:.2f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE renewals_opportunity")  # as autovacuum does after the night's writes

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if not settings.DEBUG:
        call_command("collectstatic", interactive=False, verbosity=0)
    runs = 1 if args.smoke else RUNS
    login_q, login_ms = _measure(Client(), "/login/", runs)
    print(f"baseline /login/: {login_q} queries, {login_ms:.1f} ms")
    client = Client()
    client.force_login(data["manager"])
    slow = []
    for label, url in (
        ("board", "/renewals/"),
        ("list", "/renewals/opportunities/"),
        ("forecast", "/renewals/forecast/"),
    ):
        queries, ms = _measure(client, url, runs)
        joiner = "&" if "?" in url else "?"
        one_q, one_ms = _measure(
            client, f"{url}{joiner}{'csm' if label == 'forecast' else 'owner'}={data['csm'].pk}", runs
        )
        if ms >= TARGET_MS:
            slow.append(label)
        print(
            f"page {label}: {ms:.0f} ms median of {runs}, {queries} queries; one CSM's: {one_ms:.0f} ms, "
            f"{one_q} queries ({ratio(ms, login_ms)} /login/)  {url}"
        )
    print(f"renewal pages at or over {TARGET_MS} ms: {', '.join(slow) if slow else 'none'}")

    result, busy, busy_q = _queries(lambda: renewals_sweep(today=today + timedelta(days=30)))
    print(
        f"busy night (+30 days): {busy:.2f} s, {busy_q} queries, opened {result.opened:,}, "
        f"closed lost {result.churned:,}, won {result.renewed + result.changed:,}; steps {result.steps}"
    )
    print(f"opportunities: {Opportunity.objects.count():,}")
    connection.close()
