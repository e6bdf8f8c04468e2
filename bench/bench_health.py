"""Health recompute at scale (issue 4): 100,000 accounts and 20M usage events at --scale 1.

Data is generated inside PostgreSQL (INSERT ... SELECT generate_series) in a database of its
own (<bench db>_health, kept between runs for the same scale), then the daily rollups are
built once (what ingestion keeps current as events arrive; its time is printed apart).

Measured in the same run:
- nightly: health.services.health_recompute for every account as of today (the service the
  Celery chunks call), wall time and this process's peak RSS;
- baseline: one hand-written SQL aggregate over the raw events (active days, events and
  distinct features over the last 30 days and events in the 30 before, every account);
- naive: a per-account ORM loop computing the same usage figures, on a small N, extrapolated;
- one account: the on-demand recompute of a single account, median and p95 over ONE_N
  accounts spread over the book, wall and process CPU time, the day's population cached.
- old measure set (issue 19): the same nightly with the default scorecard of before issue 19
  (fixed-threshold usage measures only), against the new default (calibrated activity
  measures, history, the event measures picked from the events seen).
Targets: nightly < 30 s, >= 3x faster than the baseline, one account < 50 ms, < 500 MB;
the new default within 1.2x of the old measure set.
"""

import statistics
import time
from datetime import timedelta

from bench.setup import switch_database

FULL_ACCOUNTS = 100_000
FULL_EVENTS = 20_000_000
EVENT_DAYS = 60
NAIVE_N = 200
ROUNDS = 3  # alternating old set / new default nightly runs (the best of each counts)
ONE_N = 200  # accounts of the on-demand figure (every k-th id: spread over the book)
# The default scorecard before issue 19 (health.measures.DEFAULT_WEIGHTS then).
OLD_WEIGHTS = {
    "usage_frequency": 15,
    "breadth": 10,
    "depth": 10,
    "usage_trend": 20,
    "nps": 10,
    "csat": 5,
    "open_tickets": 5,
    "escalated_tickets": 5,
    "days_to_renewal": 15,
    "mrr_change": 5,
    "onboarding_progress": 5,
    "csm_sentiment": 5,
}
EVENT_NAMES = [
    "login",
    "dashboard_viewed",
    "report_viewed",
    "report_created",
    "export_run",
    "automation_run",
    "api_call",
    "comment_added",
    "alert_configured",
    "user_invited",
    "integration_connected",
]


def _fill(cursor, table: str, given: dict[str, str]) -> tuple[str, str]:
    """Columns and SQL values for an INSERT ... SELECT: `given`, plus a neutral value for
    every other NOT NULL column without a default (other helpers may add some)."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
        "AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
        [table],
    )
    neutral = {
        "jsonb": "'{}'::jsonb",
        "boolean": "false",
        "timestamp with time zone": "now()",
        "date": "current_date",
        "integer": "0",
        "bigint": "0",
        "smallint": "0",
        "numeric": "0",
    }
    values = dict(given)
    for column, data_type in cursor.fetchall():
        values.setdefault(column, neutral.get(data_type, "''"))
    return ", ".join(values), ", ".join(values.values())


def _generate(n_accounts: int, n_events: int, log) -> None:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("CREATE TABLE IF NOT EXISTS bench_health_meta (accounts int, events bigint)")
        c.execute("SELECT accounts, events FROM bench_health_meta")
        if c.fetchone() == (n_accounts, n_events):
            log("data: reusing the generated data")
            return
        started = time.perf_counter()
        c.execute(
            "TRUNCATE accounts_account, accounts_contact, accounts_subscription, accounts_supportticket, "
            "accounts_usageevent, accounts_accountdailyusage, health_healthscore, bench_health_meta CASCADE"
        )
        cols, vals = _fill(
            c,
            "accounts_account",
            {
                "external_id": "'bh-' || g",
                "name": "'Bench account ' || g",
                "tier": "(ARRAY['strategic','key','standard','tech_touch'])[1 + g %% 4]",
                "segment": "(ARRAY['Enterprise','Mid-Market','SMB'])[1 + g %% 3]",
                "lifecycle_stage": "'adoption'",
                "currency": "'USD'",
                "mrr": "100 + (g %% 50) * 20",
                "health_band": "''",
            },
        )
        c.execute(
            f"INSERT INTO accounts_account ({cols}) SELECT {vals} FROM generate_series(1, %s) g ORDER BY g",
            [n_accounts],
        )
        c.execute("SELECT min(id) FROM accounts_account")
        first_account = c.fetchone()[0]
        cols, vals = _fill(
            c,
            "accounts_contact",
            {
                "external_id": "'bhc-' || a.id || '-' || k",
                "account_id": "a.id",
                "language": "'en'",
                "created_at": "now() - interval '400 days'",
            },
        )
        c.execute(
            f"INSERT INTO accounts_contact ({cols}) SELECT {vals} "
            "FROM accounts_account a, generate_series(0, 4) k ORDER BY a.id, k"
        )
        c.execute("SELECT min(id) FROM accounts_contact")
        first_contact = c.fetchone()[0]
        cols, vals = _fill(
            c,
            "accounts_subscription",
            {
                "account_id": "id",
                "plan": "'Growth'",
                "mrr": "mrr",
                "currency": "'USD'",
                "seats": "10",
                "start_date": "current_date - 300",
                "end_date": "current_date + (1 + id % 365)::int",
                "is_trial": "false",
            },
        )
        c.execute(f"INSERT INTO accounts_subscription ({cols}) SELECT {vals} FROM accounts_account")
        cols, vals = _fill(
            c,
            "accounts_supportticket",
            {
                "external_id": "'bht-' || id",
                "account_id": "id",
                "opened_at": "now() - interval '3 days'",
                "priority": "'normal'",
                "status": "'open'",
                "escalated": "id % 20 = 0",
            },
        )
        c.execute(f"INSERT INTO accounts_supportticket ({cols}) SELECT {vals} FROM accounts_account WHERE id % 4 = 0")
        log(f"data: {n_accounts:,} accounts, contacts, subscriptions, tickets in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        # Events: account i gets a share that depends on i (some quiet, some busy), spread
        # over the last EVENT_DAYS days, 5 contacts each, 11 event names.
        batch = 2_000_000
        for lo in range(0, n_events, batch):
            hi = min(n_events, lo + batch)
            c.execute(
                """
                INSERT INTO accounts_usageevent (account_id, contact_id, event, occurred_at, properties)
                SELECT %(a0)s + x.acc, %(c0)s + x.acc * 5 + (x.g %% 5),
                       (%(names)s::text[])[1 + ((x.g * 7) %% 11)],
                       now() - make_interval(secs => (x.g * 2654435761 %% (%(days)s * 86400))),
                       '{}'::jsonb
                FROM (SELECT g, ((g * 40503) %% %(n)s) AS acc
                      FROM generate_series(%(lo)s::bigint, %(hi)s::bigint - 1) g) x
                """,
                {
                    "a0": first_account,
                    "c0": first_contact,
                    "names": EVENT_NAMES,
                    "days": EVENT_DAYS,
                    "n": n_accounts,
                    "lo": lo,
                    "hi": hi,
                },
            )
            log(f"data: {hi:,} events")
        c.execute("ANALYZE")
        log(f"data: {n_events:,} events in {time.perf_counter() - started:.1f} s")
        from usage.rollups import usage_rollup_rebuild

        started = time.perf_counter()
        usage_rollup_rebuild(start=(time_now_date() - timedelta(days=EVENT_DAYS + 1)))
        c.execute("ANALYZE accounts_accountdailyusage")
        log(
            f"data: daily rollups built in {time.perf_counter() - started:.1f} s (kept current at ingest in production)"
        )
        c.execute("INSERT INTO bench_health_meta VALUES (%s, %s)", [n_accounts, n_events])


def _vacuum(log) -> None:
    """VACUUM ANALYZE the tables both sides read, as autovacuum keeps them in production (the
    visibility map lets the rollup readers use index-only scans); quick once done."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE accounts_accountdailyusage, accounts_accountdailycontact, accounts_usageevent")
    log(f"data: vacuum analyze in {time.perf_counter() - started:.1f} s")


def time_now_date():
    from django.utils import timezone

    return timezone.now().date()


def _raw_aggregate(day) -> tuple[float, int]:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as c:
        c.execute(
            """
            SELECT account_id,
                   count(DISTINCT (occurred_at AT TIME ZONE 'UTC')::date) FILTER (WHERE occurred_at >= %(recent)s),
                   count(*) FILTER (WHERE occurred_at >= %(recent)s),
                   count(DISTINCT event) FILTER (WHERE occurred_at >= %(recent)s),
                   count(*) FILTER (WHERE occurred_at < %(recent)s)
            FROM accounts_usageevent
            WHERE occurred_at >= %(prev)s AND occurred_at < %(end)s
            GROUP BY account_id
            """,
            {"recent": day - timedelta(days=29), "prev": day - timedelta(days=59), "end": day + timedelta(days=1)},
        )
        rows = len(c.fetchall())
    return time.perf_counter() - started, rows


def _naive(day, ids) -> float:
    """Per account, the ORM way: one query per figure per account."""
    from django.db.models.functions import TruncDate

    from accounts.models import SupportTicket
    from usage.models import UsageEvent

    recent, prev = day - timedelta(days=29), day - timedelta(days=59)
    started = time.perf_counter()
    for account_id in ids:
        events = UsageEvent.objects.filter(
            account_id=account_id, occurred_at__date__gte=prev, occurred_at__date__lte=day
        )
        last30 = events.filter(occurred_at__date__gte=recent)
        last30.annotate(d=TruncDate("occurred_at")).values("d").distinct().count()
        last30.count()
        last30.values("event").distinct().count()
        last30.exclude(contact_id=None).values("contact_id").distinct().count()
        events.filter(occurred_at__date__lt=recent).count()
        SupportTicket.objects.filter(account_id=account_id, resolved_at=None).count()
    return (time.perf_counter() - started) / len(ids)


def _new_weights() -> dict[str, int]:
    """Today's default scorecard: DEFAULT_WEIGHTS and the event measures picked from the events seen."""
    from health.measures import DEFAULT_WEIGHTS
    from health.models import EventMeasure
    from health.recompute import scorecard_default_events_pick
    from health.recompute.plans import DEFAULT_EVENT_WEIGHT
    from health.registry import MEASURES, measures_refresh

    scorecard_default_events_pick()
    measures_refresh()
    weights = {k: w for k, w in DEFAULT_WEIGHTS.items() if k in MEASURES}
    weights.update({em.measure_key: DEFAULT_EVENT_WEIGHT for em in EventMeasure.objects.filter(auto=True)})
    return weights


def _use_measures(weights: dict[str, int]) -> None:
    """Give the default scorecard exactly these measures at their default thresholds."""
    from health.models import Scorecard, ScorecardMeasure
    from health.registry import MEASURES

    default = Scorecard.objects.get(is_default=True)
    ScorecardMeasure.objects.filter(scorecard=default).delete()
    ScorecardMeasure.objects.bulk_create(
        ScorecardMeasure(
            scorecard=default, measure_key=k, weight=w, points=[list(p) for p in MEASURES[k].default_points]
        )
        for k, w in weights.items()
        if k in MEASURES
    )


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def run(args) -> None:
    from django.db import connection

    from bench.setup import peak_rss_mb, ratio

    scale = args.scale
    n_accounts = max(200, int(FULL_ACCOUNTS * scale))
    n_events = max(20_000, int(FULL_EVENTS * scale))
    name = switch_database("health")
    print(
        f"database {name}: {n_accounts:,} accounts, {n_events:,} events over {EVENT_DAYS} days (scale {scale})",
        flush=True,
    )
    _generate(n_accounts, n_events, lambda m: print("  " + m, flush=True))
    _vacuum(lambda m: print("  " + m, flush=True))

    from accounts.models import Account
    from health.models import HealthScore
    from health.services import health_recompute, scorecard_default_ensure, today

    scorecard_default_ensure()
    # Measure health alone: in production the floors above only queue their Celery work on
    # these signals; here (no broker, eager) it would run inline inside the timing.
    from health import signals

    for signal in (signals.scores_recomputed, signals.band_changed):
        signal.receivers = []
        signal.sender_receivers_cache.clear()
    day = today()
    new_weights = _new_weights()
    # The old measure set and the new default alternate on the same data in the same run
    # (ROUNDS times; the best of each): on a shared machine one pair's ratio swings with the
    # load of the moment more than with the code.
    rounds = 1 if getattr(args, "smoke", False) else ROUNDS
    old_runs, new_runs, old_cpu, new_cpu = [], [], [], []
    rss_before = peak_rss_mb()
    for _ in range(rounds):
        for weights, runs, cpu in ((OLD_WEIGHTS, old_runs, old_cpu), (new_weights, new_runs, new_cpu)):
            _use_measures(weights)
            HealthScore.objects.filter(day=day).delete()
            started, started_cpu = time.perf_counter(), time.process_time()
            result = health_recompute(as_of=day)
            runs.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
    rss_peak = peak_rss_mb()
    nightly_old, nightly = min(old_runs), min(new_runs)
    # One account on demand, old set and new default alternating per account (the day's
    # population cached, as after the nightly): wall and this process's CPU time.
    n_one = 15 if getattr(args, "smoke", False) else ONE_N
    every = list(Account.objects.order_by("id").values_list("id", flat=True))
    sample = every[:: max(1, len(every) // n_one)][:n_one]
    one = {"old": ([], []), "new": ([], [])}
    for weights in (OLD_WEIGHTS, new_weights):
        _use_measures(weights)
        health_recompute(as_of=day, account_ids=[sample[0]])  # warm (the population is cached once)
    for i in range(0, len(sample), 10):
        for label, weights in (("old", OLD_WEIGHTS), ("new", new_weights)):
            _use_measures(weights)
            walls, cpus = one[label]
            for account_id in sample[i : i + 10]:
                t, c = time.perf_counter(), time.process_time()
                health_recompute(as_of=day, account_ids=[account_id])
                walls.append(time.perf_counter() - t)
                cpus.append(time.process_time() - c)
    _use_measures(new_weights)
    # Again: the same snapshots are upserted (idempotent), usually warmer.
    started = time.perf_counter()
    health_recompute(as_of=day)
    nightly_again = time.perf_counter() - started

    baseline, baseline_rows = _raw_aggregate(day)

    ids = list(Account.objects.order_by("id").values_list("id", flat=True)[: NAIVE_N * 50 : 50])
    naive_per_account = _naive(day, ids)

    print(
        f"nightly recompute ({len(result.scored):,} accounts): {nightly:.2f} s (again, upsert: {nightly_again:.2f} s)"
    )
    print(
        f"old measure set (before issue 19), nightly: {nightly_old:.2f} s; new default / old: "
        f"{nightly / nightly_old:.2f}x (target <= 1.2x; {len(new_weights)} measures vs {len(OLD_WEIGHTS)}; "
        f"best of {rounds} alternating runs each: old {', '.join(f'{t:.2f}' for t in old_runs)} s, "
        f"new {', '.join(f'{t:.2f}' for t in new_runs)} s)"
    )
    print(
        f"  this process's CPU time (Python; PostgreSQL apart), best: old {min(old_cpu):.2f} s, "
        f"new {min(new_cpu):.2f} s, new / old {min(new_cpu) / min(old_cpu):.2f}x"
    )
    print(f"baseline, one SQL aggregate over the raw events ({baseline_rows:,} accounts): {baseline:.2f} s")
    print(f"ratio baseline / nightly: {ratio(baseline, nightly)} faster (target >= 3x; nightly target < 30 s)")
    print(
        f"naive per-account ORM loop: {naive_per_account * 1000:.1f} ms/account on {len(ids)} accounts "
        f"-> {naive_per_account * n_accounts:.0f} s extrapolated to {n_accounts:,} "
        f"({ratio(naive_per_account * n_accounts, nightly)} the nightly)"
    )
    for label, name in (("new", "new default"), ("old", "old measure set")):
        walls, cpus = one[label]
        print(
            f"one account on demand, {name}: median {statistics.median(walls) * 1000:.1f} ms, "
            f"p95 {_p95(walls) * 1000:.1f} ms over {len(walls)} accounts (process CPU median "
            f"{statistics.median(cpus) * 1000:.1f} ms, p95 {_p95(cpus) * 1000:.1f} ms)"
            + (" (target < 50 ms)" if label == "new" else "")
        )
    print(f"peak memory (process RSS): {rss_peak:.0f} MB (before the recompute {rss_before:.0f} MB; target < 500 MB)")
    connection.close()
