"""Demo step (seed_demo): scorecards, key features, ~120 days of history, a churn model."""

from health.models import HealthSettings, Scorecard, ScorecardMeasure
from health.services import health_backfill, scorecard_default_ensure

from .context import DemoContext

BACKFILL_DAYS = 120
# Up to this many accounts the history is daily over all BACKFILL_DAYS; above it, daily for
# the last DAILY_DAYS (7- and 30-day changes, the recent chart) and weekly before (the
# backtest's observation grid, the reports' health trend): ~44 recomputes instead of 120.
DAILY_HISTORY_MAX_ACCOUNTS = 2_000
DAILY_DAYS = 30
DEMO_KEY_FEATURES = [
    "report_created",
    "export_run",
    "automation_run",
    "api_call",
    "alert_configured",
    "integration_connected",
]


def health_demo_step(ctx: DemoContext) -> None:
    HealthSettings.objects.update_or_create(
        pk=1, defaults={"key_features": DEMO_KEY_FEATURES, "sentiment_stale_days": 60}
    )
    default = scorecard_default_ensure()
    if not Scorecard.objects.filter(segment="Enterprise").exists():
        enterprise = Scorecard.objects.create(name="Enterprise", segment="Enterprise", red_below=45, green_from=75)
        weights = {"breadth": 15, "depth": 15, "csm_sentiment": 10, "escalated_tickets": 10}
        ScorecardMeasure.objects.bulk_create(
            ScorecardMeasure(
                scorecard=enterprise,
                measure_key=m.measure_key,
                points=m.points,
                weight=weights.get(m.measure_key, m.weight),
            )
            for m in default.measures.all()
        )
    daily = None if ctx.n_accounts <= DAILY_HISTORY_MAX_ACCOUNTS else DAILY_DAYS
    n = health_backfill(days=BACKFILL_DAYS, end=ctx.today, daily=daily)
    kept = "daily" if daily is None else f"daily for the last {daily}, weekly before"
    ctx.log(f"health: {n:,} snapshots over {BACKFILL_DAYS} days ({kept})")
    from health.backtest import churn_model_train

    model = churn_model_train(as_of=ctx.today)
    if model is not None:
        held_out = model.metrics["horizons"]["30"]["auc_test"]
        shown = f"{held_out:.2f}" if held_out is not None else "n/a (short history)"
        ctx.log(f"health: churn model trained, 30-day held-out AUC {shown}")
