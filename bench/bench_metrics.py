"""Metrics and dashboards at 100,000 accounts (issue 8): server time of every report page and of
GET /api/v1/metrics/, against baselines measured in the same run.

Data (scale 1.0): 100,000 accounts owned by 30 CSMs, ~2 yearly subscription terms each (renewals,
expansions, downgrades, churn, reactivations, trials), 50,000 tickets, daily usage rollups for a
fifth of the accounts over 35 days, weekly health snapshots (13 weeks) and 30,000 NPS answers,
written with PostgreSQL COPY. Accounts carry the external-id prefix "bm-"; a later run with the same
size reuses them, another size replaces them (only rows this module created are deleted).

Measured (median of 5 requests, in-process Django test client = server time incl. templates):
- each page and the API with the pre-aggregate fresh and the cache cold (the steady state), and
  warm (cached), and the API / dashboard for a custom period that is not pre-aggregated (live SQL);
- the nightly refresh (reports_refresh) that builds the pre-aggregates;
- baselines: a trivial page (the login form) and the naive per-account computation (two ORM
  queries per account for MRR on two days, the way a loop over accounts would do it) timed on
  500 accounts and extrapolated linearly to the full size.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_metrics \
        .venv/bin/python -m bench --only metrics --scale 0.05
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from bench.setup import ratio, timed

PREFIX = "bm-"
FULL_ACCOUNTS = 100_000
CSMS = 30
SEGMENTS = ["SMB", "Mid-Market", "Enterprise", "Startup"]
TIERS = ["strategic", "key", "standard", "tech_touch"]
FEATURES = ["report", "export", "dashboard", "api_call", "invite", "alert"]
REPEAT = 5


# Section: data


def _copy(model, columns: list[str], rows) -> int:
    """COPY rows (tuples in `columns` order) into the model's table."""
    from django.db import connection

    table = model._meta.db_table
    n = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
    return n


def _delete_previous() -> None:
    from django.db import connection

    from accounts.models import Account

    table = Account._meta.db_table
    with connection.cursor() as cursor:
        ids = f"SELECT id FROM {table} WHERE external_id LIKE 'bm-%%'"
        for dependent in (
            "surveys_surveyresponse",
            "health_healthscore",
            "accounts_accountdailyusage",
            "accounts_supportticket",
            "accounts_subscription",
        ):
            cursor.execute(f"DELETE FROM {dependent} WHERE account_id IN ({ids})")
        cursor.execute(f"DELETE FROM {table} WHERE external_id LIKE 'bm-%%'")


def _users():
    from core.choices import Role
    from core.models import User

    manager, _ = User.objects.get_or_create(
        username="bm_manager", defaults={"role": Role.MANAGER, "first_name": "Bench"}
    )
    csms = []
    for i in range(CSMS):
        user, _ = User.objects.get_or_create(
            username=f"bm_csm_{i}", defaults={"role": Role.CSM, "first_name": f"CSM {i}", "manager": manager}
        )
        csms.append(user)
    return manager, csms


def _months_ago(today: date, months: int, day: int = 1) -> date:
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, min(day, 28))


def generate(n_accounts: int, today: date, rng: random.Random) -> dict:
    """Write the bench book with COPY. Returns counts."""
    from accounts.models import Account, Subscription, SupportTicket
    from health.models import HealthScore
    from surveys.models import SurveyResponse
    from usage.models import AccountDailyUsage

    _delete_previous()
    _, csms = _users()
    now = datetime.now(UTC)
    acc_rows, sub_rows = [], []
    for i in range(n_accounts):
        # contract history: first paid term starts 1..30 months ago, yearly terms renew
        first = _months_ago(today, rng.randint(1, 30), rng.randint(1, 28))
        mrr = Decimal(rng.choice([49, 99, 199, 499, 999, 2500]))
        had_trial = rng.random() < 0.3
        subs = []
        if had_trial:
            subs.append((first - timedelta(days=14), first, Decimal(0), True))
        start = first
        churn_at = first + timedelta(days=rng.randint(60, 900)) if rng.random() < 0.25 else None
        while start <= today + timedelta(days=1):
            term_end = start + timedelta(days=365)
            end = term_end
            if churn_at and churn_at < term_end:
                end = churn_at if churn_at > start else start + timedelta(days=30)
            if rng.random() < 0.2 and (end - start).days > 60:  # a mid-term upgrade or downgrade
                change = start + timedelta(days=rng.randint(20, (end - start).days - 10))
                subs.append((start, change, mrr, False))
                mrr = max(Decimal(29), (mrr * Decimal(rng.choice([1.5, 2, 0.6]))).quantize(Decimal(1)))
                subs.append((change, end, mrr, False))
            else:
                subs.append((start, end, mrr, False))
            if end != term_end:
                break
            start = end
        if churn_at and rng.random() < 0.1:  # reactivation later
            back = churn_at + timedelta(days=rng.randint(60, 200))
            if back < today:
                subs.append((back, None, mrr, False))
        # the last term of a live account stays open-ended half of the time
        last = subs[-1]
        if last[1] is not None and last[1] > today and rng.random() < 0.5:
            subs[-1] = (last[0], None, last[2], last[3])
        current = sum(
            (m for s, e, m, trial in subs if not trial and s <= today and (e is None or e > today)), Decimal(0)
        )
        ends = [e for s, e, m, trial in subs if not trial and s <= today and e is not None and e > today]
        band = rng.choices(["green", "yellow", "red", ""], [55, 25, 12, 8])[0]
        acc_rows.append(
            (
                f"{PREFIX}{i}", f"Bench {i:06d}", "", "", TIERS[i % 4], SEGMENTS[rng.randrange(4)], "adoption",
                csms[i % CSMS].pk, "USD", "{}", "", now, now, current, min(ends) if ends else None,
                {"green": 80, "yellow": 55, "red": 30}.get(band), band, 0, None,
            )
        )  # fmt: skip
        sub_rows.append(subs)
    acc_cols = [
        "external_id", "name", "domain", "industry", "tier", "segment", "lifecycle_stage", "owner_id", "currency",
        "custom_fields", "stripe_customer_id", "created_at", "updated_at", "mrr", "renewal_date", "health_score",
        "health_band", "health_change_7d", "last_touch_at",
    ]  # fmt: skip
    _copy(Account, acc_cols, acc_rows)
    ids = dict(Account.objects.filter(external_id__startswith=PREFIX).values_list("external_id", "id"))
    account_ids = [ids[f"{PREFIX}{i}"] for i in range(n_accounts)]

    def subscriptions():
        for account_id, subs in zip(account_ids, sub_rows, strict=True):
            for start, end, mrr, trial in subs:
                yield (account_id, "Trial" if trial else "Pro", mrr, "USD", 10, "{}", start, end, trial, now, now)

    n_subs = _copy(
        Subscription,
        ["account_id", "plan", "mrr", "currency", "seats", "entitlements", "start_date", "end_date", "is_trial",
         "created_at", "updated_at"],
        subscriptions(),
    )  # fmt: skip

    def tickets():
        for k in range(n_accounts // 2):
            opened = now - timedelta(days=rng.randint(1, 120), hours=rng.randint(0, 23))
            responded = opened + timedelta(hours=rng.randint(1, 30))
            resolved = responded + timedelta(hours=rng.randint(1, 100)) if rng.random() < 0.8 else None
            yield (f"{PREFIX}T{k}", rng.choice(account_ids), "Help", opened, responded, resolved,
                   rng.choice([1, 1, 2, 3]), "normal", "resolved" if resolved else "open", False, now)  # fmt: skip

    n_tickets = _copy(
        SupportTicket,
        ["external_id", "account_id", "subject", "opened_at", "first_response_at", "resolved_at", "agent_replies",
         "priority", "status", "escalated", "updated_at"],
        tickets(),
    )  # fmt: skip

    def usage():
        for account_id in account_ids[: max(1, n_accounts // 5)]:
            contacts = list(range(account_id * 10, account_id * 10 + rng.randint(1, 8)))
            for d in range(35):
                if rng.random() < 0.6:
                    active = rng.sample(contacts, rng.randint(1, len(contacts)))
                    features = {f: rng.randint(1, 20) for f in rng.sample(FEATURES, rng.randint(1, 4))}
                    yield (account_id, today - timedelta(days=d), sum(features.values()), len(active),
                           json.dumps(active), json.dumps(features))  # fmt: skip

    n_usage = _copy(
        AccountDailyUsage, ["account_id", "day", "events", "active_contacts", "contact_ids", "features"], usage()
    )

    def health():
        for week in range(13):
            day = today - timedelta(days=7 * week)
            for account_id in account_ids:
                band = rng.choices(["green", "yellow", "red"], [60, 28, 12])[0]
                yield (account_id, day, 50, band, 50, "measures", "{}", now)

    n_health = _copy(
        HealthScore,
        ["account_id", "day", "score", "band", "computed_score", "source", "measures", "computed_at"],
        health(),
    )

    def answers():
        for k in range(int(30_000 * n_accounts / FULL_ACCOUNTS)):
            when = now - timedelta(days=rng.randint(0, 364), hours=rng.randint(0, 23))
            yield ("nps", rng.choice(account_ids), rng.choices(range(11), [2, 1, 1, 2, 2, 3, 4, 8, 12, 15, 20])[0],
                   "", "{}", "en", "import", when, f"{PREFIX}{k}", now, now, False, 0)  # fmt: skip

    n_answers = _copy(
        SurveyResponse,
        ["kind", "account_id", "score", "comment", "answers", "language", "channel", "submitted_at", "dedupe_key",
         "created_at", "updated_at", "followup_pending", "followup_count"],
        answers(),
    )  # fmt: skip
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"accounts": n_accounts, "subscriptions": n_subs, "tickets": n_tickets, "usage_rows": n_usage,
            "health_snapshots": n_health, "nps_answers": n_answers}  # fmt: skip


# Section: timing


def _median_ms(fn, repeat: int = REPEAT, before=None) -> float:
    samples = []
    for _ in range(repeat):
        if before:
            before()
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _naive_mrr_ms_per_account(sample: list[int], start: date, end: date) -> float:
    """The loop a first version would write: two ORM queries per account."""
    from django.db.models import Sum

    from accounts.models import Subscription

    started = time.perf_counter()
    for account_id in sample:
        for day in (start, end):
            Subscription.objects.active_on(day).paid().filter(account_id=account_id).aggregate(Sum("mrr"))
    return (time.perf_counter() - started) * 1000 / len(sample)


def run(args) -> None:
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    from accounts.models import Account
    from reports.periods import period_presets
    from reports.services import reports_refresh

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    n = max(200, int(FULL_ACCOUNTS * args.scale))
    today = datetime.now(UTC).date()
    rng = random.Random(8)
    existing = Account.objects.filter(external_id__startswith=PREFIX).count()
    results: dict[str, float] = {}
    if existing != n:
        with timed("generate", results):
            counts = generate(n, today, rng)
        print(f"data: {counts} written in {results['generate']:.1f} s", flush=True)
    else:
        print(f"data: reusing {existing:,} bench accounts", flush=True)
    total_accounts = Account.objects.count()

    with timed("refresh", results):
        log = reports_refresh(as_of=today)
    print(f"nightly refresh (reports_refresh): {results['refresh']:.1f} s, {log.periods} periods, {log.rows:,} rows")

    manager, csms = _users()
    client = Client()
    client.force_login(manager)
    csm_client = Client()
    csm_client.force_login(csms[0])
    last_month = period_presets(today)["last_month"]
    custom_start, custom_end = today - timedelta(days=45), today - timedelta(days=3)

    pages = [
        ("CSM home /", csm_client, "/", {}),
        ("dashboard, last month", client, "/dashboard/", {"period": "last_month"}),
        ("dashboard, month to date, segment", client, "/dashboard/", {"period": "mtd", "segment": "SMB"}),
        ("dashboard, last quarter, one CSM", client, "/dashboard/", {"period": "last_quarter", "csm": csms[1].pk}),
        ("scorecards, last month", client, "/scorecards/", {"period": "last_month"}),
        ("cohorts", client, "/cohorts/", {}),
        ("API metrics, last month", client, "/api/v1/metrics/",
         {"start": last_month.start.isoformat(), "end": last_month.end.isoformat()}),
        ("API metrics, last month, segment", client, "/api/v1/metrics/",
         {"start": last_month.start.isoformat(), "end": last_month.end.isoformat(), "segment": "Enterprise"}),
    ]  # fmt: skip
    live = [
        ("dashboard, custom period (live SQL)", client, "/dashboard/",
         {"period": "custom", "start": custom_start.isoformat(), "end": custom_end.isoformat()}),
        ("API metrics, custom period (live SQL)", client, "/api/v1/metrics/",
         {"start": custom_start.isoformat(), "end": custom_end.isoformat()}),
        ("API metrics, custom period, segment (live SQL)", client, "/api/v1/metrics/",
         {"start": custom_start.isoformat(), "end": custom_end.isoformat(), "segment": "SMB"}),
    ]  # fmt: skip

    # baselines
    baseline_page = _median_ms(lambda: Client().get("/login/"))
    sample = list(Account.objects.filter(external_id__startswith=PREFIX).values_list("id", flat=True)[:500])
    naive_per_account = _naive_mrr_ms_per_account(sample, last_month.start, last_month.end)
    naive_full = naive_per_account * total_accounts
    print(f"\naccounts in the database: {total_accounts:,}; load {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"baseline: trivial page (login form)                 {baseline_page:8.1f} ms")
    print(
        f"baseline: naive per-account MRR loop (2 queries/account) {naive_per_account:.2f} ms/account on 500 "
        f"-> {naive_full / 1000:.1f} s extrapolated to {total_accounts:,} accounts (mrr_start + mrr_end only)"
    )
    print(f"\n{'page':48} {'cold ms':>9} {'warm ms':>9} {'vs login':>9} {'status':>6}")
    worst = 0.0
    for label, c, url, params in pages + live:
        response = c.get(url, params)
        status = response.status_code
        cold = _median_ms(lambda c=c, url=url, params=params: c.get(url, params), before=cache.clear)
        warm = _median_ms(lambda c=c, url=url, params=params: c.get(url, params))
        worst = max(worst, cold) if (label, c, url, params) in pages else worst
        print(f"{label:48} {cold:9.1f} {warm:9.1f} {ratio(cold, baseline_page):>9} {status:>6}")
    api_live = _median_ms(lambda: client.get(live[1][2], live[1][3]), before=cache.clear)
    print(f"\nslowest pre-aggregated page, cold cache: {worst:.1f} ms (target < 300 ms); load {os.getloadavg()[0]:.1f}")
    print(
        f"exact live API over {total_accounts:,} accounts: {api_live:.1f} ms vs naive loop "
        f"{naive_full:.0f} ms extrapolated -> {ratio(naive_full, api_live)} faster"
    )

    from bench.metrics_currency import run_currency

    run_currency(client=client, start=custom_start, end=custom_end, today=today, smoke=args.smoke)
