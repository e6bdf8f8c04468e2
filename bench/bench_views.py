"""Saved views at 100,000 accounts (issue 17): the portfolio filtered by a saved view with five
conditions, one on a custom field (expression index) and one on a health measure's latest score,
against the plain portfolio in the same run.

Data, in a database of its own (<bench db>_views, kept between runs, rebuilt when its size
differs): N = 100,000 x scale accounts (tier, segment, MRR, renewal date, health score, a
`seats` number custom field and a `plan` choice custom field) with one health snapshot each
(today, every measure's score in its JSON), the custom fields defined through their service
(so the index is the one production builds), then VACUUM ANALYZE.

The view: tier is key or strategic AND renews within 120 days AND health score at most 70 AND
seats target at least 50 AND usage frequency's latest score at most 60.

Measured (server time through django.test.Client as csm, DEBUG off, templates included): the
median of 5 requests after a warm-up, and the SQL queries of one request, for the portfolio
with ?view=<id> and the plain portfolio (the baseline); also the view's accounts page query and
its count alone. Target: the view's page under 300 ms at 100,000 accounts, queries flat.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python -m bench --only views --scale 0.1
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal

from bench.setup import ratio, switch_database

FULL_ACCOUNTS = 100_000
RUNS = 5
TARGET_MS = 300
CHUNK = 5000

DEFINITION = {
    "match": "all",
    "groups": [
        {
            "match": "all",
            "conditions": [
                {"field": "tier", "op": "in", "value": ["key", "strategic"]},
                {"field": "renewal_days", "op": "within", "value": 120},
                {"field": "health_score", "op": "lte", "value": 70},
                {"field": "cf.seats", "op": "gte", "value": 50},
                {"field": "measure.usage_frequency", "op": "lte", "value": 60},
            ],
        }
    ],
}


def _load(n: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from accounts.custom_fields import custom_field_define, custom_field_index_sync
    from accounts.models import Account, CustomFieldDefinition, SavedView
    from core.models import User
    from health.models import HealthScore

    if Account.objects.count() == n and CustomFieldDefinition.objects.filter(key="seats").exists():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE accounts_account, health_healthscore, accounts_customfielddefinition, "
            "accounts_savedview RESTART IDENTITY CASCADE"
        )
    from django.core.cache import cache

    cache.clear()
    rng = random.Random(17)
    csm, _ = User.objects.get_or_create(username="bench-csm", defaults={"role": "csm", "first_name": "Bench"})
    today = timezone.now().date()
    tiers = ["strategic", "key", "standard", "tech_touch"]
    for start in range(0, n, CHUNK):
        accounts = [
            Account(
                external_id=f"acc-{i}",
                name=f"Account {i:06d}",
                tier=rng.choices(tiers, weights=[5, 15, 40, 40])[0],
                segment=rng.choice(["Enterprise", "Mid-market", "SMB"]),
                owner=csm,
                mrr=Decimal(rng.randint(0, 20000)),
                renewal_date=today + timedelta(days=rng.randint(-30, 400)),
                health_score=rng.randint(0, 100),
                health_band="red",
                custom_fields={"seats": rng.randint(0, 500), "plan": rng.choice(["Gold", "Silver", "Bronze"])},
            )
            for i in range(start, min(n, start + CHUNK))
        ]
        Account.objects.bulk_create(accounts, batch_size=CHUNK)
        HealthScore.objects.bulk_create(
            [
                HealthScore(
                    account_id=a.pk,
                    day=today,
                    score=a.health_score,
                    band="red",
                    measures={
                        key: {"value": 1, "score": rng.randint(0, 100), "weight": 10, "contribution": 1.0}
                        for key in ("usage_frequency", "breadth", "depth", "usage_trend", "nps")
                    },
                )
                for a in accounts
            ],
            batch_size=CHUNK,
        )
    for key, field_type, choices in (("seats", "number", []), ("plan", "choice", ["Gold", "Silver", "Bronze"])):
        definition = custom_field_define(
            entity="account", key=key, field_type=field_type, labels={"en": key.capitalize()}, choices=choices
        )
        custom_field_index_sync(definition_id=definition.pk)  # the task the service queues after commit
    SavedView.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE accounts_account")
        cursor.execute("VACUUM ANALYZE health_healthscore")


def _page(client, url: str) -> tuple[float, int, int]:
    """(median ms, queries, status) of `url` over RUNS requests after a warm-up."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(times), len(queries), response.status_code


def run(args) -> None:
    from django.conf import settings
    from django.test import Client

    from accounts.models import SavedView
    from accounts.saved_views import saved_view_accounts
    from core.models import User

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    n = max(200, int(FULL_ACCOUNTS * args.scale))
    name = switch_database("views")
    started = time.perf_counter()
    _load(n)
    print(f"database {name}: {n:,} accounts, {n:,} health snapshots ({time.perf_counter() - started:.1f} s to load)")
    csm = User.objects.get(username="bench-csm")
    view, _ = SavedView.objects.get_or_create(
        owner=csm, name="Enterprise renewing, unhealthy, big", defaults={"definition": DEFINITION, "shared": True}
    )
    client = Client()
    client.force_login(csm)

    matched = saved_view_accounts(definition=view.definition, user=csm).count()
    started = time.perf_counter()
    for _ in range(RUNS):
        saved_view_accounts(definition=view.definition, user=csm).count()
    count_ms = (time.perf_counter() - started) * 1000 / RUNS
    started = time.perf_counter()
    for _ in range(RUNS):
        list(saved_view_accounts(definition=view.definition, user=csm).order_by("-mrr", "id")[:50])
    page_query_ms = (time.perf_counter() - started) * 1000 / RUNS

    plain_ms, plain_q, plain_status = _page(client, "/accounts/")
    view_ms, view_q, view_status = _page(client, f"/accounts/?view={view.pk}")
    sorted_ms, sorted_q, _ = _page(client, f"/accounts/?view={view.pk}&sort=cf.seats")
    counts_ms, counts_q, _ = _page(client, "/accounts/views/counts/")
    assert plain_status == view_status == 200, (plain_status, view_status)
    print(f"saved view, 5 conditions (custom field, health measure): {matched:,} of {n:,} accounts match")
    print(f"  count alone: {count_ms:.1f} ms; first page of 50 alone: {page_query_ms:.1f} ms")
    print(f"portfolio with the view:        {view_ms:7.1f} ms, {view_q} queries")
    print(f"portfolio with the view, sorted by the custom field: {sorted_ms:7.1f} ms, {sorted_q} queries")
    print(f"tab counts (after the page):    {counts_ms:7.1f} ms, {counts_q} queries")
    print(f"baseline: plain portfolio:      {plain_ms:7.1f} ms, {plain_q} queries")
    print(
        f"ratio view / plain: {ratio(view_ms, plain_ms)}; target {TARGET_MS} ms at 100,000 accounts: "
        f"{'met' if view_ms < TARGET_MS else 'NOT met'} at {n:,}"
    )
