"""Signed, expiring tokens (django.core.signing) for everything a customer clicks or posts
without logging in. Each purpose has its own salt, so a token minted for one use is refused in
another, and its own max age.

- widget: issued by the eligibility check after the identity signature was verified; it names
  the delivery, survey, contact and user id, so the answer needs no lookup to know who it is.
- email: the one-click 0-10 links of a survey email (and the comment page they open).
- link: a personal public-link survey for a known contact.
"""

import base64
import hmac
import json
import time
import zlib
from functools import lru_cache
from hashlib import sha256

from django.conf import settings
from django.core import signing
from django.utils.encoding import force_bytes

__all__ = ["TokenError", "TokenExpired", "make_token", "read_token", "token_max_age"]

SALTS = {"widget": "surveys.widget", "email": "surveys.email", "link": "surveys.link"}
MAX_AGE_SETTINGS = {
    "widget": ("SURVEYS_WIDGET_TOKEN_DAYS", 1),
    "email": ("SURVEYS_EMAIL_TOKEN_DAYS", 30),
    "link": ("SURVEYS_LINK_TOKEN_DAYS", 30),
}


class TokenError(Exception):
    """Forged, tampered or meant for another purpose."""


class TokenExpired(TokenError):
    pass


def token_max_age(purpose: str) -> int:
    """Seconds. Widget tokens live a day (a page session); email and link tokens 30 days."""
    setting, default = MAX_AGE_SETTINGS[purpose]
    return int(getattr(settings, setting, default) * 86400)


def make_token(purpose: str, data: dict) -> str:
    return signing.dumps(data, salt=SALTS[purpose], compress=True)


def read_token(purpose: str, token: str) -> dict:
    if not token or len(token) > 1000:
        raise TokenError("missing or malformed token")
    max_age = token_max_age(purpose)
    data = _read_signed_with_current_key(purpose, token, max_age)
    if data is not None:
        return data
    try:
        data = signing.loads(token, salt=SALTS[purpose], max_age=max_age)
    except signing.SignatureExpired as exc:
        raise TokenExpired("token expired") from exc
    except signing.BadSignature as exc:
        raise TokenError("invalid token") from exc
    if not isinstance(data, dict):
        raise TokenError("invalid token")
    return data


@lru_cache(maxsize=8)
def _hmac_key(salt: str, secret: str | bytes) -> bytes:
    # django.utils.crypto.salted_hmac's key for Signer(salt=salt).signature(value, secret)
    return sha256(force_bytes(salt + "signer") + force_bytes(secret)).digest()


def _read_signed_with_current_key(purpose: str, token: str, max_age: int) -> dict | None:
    """signing.loads(token, salt=SALTS[purpose], max_age=max_age) for the common case, a token
    signed with the current SECRET_KEY and not expired, without building a signer and deriving
    its key again for every request (the widget's answer endpoint reads one per answer). Same
    format, HMAC and comparison as Django's; None whenever it cannot vouch for the token (another
    key, e.g. one of SECRET_KEY_FALLBACKS, a bad or expired signature, anything unexpected), and
    then signing.loads decides and says why (read_token)."""
    value, _, signature = token.rpartition(":")
    payload, _, timestamp = value.rpartition(":")
    if not payload:
        return None
    key = _hmac_key(SALTS[purpose], settings.SECRET_KEY)
    expected = base64.urlsafe_b64encode(hmac.digest(key, value.encode(), "sha256")).rstrip(b"=")
    if not hmac.compare_digest(expected, signature.encode()):
        return None
    try:
        if time.time() - signing.b62_decode(timestamp) > max_age:
            return None
        compressed = payload[:1] == "."
        data = signing.b64_decode(payload[compressed:].encode())
        if compressed:
            data = zlib.decompress(data)
        data = json.loads(data.decode("latin-1"))
    except (ValueError, zlib.error):
        return None
    return data if isinstance(data, dict) else None
