"""One ingestion-driven rollup run, the day's recompute against the incremental deltas (issue 23).

    DATABASE_URL=postgres://.../h6_bench .venv/bin/python -m bench.rollups_pair [accounts] [events_per_day]

A standalone script, not one of `make bench`'s benches (no `bench_` prefix): it empties the usage tables.

Seeds `accounts` accounts (default 200) with `events_per_day` events each (default 2,000) today
(BENCH_KEEP=1: keeps a seed of the same size),
then, in alternating rounds, stores a batch of 250 new events over 100 of those accounts
(usage.ingest.events_store) and rolls it up either way: `usage_rollup_refresh` of the batch's
(account, day) pairs (the recompute from the day's raw events, what every run did before) or
`usage_rollup_apply_deltas` (the batch's deltas). CPU seconds of this process and of its
PostgreSQL backend (/proc), queries, mean and best of BENCH_ROUNDS (10) rounds each; the rollups are checked equal to a
full rebuild at the end. The database's usage tables are emptied first: use a scratch database."""

import os
import random
import sys
import time
from datetime import UTC, datetime


def _backend_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csplatform.settings")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Account
    from usage.ingest import events_store
    from usage.ingest.notify import _rollups_add
    from usage.models import AccountDailyContact, AccountDailyUsage, RollupDelta, UsageEvent
    from usage.rollups import usage_rollup_apply_deltas, usage_rollup_rebuild, usage_rollup_refresh

    accounts_n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    per_day = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    call_command("migrate", "--noinput", verbosity=0)
    rng = random.Random(7)
    today = datetime.now(UTC).date()
    names = [f"feature_{i}" for i in range(20)]

    def rows(n: int, pool) -> list[dict]:
        return [
            {
                "account": rng.choice(pool).external_id,
                "event": rng.choice(names),
                "occurred_at": f"{today}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z",
            }
            for _ in range(n)
        ]

    accounts = list(Account.objects.filter(external_id__startswith="bench-roll-").order_by("id"))
    if os.environ.get("BENCH_KEEP") != "1" or len(accounts) != accounts_n:
        for model in (RollupDelta, AccountDailyContact, AccountDailyUsage, UsageEvent):
            model.objects.all().delete()
        Account.objects.filter(external_id__startswith="bench-roll-").delete()
        accounts = Account.objects.bulk_create(
            [Account(external_id=f"bench-roll-{i}", name=f"Bench {i}") for i in range(accounts_n)]
        )
        total = accounts_n * per_day
        for start in range(0, total, 20000):
            events_store(rows(min(20000, total - start), accounts))
        usage_rollup_apply_deltas(wait=True)
    print(f"{UsageEvent.objects.count():,} events over {accounts_n} accounts", flush=True)
    ids = {a.external_id: a.id for a in accounts}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    best: dict[str, tuple[float, float, int]] = {}
    totals: dict[str, list[float]] = {"recompute": [0.0, 0.0], "incremental": [0.0, 0.0]}
    rounds = int(os.environ.get("BENCH_ROUNDS", "10"))
    for _round in range(rounds):
        for way in ("recompute", "incremental"):
            # The batch stored as ingest stores it (events and deltas in one transaction), without
            # the inline run at commit that events_store does in this (eager) process.
            batch = rows(250, rng.sample(accounts, 100))
            with transaction.atomic():
                UsageEvent.objects.bulk_create(
                    [
                        UsageEvent(
                            account_id=ids[r["account"]],
                            event=r["event"],
                            occurred_at=datetime.fromisoformat(r["occurred_at"]),
                            properties={},
                        )
                        for r in batch
                    ]
                )
                _rollups_add((ids[r["account"]], today, r["event"], None) for r in batch)
            pairs = {(ids[r["account"]], today) for r in batch}
            cpu, pg = time.process_time(), _backend_cpu(backend)
            with CaptureQueriesContext(connection) as queries:
                if way == "recompute":
                    usage_rollup_refresh(pairs=pairs)
                else:
                    usage_rollup_apply_deltas(wait=True)
            figures = (time.process_time() - cpu, _backend_cpu(backend) - pg, len(queries))
            totals[way][0] += figures[0]
            totals[way][1] += figures[1]
            if way not in best or figures[0] + figures[1] < best[way][0] + best[way][1]:
                best[way] = figures
    print(f"per run, mean of {rounds} (best): process CPU, PostgreSQL backend CPU (/proc: 10 ms ticks)")
    for way, (cpu, pg, queries) in best.items():
        mean_cpu, mean_pg = (t / rounds * 1000 for t in totals[way])
        print(
            f"{way:12} process {mean_cpu:6.1f} ms ({cpu * 1000:.1f})  backend {mean_pg:6.1f} ms ({pg * 1000:.0f})"
            f"  {queries} queries"
        )
    snapshot = sorted(AccountDailyUsage.objects.values_list("account_id", "day", "events", "active_contacts"))
    usage_rollup_rebuild()
    assert snapshot == sorted(AccountDailyUsage.objects.values_list("account_id", "day", "events", "active_contacts"))
    print("rollups equal to a full rebuild")


if __name__ == "__main__":
    main()
