"""Surveys by public link: a personal link for a known contact, and the answer on the survey's
public page (anonymous, or the contact's)."""

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ..choices import Channel
from ..models import Survey, SurveyDelivery
from ..tokens import make_token
from ..wording import survey_language
from .responses import Recorded, edit_window, response_upsert
from .validation import response_validate

__all__ = ["link_answer", "survey_link_for_contact"]


def survey_link_for_contact(*, survey: Survey, contact, now: datetime | None = None) -> str:
    """A personal public-link URL for a known contact (its answer is stored against them)."""
    delivery = SurveyDelivery.objects.create(
        survey=survey,
        contact=contact,
        account_id=contact.account_id,
        channel=Channel.LINK,
        language=survey_language(contact.language) or survey.default_language,
        sent_at=now or timezone.now(),
    )
    token = make_token("link", {"d": delivery.id})
    return settings.SITE_URL + reverse("surveys:public_link", args=[survey.public_slug]) + f"?t={token}"


def link_answer(
    *, survey: Survey, nonce: str, score, comment: str = "", answers: dict | None = None, language: str = "en"
) -> Recorded | None:
    """An anonymous answer on the survey's public page; `nonce` (signed into the form) makes a
    re-submission of the same form change the answer instead of adding one."""
    value, comment, answers = response_validate(
        kind=survey.kind, score=score, comment=comment, answers=answers, follow_ups=survey.follow_ups
    )
    return response_upsert(
        dedupe_key=f"l:{survey.id}:{nonce}",
        kind=survey.kind,
        score=value,
        comment=comment,
        answers=answers,
        language=survey_language(language) or survey.default_language,
        channel=Channel.LINK,
        survey_id=survey.id,
        locked_after=edit_window(),
    )
