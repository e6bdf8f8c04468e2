"""The daily digest for every CSM of a 100,000-account book (issue 17, item 7), the renewal
sweep, and the feed page.

Data (in <bench db>_notifications, rebuilt when its size differs): N accounts (100,000 at
--scale 1) owned by N/500 CSMs (200 at scale 1), renewal dates over a year, health scores with
yesterday's snapshot (~8% dropped a band or 10 points), ~0.4 open tasks per account due from 10
days ago to 20 days ahead, NPS answers on ~3% of accounts in the last two days (a third
detractors), 25 notifications per CSM. Every CSM's local morning has come (time zone UTC,
now = today 08:00 UTC).

Printed:
- the digest for every CSM (claim, gather, render, send over a locmem mail backend): time and
  query count; then the same sweep again (nothing due: must send nothing);
- baseline, same run: reading the CSMs' accounts' columns the digest uses into Python once;
- the renewal sweep over every account (first run, and the repeat that inserts nothing);
- the feed page (/notifications/) for one CSM: median of 5, its queries; baseline: the login page.
Target: every CSM's digest of a 100,000-account book in under 60 s.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/h3_bench \\
        .venv/bin/python -m bench --only notifications --scale 0.1
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bench.setup import ratio, switch_database

PREFIX = "bn-"
FULL_ACCOUNTS = 100_000
ACCOUNTS_PER_CSM = 500
TARGET_SECONDS = 60


def _ready(n: int) -> bool:
    from accounts.models import Account

    return Account.objects.filter(external_id__startswith=PREFIX).count() == n


def _build(n: int, now: datetime) -> None:
    from accounts.models import Account
    from core.choices import Role
    from core.models import User
    from health.models import HealthScore
    from notifications.models import DigestLog, Notification
    from playbooks.models import Task
    from surveys.models import SurveyResponse

    DigestLog.objects.all().delete()
    Notification.objects.all().delete()
    Task.objects.all().delete()
    SurveyResponse.objects.all().delete()
    HealthScore.objects.all().delete()
    Account.objects.filter(external_id__startswith=PREFIX).delete()
    User.objects.filter(username__startswith=PREFIX).delete()

    rng = random.Random(17)
    today = now.date()
    csm_count = max(2, n // ACCOUNTS_PER_CSM)
    User.objects.bulk_create(
        [
            User(username=f"{PREFIX}csm{i}", email=f"csm{i}@team.example", role=Role.CSM, first_name=f"CSM {i}")
            for i in range(csm_count)
        ]
    )
    csm_ids = list(User.objects.filter(username__startswith=PREFIX).values_list("pk", flat=True))
    bands = [(80, "green"), (60, "yellow"), (30, "red")]
    accounts = []
    for i in range(n):
        score, band = rng.choice(bands)
        accounts.append(
            Account(
                external_id=f"{PREFIX}{i}",
                name=f"Bench account {i}",
                owner_id=csm_ids[i % csm_count],
                mrr=Decimal(rng.choice([100, 500, 1000, 5000])),
                renewal_date=today + timedelta(days=rng.randint(0, 365)),
                health_score=score + rng.randint(-5, 5),
                health_band=band,
                created_at=now - timedelta(days=400),
            )
        )
    Account.objects.bulk_create(accounts, batch_size=5000)
    rows = list(Account.objects.filter(external_id__startswith=PREFIX).values_list("pk", "owner_id", "health_score"))
    yesterday = today - timedelta(days=1)
    snapshots, tasks, answers = [], [], []
    for pk, owner_id, score in rows:
        dropped = rng.random() < 0.08
        before = min(100, score + (12 if dropped else rng.randint(-3, 3)))
        snapshots.append(
            HealthScore(
                account_id=pk,
                day=yesterday,
                score=max(0, before),
                band="green" if before >= 70 else "yellow" if before >= 40 else "red",
            )
        )
        if rng.random() < 0.4:
            tasks.append(
                Task(
                    account_id=pk,
                    title=f"Task for {pk}",
                    due_date=today + timedelta(days=rng.randint(-10, 20)),
                    assignee_id=owner_id,
                )
            )
        if rng.random() < 0.03:
            answers.append(
                SurveyResponse(
                    kind="nps",
                    account_id=pk,
                    score=rng.choice([2, 5, 8, 9, 10, 6]),
                    comment="bench",
                    channel="widget",
                    submitted_at=now - timedelta(hours=rng.randint(1, 47)),
                    dedupe_key=f"{PREFIX}{pk}",
                    followup_pending=False,
                    followup_count=1,
                )
            )
    HealthScore.objects.bulk_create(snapshots, batch_size=5000)
    Task.objects.bulk_create(tasks, batch_size=5000)
    SurveyResponse.objects.bulk_create(answers, batch_size=5000)
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=user_id,
                kind="task_assigned",
                key=f"bench:{j}",
                title=f"Task assigned: {j}",
                url="/tasks/",
                created_at=now - timedelta(hours=rng.randint(1, 30)),
            )
            for user_id in csm_ids
            for j in range(25)
        ],
        batch_size=5000,
    )


def _timed_queries(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - started
    return result, elapsed, len(ctx.captured_queries)


def run(args) -> None:
    import django
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALLOWED_HOSTS = ["*"]
    django.setup()
    from django.core import mail
    from django.db import connection

    switch_database("notifications")
    n = max(100, int(FULL_ACCOUNTS * args.scale))
    now = datetime.combine(datetime.now(tz=UTC).date(), datetime.min.time(), tzinfo=UTC) + timedelta(hours=8)
    if not _ready(n):
        started = time.perf_counter()
        _build(n, now)
        print(f"built {n:,} accounts in {time.perf_counter() - started:.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    from accounts.models import Account
    from core.models import User
    from notifications.models import DigestLog, Notification
    from notifications.services import digests_send, renewals_notify

    csm_ids = list(User.objects.filter(username__startswith=PREFIX).values_list("pk", flat=True))
    DigestLog.objects.all().delete()
    mail.outbox = []
    result, digest_s, digest_q = _timed_queries(lambda: digests_send(now=now))
    print(
        f"digest, every CSM ({len(csm_ids)} CSMs, {n:,} accounts): {digest_s:.2f} s, {digest_q} queries, "
        f"{result.sent} sent, {result.empty} empty, {len(mail.outbox)} messages "
        f"(target < {TARGET_SECONDS} s at 100,000: {'ok' if digest_s < TARGET_SECONDS else 'OVER'})"
    )
    again, again_s, again_q = _timed_queries(lambda: digests_send(now=now + timedelta(minutes=15)))
    print(f"digest sweep again 15 min later: {again_s:.2f} s, {again_q} queries, {again.sent} sent (must be 0)")

    baseline_rows, baseline_s, _ = _timed_queries(
        lambda: list(
            Account.objects.filter(owner_id__in=csm_ids).values_list(
                "pk", "owner_id", "name", "renewal_date", "health_score", "health_band"
            )
        )
    )
    print(
        f"baseline: read the CSMs' {len(baseline_rows):,} accounts once: {baseline_s:.3f} s; "
        f"digest / baseline: {ratio(digest_s, baseline_s)}"
    )

    Notification.objects.filter(kind="renewal_due").delete()
    made, sweep_s, sweep_q = _timed_queries(lambda: renewals_notify(today=now.date()))
    repeat, repeat_s, repeat_q = _timed_queries(lambda: renewals_notify(today=now.date()))
    print(
        f"renewal sweep: {sweep_s:.2f} s, {sweep_q} queries, {len(made):,} notifications; "
        f"repeat: {repeat_s:.2f} s, {repeat_q} queries, {len(repeat)} new (must be 0)"
    )

    from django.test import Client

    user = User.objects.get(pk=csm_ids[0])
    client = Client()
    client.force_login(user)

    def page(url):
        client.get(url)  # warm-up
        times, queries = [], 0
        for _ in range(1 if args.smoke else 5):
            _, elapsed, queries = _timed_queries(lambda: client.get(url))
            times.append(elapsed)
        return statistics.median(times), queries

    feed_s, feed_q = page("/notifications/")
    anon = Client()
    anon.get("/login/")
    login_times = []
    for _ in range(1 if args.smoke else 5):
        started = time.perf_counter()
        anon.get("/login/")
        login_times.append(time.perf_counter() - started)
    login_s = statistics.median(login_times)
    count = Notification.objects.filter(recipient=user).count()
    print(
        f"feed page ({count} notifications): {feed_s * 1000:.1f} ms, {feed_q} queries; "
        f"baseline login page {login_s * 1000:.1f} ms; ratio {ratio(feed_s, login_s)}"
    )
