"""Scorecard and health-settings writes (the admin pages). Scores follow at the next
recompute: none of these rescores."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import HealthSettings, Scorecard, ScorecardMeasure
from ..recompute import scorecard_default_ensure

__all__ = ["health_settings_update", "scorecard_default_ensure", "scorecard_delete", "scorecard_save"]


@transaction.atomic
def scorecard_save(*, scorecard: Scorecard, measures: Sequence[tuple[str, int, list]]) -> Scorecard:
    """Save the scorecard (validated by its form) with exactly these (measure key, weight,
    points): the others are removed, these created or updated."""
    scorecard.save()
    scorecard.measures.exclude(measure_key__in=[key for key, _, _ in measures]).delete()
    for key, weight, points in measures:
        ScorecardMeasure.objects.update_or_create(
            scorecard=scorecard, measure_key=key, defaults={"weight": weight, "points": points}
        )
    return scorecard


def scorecard_delete(*, scorecard: Scorecard) -> None:
    """Delete a scorecard; its accounts fall back to the next match. Not the default one."""
    if scorecard.is_default:
        raise ValidationError(_("The default scorecard cannot be deleted."))
    if scorecard.version > 1 or scorecard.is_retired:
        raise ValidationError(_("A scorecard with versions is kept with its history; it cannot be deleted."))
    scorecard.delete()


def health_settings_update(*, key_features: list[str], sentiment_stale_days: int) -> HealthSettings:
    obj = HealthSettings.load()
    obj.key_features = list(dict.fromkeys(k.strip() for k in key_features if k.strip()))
    obj.sentiment_stale_days = sentiment_stale_days
    obj.save()
    return obj
