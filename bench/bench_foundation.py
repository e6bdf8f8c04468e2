"""Foundation figures: `seed_demo` speed and the two CSM pages on that data.

- seed N=200 into a fresh SQLite file (the embedded `make run` path, accounts step only);
- seed N = 100,000 x scale into the benchmark PostgreSQL database (COPY; ~200 events an
  account, so ~20M events at scale 1.0), with the phase timings the seed logs;
- baseline: PostgreSQL's own speed at writing the same number of event rows
  (INSERT ... SELECT generate_series into an unlogged table), so the ratio says how close the
  generator gets to the database's floor;
- the portfolio, the account 360 page and the task inbox on that data: queries and server time
  (median of 5) through django.test.Client with a logged-in CSM, against /login/ as the baseline
  page. The accounts step makes no tasks, so csm1 is given as many open tasks as in the 100k
  demo (3,398, every inbox group full) before the inbox is timed.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.setup import ratio

ROOT = Path(__file__).resolve().parent.parent


def _seed_sqlite(n: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "REDIS_URL": ""}
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        started = time.perf_counter()
        result = subprocess.run(
            [*manage, "seed_demo", "--accounts", str(n), "--seed", "42", "--only", "accounts"],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - started
        print("\n".join(f"  {line}" for line in result.stdout.splitlines() if line.strip()))
        return wall


def _pg_baseline(rows: int) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_events_floor")
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_events_floor (id bigserial, account_id bigint, contact_id bigint, "
            "event varchar(128), occurred_at timestamptz, properties jsonb)"
        )
        cursor.execute("CREATE INDEX ON bench_events_floor (account_id, occurred_at)")
        started = time.perf_counter()
        cursor.execute(
            "INSERT INTO bench_events_floor (account_id, contact_id, event, occurred_at, properties) "
            "SELECT g %% 100000, g %% 600000, 'dashboard_viewed', now() - (g %% 31536000) * interval '1 second', '{}' "
            "FROM generate_series(1, %s) g",
            [rows],
        )
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_events_floor")
    return elapsed


def _page(client, url: str, runs: int = 5) -> tuple[int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
    return queries, statistics.median(times) * 1000


INBOX_TASKS = 3_398  # csm1's open tasks in the whole 100k demo (seed_demo --accounts 100000 --seed 1)


def _inbox_tasks(user, n: int = INBOX_TASKS) -> int:
    """Give `user` n open tasks on their accounts, spread over the inbox's groups like the demo's
    (overdue, today, upcoming, a few snoozed), all priorities. Returns how many exist."""
    import random
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from accounts.models import Account
    from playbooks.models import Task

    Task.objects.filter(assignee=user, title__startswith="Bench: ").delete()
    accounts = list(Account.objects.filter(owner=user).values_list("pk", "name")[:2000])
    if not accounts:
        return 0
    rng = random.Random(7)
    today = timezone.now().date()
    rows = []
    for i in range(n):
        pk, name = accounts[i % len(accounts)]
        offset = rng.choice([-20, -9, -5, -3, -2, -1, -1, 0, 1, 2, 3, 7, 14, 30])
        snoozed = i % 25 == 0
        rows.append(
            Task(
                account_id=pk,
                assignee=user,
                title=f"Bench: health is red at {name}: build a rescue plan",
                reason=f"health band went from yellow to red (score {40 + i % 15} → {20 + i % 15}) on {today:%d %b}",
                body="Review the health card, talk to the champion this week.",
                priority=rng.randint(1, 4),
                due_date=today + timedelta(days=offset),
                status="snoozed" if snoozed else "open",
                snoozed_until=today + timedelta(days=1 + i % 9) if snoozed else None,
            )
        )
    Task.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:  # as autovacuum would soon after: the planner sees them
        cursor.execute(f"ANALYZE {Task._meta.db_table}")
    return n


def run(args) -> None:
    from django.test import Client

    from accounts.models import Account
    from core.models import User
    from demo.run import demo_flush, demo_is_empty, run_demo

    # 1. the embedded path
    n_small = 200
    small = _seed_sqlite(n_small)
    print(f"seed SQLite: {n_small} accounts in {small:.1f} s (wall time of the command, start-up included)")

    # 2. PostgreSQL at scale
    n = max(200, int(100_000 * args.scale))
    if not demo_is_empty():
        demo_flush(log=lambda m: None)
    logs: list[str] = []
    started = time.perf_counter()
    ctx = run_demo(n_accounts=n, seed=42, log=logs.append, only=["accounts"], quiet=not sys.stderr.isatty())
    seconds = time.perf_counter() - started
    totals = ctx.extra["totals"]
    rows = sum(totals.values()) + n
    for line in logs:
        print(f"  {line}")
    print(
        f"seed PostgreSQL: {n:,} accounts, {totals['events']:,} events, {seconds:.1f} s, "
        f"{rows / seconds:,.0f} rows/s ({totals['events'] / seconds:,.0f} events/s)"
    )
    floor = _pg_baseline(totals["events"])
    print(
        f"baseline: PostgreSQL writes {totals['events']:,} generated rows in {floor:.1f} s "
        f"({totals['events'] / floor:,.0f} rows/s); seed/baseline = {ratio(seconds, floor)}"
    )

    # 3. the pages on that data
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(User.objects.get(username="csm1"))
    biggest = Account.objects.order_by("-mrr").values_list("pk", "name").first()
    q_base, t_base = _page(client, "/login/")
    pages = [
        ("portfolio", "/accounts/"),
        ("portfolio search", f"/accounts/?q={biggest[1].split()[0][:6]}"),
        ("portfolio filtered", "/accounts/?owner=me&tier=key&sort=renewal&touch=overdue&page=2"),
        ("account 360", f"/accounts/{biggest[0]}/"),
    ]
    from playbooks.selectors import inbox_for

    csm1 = User.objects.get(username="csm1")
    n_tasks = _inbox_tasks(csm1)
    pages.append((f"task inbox ({n_tasks:,} open tasks)", "/tasks/"))
    overdue = inbox_for(assignee_id=csm1.pk).overdue
    if overdue:
        pages.append(("task inbox, show more (overdue)", f"/tasks/?group=overdue&after={overdue[-1].pk}"))
    print(f"baseline page /login/: {q_base} queries, {t_base:.0f} ms")
    for label, url in pages:
        queries, ms = _page(client, url)
        print(f"page {label}: {queries} queries, {ms:.0f} ms median of 5 ({ratio(ms, t_base)} of /login/)  {url}")
