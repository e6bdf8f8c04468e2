"""`churn_risk` and `churn_reasons` on /api/v1/health/scores/: null without a model, the
learned model's probability with one, on a history imported through the API and rebuilt
with `recompute_health --as-of` (not the demo's tables)."""

import random
from datetime import timedelta

import pytest
from django.core.management import call_command

from health.backtest import churn_model_train, churn_risks
from health.backtest.rates import rates_for
from health.models import ChurnModel, HealthScore
from health.services import today
from usage.rollups import usage_rollup_rebuild

pytestmark = pytest.mark.django_db


def _import_history(api_write, api_ingest, *, accounts=36, days=180, seed=3):
    """Accounts, subscriptions and usage events through the API, with their real dates: a
    third of the accounts fade out over the 40 days before their subscription ends."""
    rng = random.Random(seed)
    end = today()
    start = end - timedelta(days=days)
    body = [{"external_id": f"imp-{i}", "name": f"Imported {i}"} for i in range(accounts)]
    assert api_write.post("/api/v1/accounts/", body, format="json").status_code in (200, 201)
    subs, events = [], []
    for i in range(accounts):
        churn = start + timedelta(days=rng.randrange(60, days - 10)) if i % 3 == 0 and days > 80 else None
        subs.append(
            {
                "account": f"imp-{i}",
                "plan": "Pro",
                "mrr": "500.00",
                "start_date": (start - timedelta(days=30)).isoformat(),
                "end_date": churn.isoformat() if churn else None,
                "is_trial": False,
            }
        )
        for offset in range(days):
            day = start + timedelta(days=offset)
            if churn is not None and day >= churn:
                break
            active = 0.8 if churn is None or (churn - day).days > 40 else 0.8 * (churn - day).days / 40
            if rng.random() < active:
                events.append(
                    {
                        "account": f"imp-{i}",
                        "event": "report_created",
                        "occurred_at": f"{day.isoformat()}T10:00:00Z",
                        "message_id": f"m-{i}-{offset}",
                    }
                )
    assert api_write.post("/api/v1/subscriptions/", subs, format="json").status_code in (200, 201)
    response = api_ingest.post("/api/v1/events/bulk", events, format="json")
    assert response.status_code in (200, 201, 202), response.content
    # Ingest queues the rollups' refresh after the commit (never, inside a test's transaction):
    # rebuild them as health_dataset_load does.
    usage_rollup_rebuild(end=end)
    for weeks_back in range(min(25, days // 7), -1, -1):
        call_command("recompute_health", as_of=(end - timedelta(days=7 * weeks_back)).isoformat(), verbosity=0)


def test_churn_risk_is_null_without_a_model(api_read, api_write, api_ingest):
    _import_history(api_write, api_ingest, accounts=6, days=30)
    rows = api_read.get("/api/v1/health/scores/").json()["results"]
    assert rows and all(r["churn_risk"] is None and r["churn_reasons"] == [] for r in rows)


def test_a_model_trained_on_imported_history_scores_the_api(api_read, api_write, api_ingest):
    _import_history(api_write, api_ingest)
    assert HealthScore.objects.values("day").distinct().count() == 26
    model = churn_model_train(as_of=today())
    assert model is not None and ChurnModel.objects.count() == 1
    # Held out on later dates, the model ranks the fading accounts above the others.
    assert model.metrics["horizons"]["30"]["auc_test"] > 0.7, model.metrics["horizons"]["30"]
    rows = api_read.get("/api/v1/health/scores/").json()["results"]
    assert rows and all(isinstance(r["churn_risk"], float) and 0 <= r["churn_risk"] <= 1 for r in rows)
    riskiest = max(rows, key=lambda r: r["churn_risk"])
    assert riskiest["churn_reasons"] and {"measure", "label", "impact", "value"} <= set(riskiest["churn_reasons"][0])
    # The imported events' 30-day rate is a feature; the page joins it as training did.
    assert "rate:report_created__log" in model.features
    snaps = list(HealthScore.objects.filter(day=rows[0]["day"]).select_related("account"))
    expected = dict(zip([s.account.external_id for s in snaps], churn_risks(model, rates_for(snaps)), strict=True))
    assert all(r["churn_risk"] == pytest.approx(expected[r["account"]], abs=1e-4) for r in rows)
