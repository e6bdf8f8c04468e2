"""CPU of the health refresh after a person's signal (issue 23, h5): one run per account (the
refresh before h5: health.recompute.account_health_refresh) against one run of the accounts
gathered within the window (health.recompute.accounts_health_refresh_gathered), called
in-process on a soak-sized demo (`seed_demo --accounts 2000 --seed 42`).

For each way and each number of accounts a run gathers (BENCH_GATHER, "1,2,4,8"; the soak's
2 answers/s in a 2 s window gather about 4), over BENCH_RUNS (40) runs of random accounts
(one warm-up run first): the process CPU, the PostgreSQL backend's CPU (/proc, 10 ms ticks)
and the statements, per run and per account.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h5 REDIS_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python -m bench.health_refresh_cpu
"""

import os
import random
import sys
import time

from bench.workers_cpu import _backend_ticks


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csplatform.settings")
    django.setup()

    from django.db import connection

    from accounts.models import Account
    from health.recompute import account_health_refresh, accounts_health_refresh_gathered, gather

    runs = int(os.environ.get("BENCH_RUNS", "40"))
    sizes = [int(s) for s in os.environ.get("BENCH_GATHER", "1,2,4,8").split(",")]
    rng = random.Random(23)
    ids = list(Account.objects.values_list("id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    statements = [0]

    def count(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    def one_each(batch):
        for account_id in batch:
            account_health_refresh(account_id=account_id)

    def gathered(batch):
        for account_id in batch:
            gather.gather(account_id, delay=2)
        accounts_health_refresh_gathered()

    tick = os.sysconf("SC_CLK_TCK")
    print(f"{runs} runs per line (after one warm-up run); uptime: {open('/proc/loadavg').read().split()[:3]}")
    print(f"{'way':28} {'accounts':>8} {'proc ms':>9} {'pg ms':>8} {'stmts':>6} {'cpu+pg ms/acct':>15}")
    for size in sizes:
        for name, body in (("one run per account", one_each), ("one gathered run", gathered)):
            if size == 1 and body is gathered:
                continue
            batches = [rng.sample(ids, size) for _ in range(runs + 1)]
            body(batches[0])
            cpu = pg = 0.0
            statements[0] = 0
            with connection.execute_wrapper(count):
                for batch in batches[1:]:
                    t0, b0 = time.process_time(), _backend_ticks(pid)
                    body(batch)
                    cpu += time.process_time() - t0
                    pg += (_backend_ticks(pid) - b0) / tick
            print(
                f"{name:28} {size:8d} {cpu * 1000 / runs:9.1f} {pg * 1000 / runs:8.1f} "
                f"{statements[0] / runs:6.1f} {(cpu + pg) * 1000 / (runs * size):15.2f}"
            )
            sys.stdout.flush()


if __name__ == "__main__":
    main()
