"""Risk pages at 100,000 accounts (issue 18): server time and query count of the ARR-at-risk
report, the "why customers left" report and the risks list, against baselines measured in the
same run.

Data (scale 1.0): 100,000 accounts (30 CSMs, 4 segments, 4 tiers, a third in EUR or GBP), a
live or closed risk on 20% of them (20,000 risks, 10 reason codes, 5 types, in the account's
currency) and a churn / downgrade reason on 15% (15,000 reasons spread over 12 months), with
monthly EUR and GBP rates. Accounts carry the external-id prefix "br-"; a later run with the same
size reuses them, another size replaces them (only rows this module created are deleted).

Measured (median of 5 requests, in-process Django test client = server time incl. templates):
- GET /risks/report/ (all risks, and one CSM's), GET /risks/lost/ (last 12 months), GET /risks/;
- the query count of each page (flat: the same at every --scale, tests/renewals assert it);
- baselines: a trivial page (the login form), and the naive report (every live risk loaded and
  converted one by one with accounts.currency.convert, summed in Python).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python -m bench --only risks --scale 0.1
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from bench.setup import ratio

PREFIX = "br-"
FULL_ACCOUNTS = 100_000
CSMS = 30
SEGMENTS = ["SMB", "Mid-Market", "Enterprise", "Startup"]
TIERS = ["strategic", "key", "standard", "tech_touch"]
CURRENCIES = ["USD", "USD", "EUR", "GBP"]
TYPES = ["churn", "downgrade", "non_payment", "relationship", "product"]
REPEAT = 5
TARGET_MS = 300


def _delete_previous() -> None:
    from accounts.models import Account
    from renewals.models import ChurnReason, Risk

    ids = Account.objects.filter(external_id__startswith=PREFIX).values("id")
    Risk.objects.filter(account_id__in=ids).delete()
    ChurnReason.objects.filter(account_id__in=ids).delete()
    Account.objects.filter(external_id__startswith=PREFIX).delete()


def _users():
    from core.choices import Role
    from core.models import User

    manager, _ = User.objects.get_or_create(username="br-manager", defaults={"role": Role.MANAGER})
    csms = []
    for i in range(CSMS):
        user, _ = User.objects.get_or_create(username=f"br-csm{i}", defaults={"role": Role.CSM})
        csms.append(user)
    return manager, csms


def generate(n: int, today: date, rng: random.Random) -> dict:
    from accounts.currency import fx_rates_upsert
    from accounts.models import Account
    from renewals.models import ChurnReason, ReasonCode, Risk

    _delete_previous()
    _, csms = _users()
    created_at = datetime.now(UTC) - timedelta(days=1500)
    Account.objects.bulk_create(
        (
            Account(
                external_id=f"{PREFIX}{i}",
                name=f"Bench risk {i}",
                owner=csms[i % CSMS],
                segment=SEGMENTS[i % len(SEGMENTS)],
                tier=TIERS[(i // 7) % len(TIERS)],
                currency=CURRENCIES[i % len(CURRENCIES)],
                mrr=Decimal(rng.randint(50, 20_000)),
                created_at=created_at + timedelta(days=rng.randint(0, 1400)),
            )
            for i in range(n)
        ),
        batch_size=5000,
    )
    months = sorted({date(d.year, d.month, 1) for d in (today - timedelta(days=30 * m) for m in range(14))})
    fx_rates_upsert(
        rates=[
            {"currency": c, "month": f"{m:%Y-%m}", "rate": str(rate + Decimal(i) / 1000)}
            for i, m in enumerate(months)
            for c, rate in (("EUR", Decimal("1.08")), ("GBP", Decimal("1.27")))
        ],
        source="bench",
    )
    reasons = list(ReasonCode.objects.filter(archived=False))
    accounts = list(
        Account.objects.filter(external_id__startswith=PREFIX).values_list(
            "id", "owner_id", "currency", "mrr", "segment", "tier"
        )
    )
    risky = rng.sample(accounts, len(accounts) // 5)
    Risk.objects.bulk_create(
        (
            Risk(
                account_id=pk,
                type=rng.choice(TYPES),
                reason_code=rng.choice(reasons),
                arr_at_risk=mrr * 12,
                currency=currency,
                severity=rng.choice(["low", "medium", "high", "critical"]),
                owner_id=owner,
                status=rng.choice(["open", "open", "mitigating", "saved", "lost"]),
                due_date=today + timedelta(days=rng.randint(-10, 60)),
            )
            for pk, owner, currency, mrr, _segment, _tier in risky
        ),
        batch_size=5000,
    )
    lost = rng.sample(accounts, len(accounts) * 3 // 20)
    ChurnReason.objects.bulk_create(
        (
            ChurnReason(
                account_id=pk,
                kind=rng.choice(["churn", "churn", "downgrade"]),
                reason_code=rng.choice(reasons),
                arr_lost=mrr * 12,
                currency=currency,
                occurred_on=today - timedelta(days=rng.randint(0, 364)),
                segment=segment,
                tier=tier,
                tenure_days=rng.randint(0, 1500),
            )
            for pk, _owner, currency, mrr, segment, tier in lost
        ),
        batch_size=5000,
    )
    return {"accounts": n, "risks": len(risky), "reasons": len(lost)}


def _median_ms(fn, repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def _naive_report(today: date) -> Decimal:
    """The way a loop would do it: every live risk, each converted on its own."""
    from accounts.currency import MissingRate, convert
    from renewals.models import Risk

    total = Decimal("0")
    for risk in Risk.objects.filter(status__in=["open", "mitigating"]).select_related("reason_code", "owner"):
        try:
            total += convert(amount=risk.arr_at_risk, currency=risk.currency, day=today)
        except MissingRate:
            continue
    return total


def run(args) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from accounts.models import Account

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    repeat = 1 if args.smoke else REPEAT
    n = max(200, int(FULL_ACCOUNTS * args.scale))
    today = datetime.now(UTC).date()
    rng = random.Random(18)
    existing = Account.objects.filter(external_id__startswith=PREFIX).count()
    if existing != n:
        started = time.perf_counter()
        counts = generate(n, today, rng)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"data: {counts} written in {time.perf_counter() - started:.1f} s", flush=True)
    else:
        print(f"data: reusing {existing:,} bench accounts", flush=True)

    manager, csms = _users()
    client = Client()
    client.force_login(manager)
    pages = {
        "ARR at risk report": "/risks/report/",
        "ARR at risk, one CSM": f"/risks/report/?owner={csms[0].pk}",
        "why customers left (12 months)": "/risks/lost/",
        "risks list (live, by due date)": "/risks/",
    }
    Client().get("/login/")  # warm up templates and URL resolvers before any timing
    baseline_page = _median_ms(lambda: Client().get("/login/"), repeat)
    print(f"baseline, login page: {baseline_page:.1f} ms")
    worst = 0.0
    for label, url in pages.items():
        queries = _queries(client, url)
        ms = _median_ms(lambda url=url: client.get(url), repeat)
        worst = max(worst, ms)
        print(f"{label}: {ms:.1f} ms, {queries} queries (ratio to the login page {ratio(ms, baseline_page)})")
    naive = _median_ms(lambda: _naive_report(today), 1 if args.smoke else 3)
    report_ms = _median_ms(lambda: client.get("/risks/report/"), repeat)
    print(
        f"baseline, naive report (each live risk converted in Python): {naive:.1f} ms; "
        f"report page / naive {ratio(report_ms, naive)}"
    )
    verdict = "under" if worst < TARGET_MS else "OVER"
    print(f"slowest risk page {worst:.1f} ms: {verdict} the {TARGET_MS} ms target at {n:,} accounts")
