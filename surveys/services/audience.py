"""Who a survey may ask: its audience (segment, tier, persona, a deterministic sample), its
trigger and its daily drip. Shared by the widget, the e-mail send and "Email the audience"."""

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta

from ..choices import TriggerType
from ..models import Survey, SurveyDelivery

__all__ = ["audience_filter", "survey_audience_contact_ids"]


def _sampled(survey_id: int, contact_id: int, percent: int) -> bool:
    """Deterministic sampling: a contact is in or out of a survey's sample for good."""
    if percent >= 100:
        return True
    digest = hashlib.sha256(f"{survey_id}:{contact_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < percent


def audience_filter(contacts, survey: Survey):
    """`contacts` narrowed to the survey's audience filters (segment, tier, persona, a shared
    saved view of the portfolio), before sampling: the one definition the send plan, the preview
    count and the widget share."""
    if survey.segments:
        contacts = contacts.filter(account__segment__in=survey.segments)
    if survey.tiers:
        contacts = contacts.filter(account__tier__in=survey.tiers)
    persona_ids = [p.id for p in survey.personas.all()]
    if persona_ids:
        contacts = contacts.filter(persona_id__in=persona_ids)
    if survey.saved_view_id is not None:
        from accounts.saved_views import saved_view_accounts

        view = survey.saved_view
        if view is None or not view.shared:  # unshared since it was chosen: nobody is asked rather than a private list
            return contacts.none()
        contacts = contacts.filter(
            account_id__in=saved_view_accounts(definition=view.definition, user=view.owner).values("pk")
        )
    return contacts


def survey_audience_contact_ids(*, survey: Survey, contact_ids: Iterable[int]) -> set[int]:
    """Contacts of `contact_ids` in the survey's audience (segment, tier, persona, sample). One query."""
    from accounts.models import Contact

    qs = audience_filter(Contact.objects.filter(id__in=list(contact_ids)), survey)
    return {cid for cid in qs.values_list("id", flat=True) if _sampled(survey.id, cid, survey.sample_percent)}


def _drip_left(survey: Survey, now: datetime) -> int | None:
    if not survey.drip_per_day:
        return None
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    sent = SurveyDelivery.objects.filter(survey=survey, sent_at__gte=day_start).count()
    return max(0, survey.drip_per_day - sent)


def _trigger_met(survey: Survey, contact, *, event: str, now: datetime) -> bool:
    if survey.trigger == TriggerType.EVENT:
        if not survey.trigger_event:
            return False
        if event and event == survey.trigger_event:
            return True
        from usage.models import UsageEvent

        return UsageEvent.objects.filter(
            account_id=contact.account_id, contact_id=contact.id, event=survey.trigger_event
        ).exists()
    if survey.trigger == TriggerType.DAYS_AFTER_SIGNUP:
        return contact.created_at <= now - timedelta(days=survey.trigger_days)
    return True
