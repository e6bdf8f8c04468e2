"""Demo step "renewals" (after playbooks, before reports): the renewal pipeline over the demo.

The forecast's band rates and track record from the demo's history, then the renewal sweep as
it would have run 120 and 60 days ago and today (so the last months hold renewals closed won and
lost from what the subscriptions did, and the next 120 days the open ones), then what CSMs do
to open renewals: a forecast category from the account's health band, later stages for some,
the CSM's call and a next step; and a few expansion opportunities on healthy accounts.
"""

from datetime import timedelta
from decimal import Decimal

from .context import DemoContext

__all__ = ["renewals_demo_step"]

NEXT_STEPS = [
    "Send the renewal quote",
    "Book the executive review",
    "Confirm seat count with the admin",
    "Walk through the new plan",
    "Get procurement's timeline",
]
CATEGORY_BY_BAND = {
    "green": ("commit", "best_case"),
    "yellow": ("best_case", "pipeline"),
    "red": ("at_risk", "pipeline"),
}


def renewals_demo_step(ctx: DemoContext) -> None:
    from renewals.choices import OpportunityKind, StageKind
    from renewals.models import Opportunity, PipelineStage
    from renewals.services import forecast_track_record_refresh, renewals_sweep

    rng = ctx.rng_for("renewals")
    accuracy = forecast_track_record_refresh(today=ctx.today)
    totals = {"opened": 0, "won": 0, "lost": 0}
    for days_ago in (120, 60, 0):
        result = renewals_sweep(today=ctx.today - timedelta(days=days_ago))
        totals["opened"] += result.opened
        totals["won"] += result.renewed + result.changed + result.reactivated
        totals["lost"] += result.churned
    stages = list(PipelineStage.objects.open())
    open_renewals = list(
        Opportunity.objects.filter(kind=OpportunityKind.RENEWAL, status=StageKind.OPEN)
        .select_related("account")
        .order_by("id")
    )
    for o in open_renewals:
        band = o.account.health_band or "yellow"
        o.category = rng.choice(CATEGORY_BY_BAND.get(band, ("pipeline",)))
        days_left = (o.close_date - ctx.today).days
        # closer renewals are further along
        step = 0 if days_left > 90 else rng.randint(0, min(len(stages) - 1, 1 if days_left > 45 else 3))
        o.stage = stages[step]
        if o.category in ("commit", "best_case"):
            o.call_amount = (o.amount * Decimal(rng.choice(["0.9", "1", "1", "1.1"]))).quantize(Decimal("1"))
        if rng.random() < 0.6:
            o.next_step = rng.choice(NEXT_STEPS)
    Opportunity.objects.bulk_update(open_renewals, ["category", "stage", "call_amount", "next_step"], batch_size=2000)
    healthy = [o for o in open_renewals if o.account.health_band == "green"]
    expansions = [
        Opportunity(
            kind=OpportunityKind.EXPANSION,
            account_id=o.account_id,
            amount=(o.amount * Decimal("0.2")).quantize(Decimal("1")),
            currency=o.currency,
            close_date=ctx.today + timedelta(days=rng.randint(14, 120)),
            stage=stages[rng.randint(0, len(stages) - 1)],
            status=StageKind.OPEN,
            category=rng.choice(["best_case", "pipeline"]),
            owner_id=o.owner_id,
            next_step="Propose the add-on",
        )
        for o in rng.sample(healthy, k=max(0, len(healthy) // 10))
    ]
    Opportunity.objects.bulk_create(expansions, batch_size=2000)
    ctx.log(
        f"renewals: {totals['opened']} renewals opened ({totals['won']} won, {totals['lost']} lost so far), "
        f"{len(expansions)} expansions, track record of {len(accuracy)} quarters"
    )
