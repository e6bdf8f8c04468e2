"""Signed, expiring tokens (django.core.signing) for everything a customer clicks or posts
without logging in. Each purpose has its own salt, so a token minted for one use is refused in
another, and its own max age.

- widget: issued by the eligibility check after the identity signature was verified; it names
  the delivery, survey, contact and user id, so the answer needs no lookup to know who it is.
- email: the one-click 0-10 links of a survey email (and the comment page they open).
- link: a personal public-link survey for a known contact.
"""

from django.conf import settings
from django.core import signing

__all__ = ["TokenError", "TokenExpired", "make_token", "read_token", "token_max_age"]

SALTS = {"widget": "surveys.widget", "email": "surveys.email", "link": "surveys.link"}


class TokenError(Exception):
    """Forged, tampered or meant for another purpose."""


class TokenExpired(TokenError):
    pass


def token_max_age(purpose: str) -> int:
    """Seconds. Widget tokens live a day (a page session); email and link tokens 30 days."""
    days = {
        "widget": getattr(settings, "SURVEYS_WIDGET_TOKEN_DAYS", 1),
        "email": getattr(settings, "SURVEYS_EMAIL_TOKEN_DAYS", 30),
        "link": getattr(settings, "SURVEYS_LINK_TOKEN_DAYS", 30),
    }[purpose]
    return int(days * 86400)


def make_token(purpose: str, data: dict) -> str:
    return signing.dumps(data, salt=SALTS[purpose], compress=True)


def read_token(purpose: str, token: str) -> dict:
    if not token or len(token) > 1000:
        raise TokenError("missing or malformed token")
    try:
        data = signing.loads(token, salt=SALTS[purpose], max_age=token_max_age(purpose))
    except signing.SignatureExpired as exc:
        raise TokenExpired("token expired") from exc
    except signing.BadSignature as exc:
        raise TokenError("invalid token") from exc
    if not isinstance(data, dict):
        raise TokenError("invalid token")
    return data
