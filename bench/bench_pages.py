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
over 5 s; a page whose SQL runs over 30 s is reported as such), the server's CPU time per request
(`time.process_time`, median: what the Python side costs, little moved by other work on a busy
machine), the number of SQL queries and the size of the page; the baseline, measured in the same
run, is the login form (a page that reads nothing). The public survey widget's size is printed
too (surveys.views.widget).

Against another tree, in the same run (issue 22: "page times and query counts unchanged"):

    .venv/bin/python -m bench --only pages --scale 0.005 --baseline-tree /work/wt/old

(`BENCH_PAGES="inbox,dashboard"`: only the pages whose label holds one of those words.)
starts this file's measuring loop in a child process on the other tree's code (its own
interpreter path, `<bench db>_baseline` or BENCH_BASELINE_DATABASE_URL, its own demo seeded with
the same seed) and measures every page in alternating rounds, ROUNDS times each tree, so both
see the same load; then prints per page queries, CPU ms and wall ms before -> after with the
ratio, and the widget's size in both trees.

Pages are opened as csm1 (the issue's user); the pages of the menu a CSM does not
have (scorecards and team load: managers; the survey and playbook lists: admins) as the
demo's manager or admin. Target: every page under 200 ms at 100,000 accounts.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python -m bench --only pages
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

if __name__ == "__main__":  # the baseline's child (see below): the other tree's packages first
    sys.path[0] = os.getcwd()

from bench.setup import ratio, switch_database

FULL_ACCOUNTS = 100_000
SEED = 1
RUNS = 5
ROUNDS = 3  # with --baseline-tree: alternating rounds of RUNS requests per tree and page
CPU_TOLERANCE = 1.10  # "unchanged": CPU within 10% of the baseline tree's
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


def _measure(client, url: str, runs: int = RUNS, warm: bool = True) -> dict:
    """{queries, ms (median wall), cpu_ms (median process CPU), bytes, runs, times, cpus}. A page
    whose warm-up takes over SLOW_SECONDS is timed once more only (the figure is plain enough);
    runs = 0 when a query was cancelled."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if warm:
        started = time.perf_counter()
        response = client.get(url)  # warm-up: caches, the first compile of each template
        if response is None:
            return {"queries": 0, "ms": (time.perf_counter() - started) * 1000, "cpu_ms": 0, "bytes": 0, "runs": 0}
        assert response.status_code == 200, (url, response.status_code)
        if time.perf_counter() - started > SLOW_SECONDS:
            runs = 1
    times, cpus, queries = [], [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            cpus.append(time.process_time() - cpu)
            times.append(time.perf_counter() - started)
        assert response is not None and response.status_code == 200, (url, response and response.status_code)
        queries = len(ctx.captured_queries)
    return {
        "queries": queries,
        "ms": statistics.median(times) * 1000,
        "cpu_ms": statistics.median(cpus) * 1000,
        "bytes": len(response.content),
        "runs": runs,
        "times": times,
        "cpus": cpus,
    }


def _widget_size() -> tuple[int, int]:
    """The public survey widget (widget.js as served): bytes, bytes gzipped."""
    import gzip

    from surveys.views.widget import widget_source

    source = widget_source()
    return len(source), len(gzip.compress(source, 9))


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


def _prepare(scale: float):
    """The demo of this scale in `<db>_pages`, kept as production keeps it; static files collected
    when DEBUG is off; the users' clients. Returns (users, clients)."""
    from django.conf import settings
    from django.db import connection

    from core.models import User

    n = max(200, int(FULL_ACCOUNTS * scale))
    name = switch_database("pages")
    print(f"database {name}: the whole demo at {n:,} accounts (seed {SEED}, scale {scale})", flush=True)
    if not _demo_ready(n):
        _seed(n)
    else:
        print("  reusing the demo already there", flush=True)
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
    return users, clients


def run(args) -> None:
    from django.db import connection

    baseline_tree = getattr(args, "baseline_tree", None)
    if baseline_tree:
        _compare(args, Path(baseline_tree).resolve())
        connection.close()
        return
    users, clients = _prepare(args.scale)
    size, gzipped = _widget_size()
    print(f"widget.js: {size:,} bytes, {gzipped:,} bytes gzipped")
    base = _measure(_Client(), "/login/")
    print(f"baseline /login/: {base['queries']} queries, {base['ms']:.1f} ms, CPU {base['cpu_ms']:.1f} ms")
    slow = []
    for label, url, username in pages(users["csm1"], users):
        m = _measure(clients[username], url)
        if m["ms"] >= TARGET_MS:
            slow.append(label)
        if not m["runs"]:
            print(f"page {label} ({username}): over {STATEMENT_TIMEOUT_SECONDS} s, a query was cancelled  {url}")
            continue
        timing = f"median of {m['runs']}" if m["runs"] > 1 else "one run after a slow warm-up"
        print(
            f"page {label} ({username}): {m['ms']:.0f} ms {timing}, CPU {m['cpu_ms']:.1f} ms, {m['queries']} queries, "
            f"{m['bytes'] / 1024:.0f} KB ({ratio(m['ms'], base['ms'])} /login/)  {url}",
            flush=True,
        )
    print(f"pages at or over {TARGET_MS} ms: {', '.join(slow) if slow else 'none'}")
    connection.close()


# --- against another tree -------------------------------------------------------------------


class _Baseline:
    """This file's measuring loop run by the other tree's interpreter in its directory (its
    code, its settings, its own database), answering one JSON line per request."""

    def __init__(self, tree: Path, scale: float):
        database = os.environ.get("BENCH_BASELINE_DATABASE_URL") or os.environ["DATABASE_URL"] + "_baseline"
        python = tree / ".venv" / "bin" / "python"
        env = {**os.environ, "BENCH_DATABASE_URL": database, "PYTHONPATH": str(tree)}
        print(f"baseline tree {tree} ({_commit(tree)}), database {database}", flush=True)
        self.process = subprocess.Popen(
            [str(python if python.exists() else sys.executable), str(Path(__file__).resolve()), str(scale)],
            cwd=tree,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.hello = self._read()

    def _read(self) -> dict:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("{"):
                return json.loads(line)
            print(f"  [baseline] {line.rstrip()}", flush=True)  # the child's own log (seeding)
        raise RuntimeError(f"the baseline tree's bench stopped (exit {self.process.wait()})")

    def ask(self, **request) -> dict:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=60)


def _commit(tree: Path) -> str:
    done = subprocess.run(["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip() or "?"


def _child(scale: float) -> None:
    """The baseline's side: set Django up in this tree, prepare its demo, then measure what the
    parent asks for (stdin: {"label"} / {"login"}; stdout: one JSON line each)."""
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csplatform.settings")
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        os.environ.setdefault(name, "0")
    from bench.setup import prepare_database

    prepare_database()
    users, clients = _prepare(scale)
    listed = {label: (url, username) for label, url, username in pages(users["csm1"], users)}
    size, gzipped = _widget_size()
    print(json.dumps({"pages": sorted(listed), "widget": [size, gzipped]}), flush=True)
    anonymous = _Client()
    for line in sys.stdin:
        request = json.loads(line)
        if "login" in request:
            client, url = anonymous, "/login/"
        else:
            url, username = listed[request["label"]]
            client = clients[username]
        result = _measure(client, url, runs=request["runs"], warm=request["warm"])
        print(json.dumps({**result, "url": url}), flush=True)


def _compare(args, tree: Path) -> None:
    """Every page in both trees, in alternating rounds; per page before -> after."""
    baseline = _Baseline(tree, args.scale)
    try:
        users, clients = _prepare(args.scale)
        print(f"this tree ({_commit(Path(__file__).resolve().parent.parent)})", flush=True)
        size, gzipped = _widget_size()
        old_size, old_gzipped = baseline.hello["widget"]
        print(
            f"widget.js: {old_size:,} -> {size:,} bytes, {old_gzipped:,} -> {gzipped:,} gzipped"
            f" ({'unchanged' if (old_size, old_gzipped) == (size, gzipped) else 'CHANGED'})"
        )
        rows = [("login form (baseline page)", "/login/", None)]
        rows += pages(users["csm1"], users)
        wanted = [w.strip() for w in os.environ.get("BENCH_PAGES", "").split(",") if w.strip()]
        if wanted:  # BENCH_PAGES="inbox,dashboard": only the pages whose label holds one of these
            rows = [row for row in rows if any(w in row[0] for w in wanted)]
        anonymous = _Client()
        ratios, over = [], []
        print(f"{ROUNDS} alternating rounds of {RUNS} requests per page and tree after a warm-up; medians", flush=True)
        for label, url, username in rows:
            if username is not None and label not in baseline.hello["pages"]:
                print(f"page {label}: not in the baseline tree's list")
                continue
            client = anonymous if username is None else clients[username]
            before, after = {"times": [], "cpus": []}, {"times": [], "cpus": []}
            for round_ in range(ROUNDS):
                request = {"login": True} if username is None else {"label": label}
                old = baseline.ask(**request, runs=RUNS, warm=round_ == 0)
                new = _measure(client, url, warm=round_ == 0)
                if not old["runs"] or not new["runs"]:
                    break
                for side, m in ((before, old), (after, new)):
                    side["times"] += m["times"]
                    side["cpus"] += m["cpus"]
                    side["queries"], side["bytes"] = m["queries"], m["bytes"]
            if not before["cpus"] or not after["cpus"]:
                print(f"page {label}: a query was cancelled (over {STATEMENT_TIMEOUT_SECONDS} s)")
                continue
            cpu_b, cpu_a = (statistics.median(s["cpus"]) * 1000 for s in (before, after))
            ms_b, ms_a = (statistics.median(s["times"]) * 1000 for s in (before, after))
            if username is not None:
                ratios.append(cpu_a / cpu_b)
                if cpu_a / cpu_b > CPU_TOLERANCE:
                    over.append(label)
            print(
                f"page {label}{f' ({username})' if username else ''}: "
                f"queries {before['queries']} -> {after['queries']}, "
                f"CPU {cpu_b:.1f} -> {cpu_a:.1f} ms ({ratio(cpu_a, cpu_b)}), "
                f"wall {ms_b:.0f} -> {ms_a:.0f} ms ({ratio(ms_a, ms_b)}), "
                f"{before['bytes'] / 1024:.0f} -> {after['bytes'] / 1024:.0f} KB",
                flush=True,
            )
        if ratios:
            print(
                f"CPU after/before over {len(ratios)} pages: median {statistics.median(ratios):.2f}x, "
                f"range {min(ratios):.2f}-{max(ratios):.2f}x; over {CPU_TOLERANCE:.2f}x: {', '.join(over) or 'none'}"
            )
    finally:
        baseline.close()


if __name__ == "__main__":
    _child(float(sys.argv[1]))
