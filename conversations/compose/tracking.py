"""Open and click tracking of e-mails written here, opt-in per e-mail.

The HTML part carries a 1×1 pixel `/t/o/<token>.gif` and each http(s) link becomes
`/t/c/<token>/`: the tokens are signed (`django.core.signing`, one salt each) and name the
message (and, for a click, the original URL), so a forged or altered link is a 404 and the
redirect can only go where the e-mail pointed (never an open redirect). The plain-text part
keeps the original links. Counting is one UPDATE; the first open / click time is kept.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core import signing
from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from ..models import MailMessage

__all__ = ["click_load", "click_record", "html_links_track", "open_load", "open_record", "pixel_url"]

OPEN_SALT = "conversations.tracking.open"
CLICK_SALT = "conversations.tracking.click"
HREF = re.compile(r'href="(https?://[^"]+)"')


def pixel_url(message_id: int) -> str:
    token = signing.dumps(message_id, salt=OPEN_SALT)
    return settings.SITE_URL + reverse("conversations:track_open", args=[token])


def click_url(message_id: int, url: str) -> str:
    token = signing.dumps([message_id, url], salt=CLICK_SALT, compress=True)
    return settings.SITE_URL + reverse("conversations:track_click", args=[token])


def html_links_track(html: str, message_id: int) -> str:
    return HREF.sub(lambda m: f'href="{click_url(message_id, m.group(1).replace("&amp;", "&"))}"', html)


def open_load(token: str) -> int:
    """The message id of a pixel token; raises signing.BadSignature."""
    value = signing.loads(token, salt=OPEN_SALT)
    if not isinstance(value, int):
        raise signing.BadSignature("not a message id")
    return value


def click_load(token: str) -> tuple[int, str]:
    value = signing.loads(token, salt=CLICK_SALT)
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int) and isinstance(value[1], str)):
        raise signing.BadSignature("not a click")
    if not value[1].startswith(("http://", "https://")):
        raise signing.BadSignature("not a web link")
    return value[0], value[1]


def open_record(*, message_id: int) -> bool:
    now = timezone.now()
    return bool(
        MailMessage.objects.filter(pk=message_id, tracking=True).update(
            open_count=F("open_count") + 1, opened_at=Coalesce(F("opened_at"), now)
        )
    )


def click_record(*, message_id: int) -> bool:
    now = timezone.now()
    return bool(
        MailMessage.objects.filter(pk=message_id, tracking=True).update(
            click_count=F("click_count") + 1, clicked_at=Coalesce(F("clicked_at"), now)
        )
    )
