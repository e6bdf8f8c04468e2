"""CPU of the worker task bodies that follow ingestion and health refreshes, per refreshed account
(issue 23): the onboarding apply, the playbook evaluation of refreshed accounts and the health
refresh, called in-process on a soak-sized demo (DATABASE_URL, e.g. `python -m bench.soak` with
SOAK_KEEP_DB=1, or `seed_demo --accounts 2000 --seed 42`).

For each body, over BENCH_ROUNDS (5) batches of BENCH_BATCH (100) random accounts (the same
batches for every body; one warm-up batch first): the process CPU, the PostgreSQL backend's CPU
(/proc, 10 ms ticks), the statements, and the commits that wrote something (each one waits for a
WAL flush unless synchronous_commit is off), mean per batch and per account.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h6_soak .venv/bin/python -m bench.workers_cpu
"""

import os
import random
import sys
import time

WRITES = ("INSERT", "UPDATE", "DELETE", "WITH")


def _backend_ticks(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


class Counter:
    """Statements and write commits of the default connection."""

    def __init__(self, connection):
        self.connection = connection
        self.statements = self.commits = 0
        self._dirty = False

    def __call__(self, execute, sql, params, many, context):
        self.statements += 1
        if sql.lstrip().upper().startswith(WRITES) and not sql.lstrip().upper().startswith("WITH RECURSIVE"):
            if self.connection.in_atomic_block:
                self._dirty = True
            else:
                self.commits += 1
        return execute(sql, params, many, context)

    def on_commit(self):
        if self._dirty:
            self.commits += 1
        self._dirty = False


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csplatform.settings")
    django.setup()

    from django.db import connection

    from accounts.models import Account
    from health.recompute import health_recompute, today
    from onboarding.services import onboarding_events_apply
    from playbooks.services import playbooks_run

    rounds = int(os.environ.get("BENCH_ROUNDS", "5"))
    size = int(os.environ.get("BENCH_BATCH", "100"))
    only = [b for b in os.environ.get("BENCH_BODIES", "").split(",") if b]
    rng = random.Random(23)
    ids = list(Account.objects.values_list("id", flat=True))
    batches = [sorted(rng.sample(ids, size)) for _ in range(rounds + 1)]
    bodies = {
        "onboarding_events_apply": lambda b: onboarding_events_apply(account_ids=b),
        "playbooks_run (refreshed accounts)": lambda b: playbooks_run(account_ids=b, source="nightly"),
        "health_recompute (refresh)": lambda b: health_recompute(as_of=today(), account_ids=b),
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    counter = Counter(connection)
    real_commit = connection.commit

    def commit():
        counter.on_commit()
        return real_commit()

    connection.commit = commit
    tick = os.sysconf("SC_CLK_TCK")
    print(f"{rounds} batches of {size} accounts (after one warm-up batch); per batch mean, then per account")
    print(f"{'body':38} {'proc ms':>9} {'pg ms':>8} {'stmts':>6} {'commits':>8} {'cpu+pg ms/acct':>15}")
    for name, body in bodies.items():
        if only and not any(o in name for o in only):
            continue
        body(batches[0])
        cpu = pg = 0.0
        counter.statements = counter.commits = 0
        with connection.execute_wrapper(counter):
            for batch in batches[1:]:
                t0, b0 = time.process_time(), _backend_ticks(pid)
                body(batch)
                cpu += time.process_time() - t0
                pg += (_backend_ticks(pid) - b0) / tick
        n = rounds
        per_account = (cpu + pg) * 1000 / (n * size)
        print(
            f"{name:38} {cpu * 1000 / n:9.1f} {pg * 1000 / n:8.1f} {counter.statements / n:6.1f} "
            f"{counter.commits / n:8.1f} {per_account:15.2f}"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
