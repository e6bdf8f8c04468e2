"""Surveys by e-mail: sending one to some contacts (audience, fatigue budget and drip apply),
and the answer by a click on a score in the e-mail or on the comment page after it."""

from collections.abc import Iterable
from datetime import datetime
from typing import cast

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ..choices import Channel, TouchKind
from ..fatigue import fatigue_allowed_contact_ids, fatigue_record_many
from ..models import Survey, SurveyDelivery
from ..tokens import TokenError, read_token
from ..wording import survey_language
from .audience import _drip_left, survey_audience_contact_ids
from .responses import Recorded, response_upsert
from .validation import response_validate

__all__ = ["email_answer", "survey_send"]


def _email_links(token: str, survey: Survey) -> list[tuple[int, str]]:
    low, high = survey.score_range
    base = settings.SITE_URL
    return [(n, base + reverse("surveys:email_click", args=[token, n])) for n in range(low, high + 1)]


def survey_send(
    *, survey: Survey, contact_ids: Iterable[int], channel: str = "email", now: datetime | None = None
) -> dict:
    """Email the survey to those of `contact_ids` in its audience, with an address, whom the
    fatigue budget allows and the drip still has room for. Each email carries the score scale as
    one-click signed links. Returns the counts of sent and skipped contacts."""
    from accounts.models import Contact

    if channel != Channel.EMAIL:
        raise ValueError("survey_send sends by email; widget and link surveys are pulled by the contact")
    now = now or timezone.now()
    wanted = {int(c) for c in contact_ids}
    rows = {
        r["id"]: r
        for r in Contact.objects.filter(id__in=list(wanted))
        .exclude(email="")
        .values("id", "account_id", "email", "name", "language")
    }
    audience = survey_audience_contact_ids(survey=survey, contact_ids=rows.keys())
    allowed = sorted(fatigue_allowed_contact_ids(contact_ids=audience, now=now))
    left = _drip_left(survey, now)
    chosen = allowed if left is None else allowed[:left]
    result = {
        "sent": 0,
        "skipped_no_email": len(wanted) - len(rows),
        "skipped_audience": len(rows) - len(audience),
        "skipped_fatigue": len(audience) - len(allowed),
        "skipped_drip": len(allowed) - len(chosen),
    }
    if not chosen:
        return result
    with transaction.atomic():
        deliveries = SurveyDelivery.objects.bulk_create(
            [
                SurveyDelivery(
                    survey=survey,
                    contact_id=cid,
                    account_id=rows[cid]["account_id"],
                    channel=Channel.EMAIL,
                    language=survey_language(rows[cid]["language"]) or survey.default_language,
                    sent_at=now,
                )
                for cid in chosen
            ]
        )
        fatigue_record_many(
            contacts=[(cid, rows[cid]["account_id"]) for cid in chosen],
            channel=Channel.EMAIL,
            kind=TouchKind.ASKED,
            occurred_at=now,
        )
    from ..sending import survey_email_message

    messages = [
        survey_email_message(
            survey=survey,
            delivery=d,
            email=rows[cast(int, d.contact_id)]["email"],  # e-mail deliveries always name a contact
            name=rows[cast(int, d.contact_id)]["name"],
        )
        for d in deliveries
    ]
    with get_connection() as mail:
        result["sent"] = mail.send_messages(messages) or 0
    return result


def _delivery_for(purpose: str, token: str) -> SurveyDelivery:
    delivery_id = read_token(purpose, token).get("d")
    if delivery_id is None:
        raise TokenError("unknown delivery")
    delivery = SurveyDelivery.objects.select_related("survey", "contact").filter(id=delivery_id).first()
    if delivery is None:
        raise TokenError("unknown delivery")
    return delivery


def email_answer(
    *, token: str, score, comment: str = "", answers: dict | None = None, purpose: str = "email"
) -> tuple[Recorded | None, SurveyDelivery]:
    """A click on a score in the email (or the comment page after it): the first click records,
    a later one changes the same answer. Works as long as the token is valid (30 days)."""
    delivery = _delivery_for(purpose, token)
    survey = delivery.survey
    value, comment, answers = response_validate(
        kind=survey.kind, score=score, comment=comment, answers=answers, follow_ups=survey.follow_ups
    )
    recorded = response_upsert(
        dedupe_key=f"d:{delivery.id}",
        kind=survey.kind,
        score=value,
        comment=comment,
        answers=answers,
        language=delivery.language,
        channel=delivery.channel,
        survey_id=survey.id,
        delivery_id=delivery.id,
        account_id=delivery.account_id,
        contact_id=delivery.contact_id,
    )
    return recorded, delivery
