"""Who of a survey's audience to e-mail now, and why not the others: the audience in keyset
chunks and the plan of one chunk (sample, fatigue budget, e-mail address, drip). Reads only;
shared by the preview (`sending.preview`) and the send job (`sending.jobs`)."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from ..choices import SkipReason
from ..fatigue import fatigue_check_rows
from ..models import Survey

__all__ = ["ChunkPlan"]


def _audience_queryset(survey: Survey):
    """Contacts matching the survey's audience filters (segment, tier, persona), before sampling."""
    from accounts.models import Contact

    from ..services.audience import audience_filter

    return audience_filter(Contact.objects.all(), survey)


def _audience_chunk(survey: Survey, *, after_id: int, limit: int) -> list:
    """The next `limit` contacts of the audience after `after_id`: rows with id, account_id,
    email, language."""
    return list(
        _audience_queryset(survey)
        .filter(id__gt=after_id)
        .order_by("id")
        .values_list("id", "account_id", "email", "language", named=True)[:limit]
    )


@dataclass
class ChunkPlan:
    audience: int = 0
    ask: list = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)


def _plan_chunk(
    survey: Survey, rows: list, *, now: datetime, drip_left: int | None, places_taken: dict | None = None
) -> ChunkPlan:
    """Who of these audience rows (contact id order) to e-mail now, and why not the others:
    the sample, then the fatigue budget (recontact window, account cap), an e-mail address,
    the drip. Reads only."""
    from ..services.audience import _sampled

    plan = ChunkPlan()
    sampled = [r for r in rows if _sampled(survey.id, r.id, survey.sample_percent)]
    plan.audience = len(sampled)
    if not sampled:
        return plan
    # the chunk's contacts as a subquery (an id range of the audience), not a list of ids
    contacts = _audience_queryset(survey).filter(id__gte=rows[0].id, id__lte=rows[-1].id)
    check = fatigue_check_rows(
        contacts=contacts, rows=[(r.id, r.account_id) for r in sampled], now=now, places_taken=places_taken
    )
    plan.skipped[SkipReason.RECENTLY_ASKED] += len(check.recent)
    plan.skipped[SkipReason.ACCOUNT_CAP] += len(check.capped)
    allowed = [r for r in sampled if r.id in check.allowed]
    with_email = [r for r in allowed if r.email]
    plan.skipped[SkipReason.NO_EMAIL] += len(allowed) - len(with_email)
    plan.ask = with_email if drip_left is None else with_email[: max(0, drip_left)]
    plan.skipped[SkipReason.DRIP] += len(with_email) - len(plan.ask)
    return plan
