"""Event-measure writes (the admin's event measures, health.models.EventMeasure): saved
with a unique slug (its measure key `event:<slug>` never changes), deleted together with
the scorecard rows that use it. The measure library follows (health.registry.measures_refresh);
scores follow at the next recompute."""

from django.db import transaction
from django.utils.text import slugify

from ..models import EventMeasure, ScorecardMeasure
from ..registry import measures_refresh

__all__ = ["event_measure_delete", "event_measure_save"]


@transaction.atomic
def event_measure_save(*, measure: EventMeasure) -> EventMeasure:
    """Create or update (validated by EventMeasureForm). A new one gets a slug from its label."""
    if not measure.slug:
        base = slugify(measure.label)[:40] or "events"
        taken = set(EventMeasure.objects.filter(slug__startswith=base).values_list("slug", flat=True))
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        measure.slug = slug
    measure.auto = False if measure.pk is None else measure.auto
    measure.save()
    transaction.on_commit(measures_refresh)
    return measure


@transaction.atomic
def event_measure_delete(*, measure: EventMeasure) -> None:
    """Delete it and take it off every scorecard."""
    ScorecardMeasure.objects.filter(measure_key=measure.measure_key).delete()
    measure.delete()
    transaction.on_commit(measures_refresh)
