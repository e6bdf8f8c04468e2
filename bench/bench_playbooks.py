"""Playbook evaluation over the whole book (issue 6): the nightly run of the six default
playbooks on N accounts (100,000 at --scale 1), set-based.

Data: N accounts (tiers, renewal dates over a year, last touches over 60 days, 20 CSMs), two
days of health snapshots with ~5% turning red, detractor answers for ~1% of accounts.

Printed:
- dry run of every playbook (the read path: trigger + conditions + cooldown/cap/open-task
  flags), its time and query count;
- the first nightly run (enrolments, tasks, run log), and a re-run (must create nothing);
- baseline, same run: reading the accounts' columns the triggers use into Python once
  (SELECT id, tier, renewal_date, last_touch_at, health_score, mrr over every account);
- the query count of a dry run on N/10 accounts' worth of the same data vs N (set-based:
  equal).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_playbooks \\
        .venv/bin/python -m bench --only playbooks --scale 0.05
"""

from __future__ import annotations

import random
import time
from datetime import timedelta
from decimal import Decimal

from bench.setup import ratio

PREFIX = "bp-"
FULL_ACCOUNTS = 100_000


def _cleanup():
    from accounts.models import Account
    from playbooks.models import EmailTemplate, Playbook, TaskTemplate

    Playbook.objects.all().delete()
    TaskTemplate.objects.all().delete()
    EmailTemplate.objects.all().delete()
    Account.objects.filter(external_id__startswith=PREFIX).delete()


def _prepare(n: int) -> None:
    from django.utils import timezone

    from accounts.models import Account, Contact
    from core.choices import Role
    from core.models import User
    from health.models import HealthScore
    from surveys.models import SurveyResponse

    rng = random.Random(6)
    now = timezone.now()
    today = now.date()
    csms = []
    for i in range(20):
        user, _ = User.objects.get_or_create(
            username=f"bp-csm-{i}", defaults={"role": Role.CSM, "first_name": f"CSM {i}"}
        )
        csms.append(user)
    tiers = ["strategic"] * 2 + ["key"] * 8 + ["standard"] * 40 + ["tech_touch"] * 50
    accounts = [
        Account(
            external_id=f"{PREFIX}{i}",
            name=f"Bench account {i}",
            tier=rng.choice(tiers),
            segment=rng.choice(["SMB", "Mid-market", "Enterprise"]),
            owner=rng.choice(csms),
            mrr=Decimal(rng.choice([100, 500, 1000, 5000])),
            renewal_date=today + timedelta(days=rng.randint(0, 365)),
            last_touch_at=now - timedelta(days=rng.randint(0, 60)),
            created_at=now - timedelta(days=400),
        )
        for i in range(n)
    ]
    Account.objects.bulk_create(accounts, batch_size=5000)
    ids = list(Account.objects.filter(external_id__startswith=PREFIX).values_list("id", flat=True))
    scores = []
    for account_id in ids:
        before = rng.randint(45, 95)
        after = rng.randint(10, 39) if rng.random() < 0.05 else max(40, before + rng.randint(-8, 8))
        band = lambda s: "red" if s < 40 else ("yellow" if s < 70 else "green")  # noqa: E731
        scores.append(
            HealthScore(account_id=account_id, day=today - timedelta(days=1), score=before, band=band(before))
        )
        scores.append(HealthScore(account_id=account_id, day=today, score=after, band=band(after)))
    HealthScore.objects.bulk_create(scores, batch_size=10000)
    picked = rng.sample(ids, max(1, n // 100))
    contacts = Contact.objects.bulk_create(
        [
            Contact(external_id=f"{PREFIX}c{a}", account_id=a, name=f"Contact {a}", email=f"c{a}@bench.example")
            for a in picked
        ]
    )
    SurveyResponse.objects.bulk_create(
        [
            SurveyResponse(
                kind="nps",
                account_id=c.account_id,
                contact_id=c.pk,
                score=rng.randint(0, 6),
                channel="import",
                submitted_at=now - timedelta(hours=rng.randint(1, 48)),
                dedupe_key=f"{PREFIX}{c.pk}",
            )
            for c in contacts
        ],
        batch_size=5000,
    )


def _queries(fn):
    """(result, seconds, number of SQL statements) of fn(); counted by an execute wrapper, so
    there is no cap on the number (Django's query log keeps only 9,000)."""
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


def run(args) -> None:
    from accounts.models import Account
    from demo.playbooks import default_playbooks_create
    from playbooks.evaluation import playbook_evaluate
    from playbooks.models import Enrolment, Playbook, Task
    from playbooks.services import playbooks_run

    n = max(200, int(FULL_ACCOUNTS * args.scale))
    _cleanup()
    started = time.perf_counter()
    _prepare(n)
    print(
        f"data: {n:,} accounts, {2 * n:,} health snapshots, {max(1, n // 100):,} detractor answers "
        f"({time.perf_counter() - started:.1f} s to load)"
    )
    playbooks = default_playbooks_create()

    # Baseline: one read of the columns the triggers look at, for every account.
    _, baseline, _ = _queries(
        lambda: list(Account.objects.values_list("id", "tier", "renewal_date", "last_touch_at", "health_score", "mrr"))
    )

    def dry_all():
        return [playbook_evaluate(playbook=p, dry_run=True) for p in Playbook.objects.enabled()]

    results, dry, dry_q = _queries(dry_all)
    matched = sum(r.matched for r in results)
    print(f"dry run, 6 playbooks: {dry:.2f} s, {dry_q} queries, {matched:,} matches")
    for p, r in zip(Playbook.objects.enabled(), results, strict=True):
        print(f"  {p.name:32s} {r.matched:7,} matched")
    print(f"baseline (read {n:,} accounts' trigger columns once): {baseline:.2f} s")
    print(f"dry run vs baseline: {ratio(dry, baseline)}")

    results, first, first_q = _queries(lambda: playbooks_run(source="nightly"))
    enrolled = sum(r.enrolled for r in results)
    print(
        f"nightly run #1: {first:.2f} s, {first_q} queries, {enrolled:,} enrolled, {Task.objects.count():,} tasks "
        f"({first / max(1, enrolled) * 1000:.2f} ms per enrolment)"
    )
    print(f"nightly run #1 vs baseline: {ratio(first, baseline)}")
    results, second, second_q = _queries(lambda: playbooks_run(source="nightly"))
    print(
        f"nightly re-run: {second:.2f} s, {second_q} queries, {sum(r.enrolled for r in results)} enrolled "
        f"(must be 0), tasks still {Task.objects.count():,}, enrolments {Enrolment.objects.count():,}"
    )
    print(f"re-run vs baseline: {ratio(second, baseline)}")

    # Set-based: the read path's query count does not grow with the accounts.
    small = list(Account.objects.filter(external_id__startswith=PREFIX).values_list("id", flat=True)[: n // 10])
    _, _, small_q = _queries(
        lambda: [playbook_evaluate(playbook=p, dry_run=True, account_ids=small) for p in playbooks if p.enabled]
    )
    print(f"dry-run queries: {small_q} for {len(small):,} accounts vs {dry_q} for {n:,}")
    _cleanup()
