"""The scorecards a recompute scores with: the default one ensured, all loaded as Plans."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Account
from usage.models import AccountDailyUsage

from ..measures import DEFAULT_WEIGHTS
from ..models import EventMeasure, EventMeasureKind, HealthSettings, Scorecard, ScorecardMeasure
from ..registry import MEASURES, measures_refresh
from ..scoring import Plan, PlanMeasure
from ..sql.activity import RECENT_DAYS, event_names_seen

__all__ = [
    "DEFAULT_EVENT_MEASURES",
    "DEFAULT_EVENT_WEIGHT",
    "plans_load",
    "plans_or_default",
    "scorecard_default_ensure",
    "scorecard_default_events_pick",
]

DEFAULT_EVENT_MEASURES = 3  # event names the default scorecard picks from the events seen
DEFAULT_EVENT_WEIGHT = 10
PICK_SAMPLE = 2000  # accounts whose rollups name the events seen


def scorecard_default_ensure() -> Scorecard:
    """The default scorecard, created with the registered measures of DEFAULT_WEIGHTS at
    their default thresholds and weights when there is none (then its event measures, once
    events exist: scorecard_default_events_pick)."""
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
                    weight=DEFAULT_WEIGHTS[m.key],
                    points=[list(p) for p in m.default_points],
                )
                for m in MEASURES.values()
                if m.default_points and m.key in DEFAULT_WEIGHTS
            )
    except IntegrityError:
        # Two first ingests at once (an empty database): the other one created it.
        return Scorecard.objects.get(is_default=True)
    scorecard_default_events_pick()
    return scorecard


def scorecard_default_events_pick(*, top: int = DEFAULT_EVENT_MEASURES) -> list[EventMeasure]:
    """Once, when events exist: give the default scorecard an event measure (a 30-day count
    ranked within the segment) for each of the `top` event names used by the most accounts
    over the last 30 days with data (a sample of PICK_SAMPLE accounts). Later calls do
    nothing (HealthSettings.default_events_picked_at), so an admin's edits stay."""
    settings = HealthSettings.load()
    default = Scorecard.objects.filter(is_default=True).first()
    if settings.default_events_picked_at is not None or default is None:
        return []
    last = AccountDailyUsage.objects.aggregate(last=Max("day"))["last"]
    if last is None:
        return []
    ids = list(Account.objects.order_by("id").values_list("id", flat=True))
    if len(ids) > PICK_SAMPLE:
        step = len(ids) / PICK_SAMPLE
        ids = [ids[int(k * step)] for k in range(PICK_SAMPLE)]
    seen = event_names_seen(account_ids=ids, start=last - timedelta(days=RECENT_DAYS - 1), end=last)
    picked = []
    with transaction.atomic():
        for name, _accounts, _events in seen:
            if len(picked) >= top:
                break
            if "__" in name or not slugify(name):
                continue
            slug = _free_slug(slugify(name)[:40])
            em = EventMeasure.objects.create(
                slug=slug, label=name, event_names=[name], kind=EventMeasureKind.COUNT, calibrated=True, auto=True
            )
            ScorecardMeasure.objects.get_or_create(
                scorecard=default,
                measure_key=em.measure_key,
                defaults={"weight": DEFAULT_EVENT_WEIGHT, "points": [[0, 0], [100, 100]]},
            )
            picked.append(em)
        settings.default_events_picked_at = timezone.now()
        settings.save(update_fields=["default_events_picked_at"])
    measures_refresh()
    return picked


def _free_slug(base: str) -> str:
    taken = set(EventMeasure.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def plans_load() -> list[Plan]:
    """Every current scorecard (retired versions score no more) with its measures, in two
    queries (and one for the measures defined as data, health.registry.measures_refresh)."""
    measures_refresh()
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
