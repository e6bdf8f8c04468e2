"""Scorecard versions: new weights become a new version of the scorecard (the old one
retired, kept read-only with its snapshots), e.g. the backtest's suggested weights applied
by an admin in one click. Scores follow at the next recompute."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..backtest import SUGGEST_HORIZON, scorecard_suggestion
from ..models import Scorecard, ScorecardMeasure

__all__ = ["scorecard_suggestion_apply", "scorecard_version_create"]


@transaction.atomic
def scorecard_version_create(
    *, scorecard: Scorecard, weights: dict[str, int], author=None, note: str = "", expected_version: int | None = None
) -> Scorecard:
    """Retire `scorecard` and create its next version with these weights (measures left out
    or at 0 are dropped; thresholds, scope and band edges carried over). `expected_version`:
    refuse when the scorecard moved on meanwhile (a second click, another admin)."""
    locked = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if locked.is_retired or (expected_version is not None and locked.version != expected_version):
        raise ValidationError(
            _("“%(name)s” has changed meanwhile: version %(version)s is not the current one.")
            % {"name": locked.name, "version": expected_version or locked.version}
        )
    measures = {m.measure_key: m for m in locked.measures.all()}
    unknown = sorted(set(weights) - set(measures))
    if unknown:
        raise ValidationError(_("Not a measure of this scorecard: %(keys)s.") % {"keys": ", ".join(unknown)})
    if any(not 0 <= w <= 100 for w in weights.values()):
        raise ValidationError(_("Weights must be between 0 and 100."))
    kept = {k: int(w) for k, w in weights.items() if w > 0}
    if not kept:
        raise ValidationError(_("Keep at least one measure with a weight above 0."))
    was_default = locked.is_default
    locked.retired_at = timezone.now()
    locked.is_default = False
    locked.save(update_fields=["retired_at", "is_default", "updated_at"])
    new = Scorecard.objects.create(
        name=locked.name,
        tier=locked.tier,
        segment=locked.segment,
        is_default=was_default,
        red_below=locked.red_below,
        green_from=locked.green_from,
        version=locked.version + 1,
        first_version_id=locked.first_version_id or locked.pk,
        note=note[:500],
        created_by=author,
    )
    for key, weight in kept.items():  # one save each: the audit trail (core.audit) records every measure
        ScorecardMeasure.objects.create(scorecard=new, measure_key=key, weight=weight, points=measures[key].points)
    return new


def scorecard_suggestion_apply(
    *, scorecard: Scorecard, as_of: date, author=None, expected_version: int | None = None
) -> Scorecard:
    """Recompute the backtest's suggestion for `scorecard` (never trusting weights sent by a
    browser) and apply it as a new version, with the held-out AUCs in its note."""
    suggestion = scorecard_suggestion(scorecard=scorecard, as_of=as_of, horizon=SUGGEST_HORIZON)
    if not suggestion["weights"]:
        raise ValidationError(_("The history suggests no weights for this scorecard yet."))
    dropped = [m["key"] for m in suggestion["measures"] if m["dropped"]]
    before, after = suggestion["auc_before"], suggestion["auc_after"]
    note = _("Suggested weights applied (%(horizon)s-day churn). Held-out AUC %(before)s → %(after)s.") % {
        "horizon": SUGGEST_HORIZON,
        "before": f"{before:.2f}" if before is not None else "—",
        "after": f"{after:.2f}" if after is not None else "—",
    }
    if dropped:
        note += " " + _("Dropped: %(keys)s.") % {"keys": ", ".join(dropped)}
    return scorecard_version_create(
        scorecard=scorecard,
        weights=suggestion["weights"],
        author=author,
        note=note,
        expected_version=expected_version,
    )
