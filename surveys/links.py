"""What guards the customers' survey pages besides the signed tokens of surveys.tokens
(docs/decisions.md, "Public survey forms: no CSRF cookie"):

- The anonymous public form carries a nonce signed into the page, bound to its survey and valid
  SURVEYS_FORM_NONCE_HOURS (2). One nonce is one answer (its dedupe key), so sending the same
  form again changes that answer instead of adding one, and every new answer costs a fresh page.
- The e-mail's one-click links: mail scanners fetch every link of a message, so a GET may only
  record an answer where none exists yet (the first click); a later click changes nothing and
  opens the comment page with its score preselected, where only a POST changes the answer.
"""

import secrets

from django.conf import settings
from django.core import signing

from .models import SurveyDelivery
from .services import Recorded, response_upsert, response_validate
from .tokens import TokenError, read_token

__all__ = [
    "FormNonceExpired",
    "FormNonceInvalid",
    "delivery_for_token",
    "email_click_record",
    "form_nonce_make",
    "form_nonce_read",
]

FORM_SALT = "surveys.public-form"


class FormNonceInvalid(Exception):
    """Forged, or signed for another survey."""


class FormNonceExpired(FormNonceInvalid):
    """Signed for this survey, but the page was served too long ago."""


def form_nonce_max_age() -> int:
    return int(float(getattr(settings, "SURVEYS_FORM_NONCE_HOURS", 2)) * 3600)


def form_nonce_make(*, survey_id: int) -> str:
    return signing.dumps({"s": survey_id, "n": secrets.token_urlsafe(12)}, salt=FORM_SALT)


def form_nonce_read(*, survey_id: int, value: str) -> str:
    """The nonce of a form of this survey's public page; raises FormNonceExpired or FormNonceInvalid."""
    if not value or len(value) > 200:
        raise FormNonceInvalid("missing or malformed")
    try:
        data = signing.loads(value, salt=FORM_SALT, max_age=form_nonce_max_age())
    except signing.SignatureExpired as exc:
        raise FormNonceExpired("expired") from exc
    except signing.BadSignature as exc:
        raise FormNonceInvalid("bad signature") from exc
    if not isinstance(data, dict) or data.get("s") != survey_id or not isinstance(data.get("n"), str):
        raise FormNonceInvalid("not for this survey")
    return data["n"]


def delivery_for_token(purpose: str, token: str) -> SurveyDelivery:
    """The delivery a signed e-mail or personal-link token names; raises TokenError (TokenExpired)."""
    data = read_token(purpose, token)
    delivery = SurveyDelivery.objects.select_related("survey").filter(id=data.get("d")).first()
    if delivery is None:
        raise TokenError("unknown delivery")
    return delivery


def email_click_record(*, token: str, score) -> tuple[Recorded | None, SurveyDelivery]:
    """A click on a score link of the survey e-mail (a GET): records the score when the delivery
    has no answer yet and returns it; returns None for the answer when one exists, which stays
    as it is (a scanner's or a repeated click). Raises TokenError, ValidationError (score)."""
    delivery = delivery_for_token("email", token)
    survey = delivery.survey
    value, _, _ = response_validate(kind=survey.kind, score=score)
    recorded = response_upsert(
        dedupe_key=f"d:{delivery.id}",
        kind=survey.kind,
        score=value,
        language=delivery.language,
        channel=delivery.channel,
        survey_id=survey.id,
        delivery_id=delivery.id,
        account_id=delivery.account_id,
        contact_id=delivery.contact_id,
        insert_only=True,
    )
    return recorded, delivery
