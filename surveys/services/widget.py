"""The embedded widget's writes: who is shown which survey now (eligibility, which spends the
contact's fatigue budget), the answer by the delivery's signed token, and a dismissal."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from ..choices import Channel, DeliveryStatus, TouchKind
from ..fatigue import fatigue_allowed_contact_ids, fatigue_record
from ..models import Survey, SurveyDelivery, SurveyWorkspace
from ..tokens import TokenError, make_token, read_token
from ..wording import survey_language
from .audience import _drip_left, _trigger_met, survey_audience_contact_ids
from .responses import Recorded, edit_window, response_upsert
from .validation import response_validate

__all__ = [
    "AlreadyAnswered",
    "IdentityInvalid",
    "delivery_dismiss",
    "widget_answer",
    "widget_eligibility",
    "widget_identify",
]


class IdentityInvalid(Exception):
    """The widget's user id and HMAC signature do not match (forged or for another user)."""


class AlreadyAnswered(Exception):
    """The delivery's answer can no longer be changed (edit window over, or it was dismissed)."""


def widget_identify(*, workspace: SurveyWorkspace, user_id: str, user_hash: str) -> None:
    if not workspace.verify_user(str(user_id or ""), str(user_hash or "")):
        raise IdentityInvalid("user_hash does not match user_id")


def widget_eligibility(
    *, workspace: SurveyWorkspace, user_id: str, language: str = "", event: str = "", now: datetime | None = None
) -> dict | None:
    """The survey to show this (verified) user now, or None. A widget delivery that was shown in
    the last day and neither answered nor dismissed is shown again (a reload must not lose it);
    otherwise fatigue, audience, trigger, schedule and drip decide, and showing spends the
    contact's budget ("asked")."""
    from accounts.models import Contact

    from ..selectors import deliveries_pending_widget

    now = now or timezone.now()
    contact = Contact.objects.filter(external_id=user_id).first()
    if contact is None:
        return None
    surveys = list(workspace.surveys.live(now).prefetch_related("personas").order_by("id"))
    if not surveys:
        return None
    pending = (
        deliveries_pending_widget(
            contact_id=contact.id, survey_ids=[s.id for s in surveys], since=now - timedelta(days=1)
        )
        .order_by("-sent_at")
        .first()
    )
    if pending is not None:
        survey = next(s for s in surveys if s.id == pending.survey_id)
        return _widget_offer(workspace, survey, contact, pending, user_id)
    if contact.id not in fatigue_allowed_contact_ids(contact_ids=[contact.id], now=now):
        return None
    lang = survey_language(language) or survey_language(contact.language)
    for survey in surveys:
        if contact.id not in survey_audience_contact_ids(survey=survey, contact_ids=[contact.id]):
            continue
        if not _trigger_met(survey, contact, event=event, now=now):
            continue
        left = _drip_left(survey, now)
        if left is not None and left <= 0:
            continue
        delivery = SurveyDelivery.objects.create(
            survey=survey,
            contact=contact,
            account_id=contact.account_id,
            channel=Channel.WIDGET,
            language=lang or survey.default_language,
            sent_at=now,
        )
        fatigue_record(
            contact_id=contact.id,
            channel=Channel.WIDGET,
            kind=TouchKind.ASKED,
            account_id=contact.account_id,
            occurred_at=now,
        )
        return _widget_offer(workspace, survey, contact, delivery, user_id)
    return None


def _widget_offer(workspace, survey: Survey, contact, delivery: SurveyDelivery, user_id: str) -> dict:
    token = make_token(
        "widget",
        {
            "d": delivery.id,
            "s": survey.id,
            "k": survey.kind,
            "c": contact.id,
            "a": contact.account_id,
            "u": str(user_id),
            "w": workspace.id,
            "l": delivery.language,
        },
    )
    return {"survey": survey, "delivery": delivery, "token": token}


def widget_answer(
    *,
    workspace: SurveyWorkspace,
    token: str,
    user_id: str,
    score,
    comment: str = "",
    answers: dict | None = None,
    now: datetime | None = None,
) -> tuple[Recorded, Survey, str]:
    """Record (or, within the edit window, change) the answer of the delivery the token names.
    Returns (recorded, survey, language). Raises TokenError, ValidationError, AlreadyAnswered."""
    from ..selectors import survey_cached

    data = read_token("widget", token)
    if data.get("w") != workspace.id or data.get("u") != str(user_id):
        raise TokenError("token belongs to another user or workspace")
    survey = survey_cached(data["s"])
    if survey is None:
        raise TokenError("survey no longer exists")
    value, comment, answers = response_validate(
        kind=data["k"], score=score, comment=comment, answers=answers, follow_ups=survey.follow_ups
    )
    recorded = response_upsert(
        dedupe_key=f"d:{data['d']}",
        kind=data["k"],
        score=value,
        comment=comment,
        answers=answers,
        language=data.get("l") or "en",
        channel=Channel.WIDGET,
        survey_id=survey.id,
        delivery_id=data["d"],
        account_id=data.get("a"),
        contact_id=data["c"],
        locked_after=edit_window(),
        now=now,
    )
    if recorded is None:
        raise AlreadyAnswered("this survey was already answered")
    return recorded, survey, data.get("l") or "en"


def delivery_dismiss(*, workspace: SurveyWorkspace, token: str, user_id: str, now: datetime | None = None) -> None:
    """The contact closed the widget without answering: that spends the budget too."""
    data = read_token("widget", token)
    if data.get("w") != workspace.id or data.get("u") != str(user_id):
        raise TokenError("token belongs to another user or workspace")
    now = now or timezone.now()
    with transaction.atomic():
        changed = SurveyDelivery.objects.filter(id=data["d"], status=DeliveryStatus.SENT, response__isnull=True).update(
            status=DeliveryStatus.DISMISSED
        )
        if not changed:
            raise AlreadyAnswered("this survey was already answered or dismissed")
        fatigue_record(
            contact_id=data["c"],
            channel=Channel.WIDGET,
            kind=TouchKind.DISMISSED,
            account_id=data.get("a"),
            occurred_at=now,
        )
