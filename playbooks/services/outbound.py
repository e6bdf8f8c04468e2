"""Outbound posts (webhook and chat actions): POST the payload, record the answer."""

from __future__ import annotations

import http.client
import json

from django.utils import timezone
from django.utils.translation import gettext as _

from core.outbound_http import OutboundRefused, outbound_post

from ..choices import PostStatus
from ..models import OutboundPost

__all__ = [
    "outbound_post_send",
]


def outbound_post_send(*, post_id: int, timeout: float = 10.0) -> bool:
    """POST the payload as JSON. Returns True when delivered (2xx); raises on a transient error
    so the Celery task retries; a 4xx is final."""
    post = OutboundPost.objects.filter(pk=post_id).first()
    if post is None or post.status == PostStatus.SENT:
        return False
    body = json.dumps(post.payload).encode()
    OutboundPost.objects.filter(pk=post_id).update(attempts=post.attempts + 1)
    try:
        # core.outbound_http: public addresses only (checked now, connected to as checked), no redirects.
        response = outbound_post(
            post.url,
            body=body,
            headers={"Content-Type": "application/json", "User-Agent": "csplatform"},
            timeout=timeout,
        )
    except OutboundRefused as exc:  # final: retrying would be refused again
        OutboundPost.objects.filter(pk=post_id).update(status=PostStatus.FAILED, error=f"Refused: {exc}"[:2000])
        return False
    except (TimeoutError, OSError, http.client.HTTPException) as exc:
        OutboundPost.objects.filter(pk=post_id).update(error=str(exc)[:2000])
        raise
    code = response.status
    if code >= 500:
        OutboundPost.objects.filter(pk=post_id).update(response_code=code, error=f"HTTP {code}")
        raise OSError(f"HTTP {code}")
    if 300 <= code < 400:
        error = _("Redirect (HTTP %(status)s) to %(location)s not followed: use the final URL instead.") % {
            "status": code,
            "location": response.location or "?",
        }
        OutboundPost.objects.filter(pk=post_id).update(status=PostStatus.FAILED, response_code=code, error=error)
        return False
    if 200 <= code < 300:
        OutboundPost.objects.filter(pk=post_id).update(
            status=PostStatus.SENT, response_code=code, sent_at=timezone.now(), error=""
        )
        return True
    OutboundPost.objects.filter(pk=post_id).update(status=PostStatus.FAILED, response_code=code, error=f"HTTP {code}")
    return False
