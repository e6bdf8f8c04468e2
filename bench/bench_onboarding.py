"""Onboarding at scale (issue 7): automatic completion from events, the stalled/overdue
selectors and time to first value, all set-based.

Data at --scale 1: 100,000 accounts with a paid contract (starts spread over 12 months), of which
20,000 started in the last 120 days and run a 6-item checklist (3 items complete on an event);
those accounts send ~30 usage events each (600,000), a third of them the value event.

Printed:
- `onboarding_events_apply` for one ingestion batch of 1,000 accounts, and for 100 accounts: the
  query counts must be equal (set-based); time per batch;
- the nightly sweep over every open checklist (first run completes items, the re-run finds nothing);
- `checklists_stalled` and `checklist_items_overdue` (count of the querysets);
- `ttfv()` over every account (one query + medians in Python);
- baseline, same run: the bare aggregate the completion has to do anyway
  (SELECT account_id, event, MIN(occurred_at) ... GROUP BY over the same accounts' events).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_onboarding \\
        .venv/bin/python -m bench --only onboarding --scale 0.05
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from bench.setup import ratio

PREFIX = "bo-"
FULL_ACCOUNTS = 100_000
FULL_CHECKLISTS = 20_000
EVENTS_PER_ACCOUNT = 30
ITEMS = [
    ("Watch the course", "customer", 3, ""),
    ("Connect a data source", "customer", 7, "integration_connected"),
    ("Invite teammates", "customer", 10, "user_invited"),
    ("Create the first report", "customer", 14, "report_created"),
    ("Kickoff", "csm", 5, ""),
    ("Review", "csm", 30, ""),
]
EVENT_NAMES = ["login"] * 6 + ["dashboard_viewed"] * 4 + ["report_created", "integration_connected", "user_invited"]


def _cleanup() -> None:
    from accounts.models import Account
    from onboarding.models import ChecklistTemplate
    from usage.models import UsageEvent

    ids = list(Account.objects.filter(external_id__startswith=PREFIX).values_list("id", flat=True))
    for start in range(0, len(ids), 5000):
        UsageEvent.objects.filter(account_id__in=ids[start : start + 5000]).delete()
    Account.objects.filter(external_id__startswith=PREFIX).delete()
    ChecklistTemplate.objects.filter(name__startswith="Bench ").delete()


def _prepare(n_accounts: int, n_checklists: int) -> list[int]:
    from django.utils import timezone

    from accounts.models import Account, Subscription
    from onboarding import services
    from onboarding.models import AccountChecklist, AccountChecklistItem, ChecklistTemplate
    from usage.ingest import usage_partitions_ensure
    from usage.models import UsageEvent

    rng = random.Random(7)
    now = timezone.now()
    today = now.date()
    tiers = ["strategic"] * 2 + ["key"] * 8 + ["standard"] * 40 + ["tech_touch"] * 50
    Account.objects.bulk_create(
        (
            Account(external_id=f"{PREFIX}{i}", name=f"Bench onboarding {i}", tier=rng.choice(tiers))
            for i in range(n_accounts)
        ),
        batch_size=5000,
    )
    ids = list(Account.objects.filter(external_id__startswith=PREFIX).order_by("id").values_list("id", flat=True))
    recent = set(ids[:n_checklists])
    starts = {pk: today - timedelta(days=rng.randint(0, 119) if pk in recent else rng.randint(120, 365)) for pk in ids}
    Subscription.objects.bulk_create(
        (Subscription(account_id=pk, plan="Growth", mrr=500, start_date=start) for pk, start in starts.items()),
        batch_size=5000,
    )
    template = ChecklistTemplate.objects.create(
        name="Bench tech-touch", touch_model="tech_touch", tiers=[], value_event="report_created"
    )
    for title, owner, offset, event in ITEMS:
        services.checklist_template_item_create(
            template=template, title=title, owner=owner, due_offset_days=offset, completion_event=event
        )
    AccountChecklist.objects.bulk_create(
        (
            AccountChecklist(
                account_id=pk,
                template=template,
                name=template.name,
                contract_start=starts[pk],
                value_event="report_created",
                started_at=datetime.combine(starts[pk], datetime.min.time(), tzinfo=UTC),
            )
            for pk in recent
        ),
        batch_size=5000,
    )
    checklists = AccountChecklist.objects.filter(account_id__in=list(recent)).values_list("id", "contract_start")
    AccountChecklistItem.objects.bulk_create(
        (
            AccountChecklistItem(
                checklist_id=cid,
                position=p,
                title=title,
                owner=owner,
                due_date=start + timedelta(days=offset),
                completion_event=event,
            )
            for cid, start in checklists
            for p, (title, owner, offset, event) in enumerate(ITEMS)
        ),
        batch_size=5000,
    )
    usage_partitions_ensure(months=[today - timedelta(days=30 * m) for m in range(14)])
    batch = []
    for pk in sorted(recent):
        days = max(1, (today - starts[pk]).days)
        for _ in range(EVENTS_PER_ACCOUNT):
            when = datetime.combine(starts[pk], datetime.min.time(), tzinfo=UTC) + timedelta(
                days=rng.randint(0, days - 1), seconds=rng.randint(0, 86_399)
            )
            batch.append(UsageEvent(account_id=pk, event=rng.choice(EVENT_NAMES), occurred_at=when))
        if len(batch) >= 20_000:
            UsageEvent.objects.bulk_create(batch, batch_size=5000)
            batch = []
    UsageEvent.objects.bulk_create(batch, batch_size=5000)
    return sorted(recent)


def _queries(fn) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - started
    return elapsed, len(ctx.captured_queries)


def run(args) -> None:
    from datetime import date

    from django.db import connection

    from onboarding import services
    from onboarding.metrics import ttfv
    from onboarding.selectors import checklist_items_overdue, checklists_stalled

    n_accounts = max(200, int(FULL_ACCOUNTS * args.scale))
    n_checklists = max(100, int(FULL_CHECKLISTS * args.scale))
    _cleanup()
    started = time.perf_counter()
    recent = _prepare(n_accounts, n_checklists)
    with connection.cursor() as cursor:
        # Fresh bulk data: give the planner statistics, as autovacuum would in production.
        cursor.execute("ANALYZE")
    print(
        f"data: {n_accounts:,} accounts, {n_checklists:,} checklists x {len(ITEMS)} items, "
        f"{n_checklists * EVENTS_PER_ACCOUNT:,} events (prepared in {time.perf_counter() - started:.1f} s)"
    )

    small, batch = recent[:100], recent[100:1100]
    batch = batch or recent  # a tiny scale has no accounts past the first 100: time those again
    t_small, q_small = _queries(lambda: services.onboarding_events_apply(account_ids=small))
    t_batch, q_batch = _queries(lambda: services.onboarding_events_apply(account_ids=batch))
    print(f"events_apply, 100 accounts: {t_small * 1000:.0f} ms, {q_small} queries")
    print(f"events_apply, {len(batch):,} accounts (one ingestion batch): {t_batch * 1000:.0f} ms, {q_batch} queries")

    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "SELECT account_id, event, MIN(occurred_at) FROM accounts_usageevent "
            "WHERE account_id = ANY(%s) GROUP BY account_id, event",
            [batch],
        )
        cursor.fetchall()
        t_base = time.perf_counter() - started
    print(f"baseline, bare first-event aggregate over the same {len(batch):,} accounts: {t_base * 1000:.0f} ms")
    print(f"ratio events_apply / baseline: {ratio(t_batch, t_base)}")

    t_sweep, q_sweep = _queries(lambda: services.onboarding_sweep(as_of=date.today()))
    t_again, q_again = _queries(lambda: services.onboarding_sweep(as_of=date.today()))
    print(f"nightly sweep, every open checklist: {t_sweep:.2f} s, {q_sweep} queries; re-run {t_again:.2f} s")

    today = date.today()
    t_stalled, _ = _queries(lambda: checklists_stalled(as_of=today).count())
    t_overdue, _ = _queries(lambda: checklist_items_overdue(as_of=today).count())
    print(
        f"checklists_stalled: {checklists_stalled(as_of=today).count():,} in {t_stalled * 1000:.0f} ms; "
        f"checklist_items_overdue: {checklist_items_overdue(as_of=today).count():,} in {t_overdue * 1000:.0f} ms"
    )
    report = None

    def compute():
        nonlocal report
        report = ttfv()

    t_ttfv, q_ttfv = _queries(compute)
    print(
        f"ttfv over {report.overall.accounts:,} accounts: {t_ttfv:.2f} s, {q_ttfv} queries; "
        f"median {report.overall.median_days} d, {len(report.by_cohort)} cohorts"
    )
    _cleanup()
