"""Every page a CSM opens in a day, on the whole demo at 100,000 accounts (issue 15, item 22).

Data: `seed_demo --accounts N --seed 1` (every step: accounts, surveys, health history,
success plans, playbooks and tasks, the dashboards' pre-aggregates; N = 100,000 x scale) in a
database of its own, <bench db>_pages, kept between runs: a run finds the demo of its size and
reuses it (the first run at scale 1.0 seeded for 41 minutes on the shared 2-core machine).
Before timing, the database is brought to the state production keeps it in: vacuumed and
analysed once (as autovacuum would do to a new table), the survey report's days up to
yesterday (the answer sweep does it every minute) and the dashboards' cube fresh.

Measured (server time in-process through django.test.Client, templates included; run it with
DEBUG=0 and a SECRET_KEY, as production runs: static files are collected first):
for each page, the median of 5 requests after one warm-up (one request when the warm-up took
over 5 s; a page whose SQL runs over 30 s is reported as such), the number of SQL queries and the
size of the page; the baseline, measured in the same run, is the login form (a page that reads
nothing). Pages are opened as csm1 (the issue's user); the pages of the menu a CSM does not
have (scorecards and team load: managers; the survey and playbook lists: admins) as the
demo's manager or admin. Target: every page under 200 ms at 100,000 accounts.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python -m bench --only pages
"""

from __future__ import annotations

import statistics
import sys
import time

from bench.setup import ratio, switch_database

FULL_ACCOUNTS = 100_000
SEED = 1
RUNS = 5
TARGET_MS = 200
SLOW_SECONDS = 5
STATEMENT_TIMEOUT_SECONDS = 30


class _Client:
    """django.test.Client whose get() answers None when a query was cancelled for running over
    STATEMENT_TIMEOUT_SECONDS (the page is reported as such instead of holding the run)."""

    def __init__(self, user=None):
        from django.test import Client

        self.client = Client()
        if user is not None:
            self.client.force_login(user)

    def get(self, url: str):
        from django.db.utils import OperationalError

        try:
            return self.client.get(url)
        except OperationalError as exc:
            if "statement timeout" not in str(exc):
                raise
            return None


def _demo_ready(n: int) -> bool:
    """A whole demo of n accounts: the last steps (playbooks' tasks, the dashboards' refresh) ran."""
    from accounts.models import Account
    from playbooks.models import Task
    from reports.models import RefreshLog
    from surveys.models import SurveyResponse

    return (
        Account.objects.count() == n
        and SurveyResponse.objects.exists()
        and Task.objects.exists()
        and RefreshLog.objects.filter(finished_at__isnull=False).exists()
    )


def _seed(n: int) -> None:
    from demo.run import demo_flush, demo_is_empty, run_demo

    if not demo_is_empty():
        demo_flush(log=lambda m: None)
    started = time.perf_counter()
    run_demo(n_accounts=n, seed=SEED, log=lambda m: print(f"  {m}", flush=True), quiet=not sys.stderr.isatty())
    print(f"seeded the whole demo: {n:,} accounts in {time.perf_counter() - started:.0f} s", flush=True)


def _as_production_keeps_it() -> None:
    """The pre-aggregates as production keeps them current: the survey report's stored days up
    to yesterday (the answer sweep tops them up every minute) and a fresh dashboards' cube."""
    from django.db import connection

    from reports.selectors import cube_is_fresh, last_refresh
    from reports.services import reports_refresh
    from surveys.rollups import survey_days_top_up

    with connection.cursor() as cursor:  # a seeded database autovacuum has not reached yet
        cursor.execute(
            "SELECT coalesce(last_vacuum, last_autovacuum) IS NULL FROM pg_stat_user_tables WHERE relname = %s",
            ["surveys_surveyresponse"],
        )
        if cursor.fetchone()[0]:
            started = time.perf_counter()
            cursor.execute("VACUUM (ANALYZE)")  # as autovacuum would: visibility maps for index-only scans
            print(f"vacuumed and analysed the new demo (as autovacuum would) in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    rows = survey_days_top_up()
    print(f"survey report days topped up: {rows:,} day rows in {time.perf_counter() - started:.1f} s")
    if not cube_is_fresh(last_refresh()):
        started = time.perf_counter()
        reports_refresh()
        print(f"dashboards' pre-aggregate refreshed in {time.perf_counter() - started:.1f} s")


def _measure(client, url: str) -> tuple[int, float, int, int]:
    """(queries, median ms of RUNS after a warm-up, bytes, runs). A page whose warm-up takes
    over SLOW_SECONDS is timed once more only (the figure is plain enough)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    response = client.get(url)  # warm-up: caches, the first compile of each template
    if response is None:
        return 0, (time.perf_counter() - started) * 1000, 0, 0
    assert response.status_code == 200, (url, response.status_code)
    runs = 1 if time.perf_counter() - started > SLOW_SECONDS else RUNS
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
    return queries, statistics.median(times) * 1000, len(response.content), runs


def pages(csm, users: dict) -> list[tuple[str, str, str]]:
    """(label, url, username) of every page a CSM opens daily, and the menu's manager / admin pages."""
    from accounts.models import Account
    from playbooks.selectors import inbox_for

    own = Account.objects.filter(owner=csm).order_by("-mrr").values_list("pk", "name").first()
    word = own[1].split()[0][:6]
    listed = [
        ("home", "/", csm.username),
        ("portfolio", "/accounts/", csm.username),
        ("portfolio search", f"/accounts/?q={word}", csm.username),
        ("portfolio filtered", "/accounts/?owner=me&tier=key&sort=renewal&touch=overdue", csm.username),
        ("account 360 (csm1's largest)", f"/accounts/{own[0]}/", csm.username),
        ("account success plan", f"/success/accounts/{own[0]}/", csm.username),
        ("task inbox", "/tasks/", csm.username),
    ]
    overdue = inbox_for(assignee_id=csm.pk).overdue
    if overdue:
        listed.append(("task inbox, show more", f"/tasks/?group=overdue&after={overdue[-1].pk}", csm.username))
    listed += [
        ("success board", "/success/", csm.username),
        ("dashboard", "/dashboard/", csm.username),
        ("cohorts", "/cohorts/", csm.username),
        ("survey report", "/surveys/report/", csm.username),
        ("survey report, own accounts", f"/surveys/report/?owner={csm.pk}", csm.username),
        ("survey report, a segment", "/surveys/report/?segment=Enterprise", csm.username),
        ("scorecards", "/scorecards/", users["manager"].username),
        ("team load", "/tasks/team/", users["manager"].username),
        ("survey list", "/surveys/", users["admin"].username),
        ("playbook list", "/playbooks/", users["admin"].username),
    ]
    return listed


def run(args) -> None:
    from django.conf import settings
    from django.db import connection

    from core.models import User

    n = max(200, int(FULL_ACCOUNTS * args.scale))
    name = switch_database("pages")
    print(f"database {name}: the whole demo at {n:,} accounts (seed {SEED}, scale {args.scale})", flush=True)
    if not _demo_ready(n):
        _seed(n)
    else:
        print("  reusing the demo already there")
    _as_production_keeps_it()

    import logging

    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # a cancelled page is reported below
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if not settings.DEBUG:  # as deployed: hashed static names from the manifest
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = '{STATEMENT_TIMEOUT_SECONDS}s'")
    users = {u.username: u for u in User.objects.filter(username__in=["csm1", "manager", "admin"])}
    clients = {username: _Client(user) for username, user in users.items()}
    q_base, t_base, b_base, _ = _measure(_Client(), "/login/")
    print(f"baseline /login/: {q_base} queries, {t_base:.1f} ms, {b_base / 1024:.0f} KB")
    slow = []
    for label, url, username in pages(users["csm1"], users):
        queries, ms, size, runs = _measure(clients[username], url)
        if ms >= TARGET_MS:
            slow.append(label)
        if not runs:
            print(f"page {label} ({username}): over {STATEMENT_TIMEOUT_SECONDS} s, a query was cancelled  {url}")
            continue
        timing = f"median of {runs}" if runs > 1 else "one run after a slow warm-up"
        print(
            f"page {label} ({username}): {ms:.0f} ms {timing}, {queries} queries, {size / 1024:.0f} KB "
            f"({ratio(ms, t_base)} /login/)  {url}",
            flush=True,
        )
    print(f"pages at or over {TARGET_MS} ms: {', '.join(slow) if slow else 'none'}")
    connection.close()
