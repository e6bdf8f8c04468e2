"""The scorecards a recompute scores with: the default one ensured, all loaded as Plans."""

from django.db import IntegrityError, transaction

from ..measures import DEFAULT_WEIGHTS
from ..models import Scorecard, ScorecardMeasure
from ..registry import MEASURES
from ..scoring import Plan, PlanMeasure

__all__ = ["plans_load", "plans_or_default", "scorecard_default_ensure"]


def scorecard_default_ensure() -> Scorecard:
    """The default scorecard, created with every registered measure at its default
    thresholds and weights when there is none."""
    existing = Scorecard.objects.filter(is_default=True).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            scorecard = Scorecard.objects.create(name="Default", is_default=True)
            ScorecardMeasure.objects.bulk_create(
                ScorecardMeasure(
                    scorecard=scorecard,
                    measure_key=m.key,
                    weight=DEFAULT_WEIGHTS.get(m.key, 10),
                    points=[list(p) for p in m.default_points],
                )
                for m in MEASURES.values()
                if m.default_points
            )
    except IntegrityError:
        # Two first ingests at once (an empty database): the other one created it.
        return Scorecard.objects.get(is_default=True)
    return scorecard


def plans_load() -> list[Plan]:
    """Every current scorecard (retired versions score no more) with its measures, in two queries."""
    measures: dict[int, list[PlanMeasure]] = {}
    for sm in ScorecardMeasure.objects.filter(scorecard__retired_at__isnull=True):
        measures.setdefault(sm.scorecard_id, []).append(
            PlanMeasure(key=sm.measure_key, weight=sm.weight, points=tuple(tuple(p) for p in sm.points))
        )
    return [
        Plan(
            id=sc.id,
            name=sc.name,
            tier=sc.tier,
            segment=sc.segment,
            is_default=sc.is_default,
            red_below=sc.red_below,
            green_from=sc.green_from,
            measures=tuple(measures.get(sc.id, ())),
        )
        for sc in Scorecard.objects.current()
    ]


def plans_or_default(plans: list[Plan] | None) -> list[Plan]:
    """`plans`, or every scorecard's (the default one created first when there is none)."""
    if plans is None:
        plans = plans_load()
        if not plans:
            scorecard_default_ensure()
            plans = plans_load()
    return plans
