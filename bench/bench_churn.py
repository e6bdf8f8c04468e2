"""The learned churn model and the suggested weights (issue 19, part B), at --scale 1 on
100,000 accounts with 27 weekly snapshots each (26 weeks of history up to today).

Data is generated inside PostgreSQL in a database of its own (<bench db>_churn, kept between
runs for the same scale): accounts, one paid subscription each (~20 % ended on a day of the
last 26 weeks: churned), and weekly snapshots whose measures are four that fade before an
account churns (with different noise) and four that are noise.

Measured in the same run:
- train: churn_model_train (the nightly beat task's work: observations, a held-out fit per
  horizon, the final fit), and scorecard_suggestion (the backtest page's suggestion);
- a day's scoring: churn_risks over every snapshot of today in one vectorised pass, against the
  baseline of churn_risk called once per snapshot (what a per-item loop costs);
- one account on demand: GET /api/v1/health/scores/?account=<id> with a trained model (churn_risk
  and its reasons in the item), against the same request without a model; median of 15.
The nightly recompute does not run the model (churn_risk is computed when read), so it costs the
recompute nothing; bench_health times the recompute itself.
Targets: one account < 50 ms; the vectorised pass >= 3x the per-snapshot loop.
"""

import statistics
import time

from bench.setup import switch_database

FULL_ACCOUNTS = 100_000
WEEKS = 26
CHURN_SHARE = 0.2
SIGNALS = {"usage_frequency": 8, "breadth": 14, "usage_trend": 20, "depth": 26}  # measure -> noise (sd)
NOISE = ["nps", "open_tickets", "csat", "mrr_change"]


def _measures_sql() -> str:
    """jsonb of every measure for one (account, day) row: `fade` (0-45) lowers the signals."""
    parts = []
    for key, noise in SIGNALS.items():
        score = f"greatest(0, least(100, base + {noise} * (random() + random() + random() - 1.5) * 2 - fade))"
        parts.append(f"'{key}', jsonb_build_object('value', round(({score}) / 5), 'score', round({score}))")
    for key in NOISE:
        parts.append(f"'{key}', jsonb_build_object('value', round(random() * 20), 'score', round(random() * 100))")
    return "jsonb_build_object(" + ", ".join(parts) + ")"


def _generate(n_accounts: int, log) -> None:
    from django.db import connection

    from bench.bench_health import _fill
    from health.services import today

    day = today()
    with connection.cursor() as c:
        c.execute("CREATE TABLE IF NOT EXISTS bench_churn_meta (accounts int, day date)")
        c.execute("SELECT accounts, day FROM bench_churn_meta")
        if c.fetchone() == (n_accounts, day):
            log("data: reusing the generated data")
            return
        started = time.perf_counter()
        c.execute(
            "TRUNCATE accounts_account, accounts_subscription, health_healthscore, health_scorecard, "
            "health_churnmodel, bench_churn_meta CASCADE"
        )
        cols, vals = _fill(
            c,
            "accounts_account",
            {
                "external_id": "'bc-' || g",
                "name": "'Churn bench ' || g",
                "tier": "'standard'",
                "segment": "'SMB'",
                "lifecycle_stage": "'adoption'",
                "currency": "'USD'",
                "mrr": "500",
                "health_band": "''",
            },
        )
        c.execute(f"INSERT INTO accounts_account ({cols}) SELECT {vals} FROM generate_series(1, %s) g", [n_accounts])
        cols, vals = _fill(
            c,
            "accounts_subscription",
            {
                "account_id": "a.id",
                "plan": "'Pro'",
                "mrr": "500",
                "currency": "'USD'",
                "seats": "10",
                "start_date": "%(day)s::date - 400",
                "end_date": (
                    "CASE WHEN random() < %(share)s THEN %(day)s::date - (1 + floor(random() * %(span)s))::int END"
                ),
                "is_trial": "false",
                "entitlements": "'{}'::jsonb",
            },
        )
        c.execute(
            f"INSERT INTO accounts_subscription ({cols}) SELECT {vals} FROM accounts_account a",
            {"day": day, "share": CHURN_SHARE, "span": WEEKS * 7},
        )
        c.execute(
            "INSERT INTO health_scorecard (name, tier, segment, is_default, red_below, green_from, created_at, "
            "updated_at, version, note) VALUES ('Default', '', '', true, 40, 70, now(), now(), 1, '') RETURNING id"
        )
        scorecard_id = c.fetchone()[0]
        for key in [*SIGNALS, *NOISE]:
            c.execute(
                "INSERT INTO health_scorecardmeasure (scorecard_id, measure_key, weight, points) "
                "VALUES (%s, %s, %s, '[[0, 0], [100, 100]]'::jsonb)",
                [scorecard_id, key, 20 if key in NOISE else 5],
            )
        c.execute(
            f"""
            INSERT INTO health_healthscore
                (account_id, day, scorecard_id, score, band, computed_score, source, measures, computed_at)
            SELECT r.account_id, r.day, %(sc)s, 50, 'yellow', 50, 'measures', {_measures_sql()}, now()
            FROM (
                SELECT a.id AS account_id, d.day, 40 + (a.id %% 50) AS base,
                       CASE WHEN s.end_date IS NOT NULL AND s.end_date - d.day <= 45
                            THEN 45 - (s.end_date - d.day) ELSE 0 END AS fade
                FROM accounts_account a
                JOIN accounts_subscription s ON s.account_id = a.id
                CROSS JOIN LATERAL (
                    SELECT (%(day)s::date - 7 * w) AS day FROM generate_series(0, %(weeks)s) w
                ) d
                WHERE s.end_date IS NULL OR d.day < s.end_date
            ) r
            """,
            {"sc": scorecard_id, "day": day, "weeks": WEEKS},
        )
        # The stored score: the scorecard's weighted mean of the measure scores.
        weights = {key: (20 if key in NOISE else 5) for key in [*SIGNALS, *NOISE]}
        total = sum(weights.values())
        expr = " + ".join(f"{w} * (measures->'{k}'->>'score')::float" for k, w in weights.items())
        c.execute(
            f"UPDATE health_healthscore SET score = round(({expr}) / {total}), "
            f"computed_score = round(({expr}) / {total})"
        )
        c.execute(
            "UPDATE health_healthscore SET band = CASE WHEN score < 40 THEN 'red' WHEN score >= 70 THEN 'green' "
            "ELSE 'yellow' END"
        )
        c.execute("INSERT INTO bench_churn_meta VALUES (%s, %s)", [n_accounts, day])
        c.execute("SELECT count(*) FROM health_healthscore")
        rows = c.fetchone()[0]
    with connection.cursor() as c:
        c.execute("ANALYZE health_healthscore")
        c.execute("ANALYZE accounts_subscription")
    log(f"data: {rows:,} snapshots generated in {time.perf_counter() - started:.1f} s")


def run(args) -> None:
    from django.db import connection
    from django.test import Client

    from bench.setup import ratio

    n_accounts = max(200, int(FULL_ACCOUNTS * args.scale))
    name = switch_database("churn")
    print(f"database {name}: {n_accounts:,} accounts, {WEEKS + 1} weekly snapshots each (scale {args.scale})")
    _generate(n_accounts, lambda m: print("  " + m, flush=True))

    from core.choices import APIKeyScope
    from core.services import api_key_create
    from health.backtest import churn_model_train, churn_risk, churn_risks, scorecard_suggestion
    from health.models import ChurnModel, HealthScore, Scorecard
    from health.services import today

    day = today()
    ChurnModel.objects.all().delete()
    _, key = api_key_create(name="bench churn", scope=APIKeyScope.READ)
    client = Client(headers={"Authorization": f"Bearer {key}"})
    account_ids = list(
        HealthScore.objects.filter(day=day).order_by("account_id").values_list("account__external_id", flat=True)
    )
    picks = account_ids[:: max(1, len(account_ids) // 15)][:15]

    def one_account_ms() -> float:
        client.get("/api/v1/health/scores/", {"account": picks[0]})  # warm
        times = []
        for external_id in picks:
            t = time.perf_counter()
            response = client.get("/api/v1/health/scores/", {"account": external_id})
            times.append(time.perf_counter() - t)
            assert response.status_code == 200, response.content[:200]
        return statistics.median(times) * 1000

    without_model_ms = one_account_ms()

    started = time.perf_counter()
    model = churn_model_train(as_of=day)
    train_s = time.perf_counter() - started
    started = time.perf_counter()
    suggestion = scorecard_suggestion(scorecard=Scorecard.objects.current().get(is_default=True), as_of=day)
    suggest_s = time.perf_counter() - started

    with_model_ms = one_account_ms()
    body = client.get("/api/v1/health/scores/", {"account": picks[0]}).json()["results"][0]
    assert isinstance(body["churn_risk"], float)

    measures = list(HealthScore.objects.filter(day=day).values_list("measures", flat=True))
    started = time.perf_counter()
    churn_risks(model, measures)
    vector_s = time.perf_counter() - started
    sample = measures[: max(1, min(len(measures), 20_000))]
    started = time.perf_counter()
    for m in sample:
        churn_risk(model, m)
    loop_s = (time.perf_counter() - started) * len(measures) / len(sample)

    per = model.metrics["horizons"]
    aucs = ", ".join(
        f"{h} d {per[h]['auc_test']:.3f} (scorecard {per[h]['auc_scorecard_test']:.3f})"
        if per[h]["auc_test"] is not None
        else f"{h} d n/a ({per[h].get('reason')})"
        for h in ("30", "60", "90")
    )
    print(
        f"train (nightly task: {model.metrics['n_train']:,} observations, 3 held-out fits + 1): {train_s:.2f} s; "
        f"held-out AUC {aucs}"
    )
    print(
        f"suggested weights ({suggestion['n_train']:,} training rows): {suggest_s:.2f} s; held-out AUC "
        f"{suggestion['auc_before']:.3f} -> {suggestion['auc_after']:.3f}, kept {sorted(suggestion['weights'])}"
    )
    print(
        f"a day's churn risk ({len(measures):,} snapshots): vectorised {vector_s * 1000:.0f} ms; baseline one "
        f"snapshot at a time {loop_s * 1000:.0f} ms; ratio {ratio(loop_s, vector_s)} faster (target >= 3x)"
    )
    print(
        f"one account on demand (API, churn_risk in the item): {with_model_ms:.1f} ms median of {len(picks)}; "
        f"baseline without a model {without_model_ms:.1f} ms; ratio {ratio(with_model_ms, without_model_ms)} "
        f"(target < 50 ms)"
    )
    print("nightly recompute: unchanged (the model is not run by the recompute; see bench_health)")
    connection.close()
