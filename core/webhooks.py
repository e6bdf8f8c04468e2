"""Outbound webhooks: tell other tools what happened here.

`webhook_emit(event=..., payload=...)` is the one entry point. Inside the caller's transaction
it writes one `WebhookDelivery` per endpoint subscribed to the event; when that transaction
commits, a Celery task POSTs each one. A failed attempt (network error, timeout, non-2xx) is
retried with exponential backoff (BACKOFF_SECONDS) up to MAX_ATTEMPTS; every attempt's outcome
stays on the delivery row, visible on /team/webhooks/.

Each POST carries:

    Content-Type: application/json
    X-Webhook-Event: health.band_changed
    X-Webhook-Delivery: 1234                      (same id on every retry: dedupe on it)
    X-Webhook-Signature: t=1763800000,v1=<hex>    (HMAC-SHA256 of "<t>.<raw body>" with the endpoint's secret)

and the body `{"id": 1234, "event": "...", "created_at": "...", "data": {...payload}}`.
`webhook_signature_verify` shows a receiver how to check it.

URLs go only to public addresses (core.outbound_http): checked when an endpoint is saved and
again at each attempt, which connects to the address it checked and never follows a redirect
(a 3xx is a failed attempt that says where it pointed).
"""

import hashlib
import hmac
import http.client
import json
import secrets
import time
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import User, WebhookDelivery, WebhookEndpoint
from .outbound_http import OutboundRefused, outbound_post, outbound_url_check

__all__ = [
    "BACKOFF_SECONDS",
    "MAX_ATTEMPTS",
    "SIGNATURE_HEADER",
    "WEBHOOK_EVENTS",
    "register_webhook_event",
    "webhook_delivery_attempt",
    "webhook_delivery_retry",
    "webhook_emit",
    "webhook_endpoint_create",
    "webhook_endpoint_update",
    "webhook_event_choices",
    "webhook_ping",
    "webhook_retry_due",
    "webhook_sign",
    "webhook_signature_verify",
]

# The events the apps emit (contracts.md B), name -> what it means. The app that emits an
# event registers it in its AppConfig.ready() (`register_webhook_event`), so core never names
# an upper app's news. An endpoint may also subscribe to "*".
WEBHOOK_EVENTS: dict[str, str] = {}


def register_webhook_event(name: str, description: str) -> None:
    """Make `name` an event endpoints may subscribe to and `webhook_emit` may send."""
    if name == "*" or not name.strip():
        raise ValueError(f"invalid webhook event name {name!r}")
    WEBHOOK_EVENTS[name] = description


def webhook_event_choices() -> list[tuple[str, str]]:
    """The subscription choices of an endpoint form: "*" then every registered event."""
    return [("*", _("All events")), *((name, name) for name in WEBHOOK_EVENTS)]


SIGNATURE_HEADER = "X-Webhook-Signature"
# Wait before attempt 2, 3, ...: 30 s, 2 min, 10 min, 30 min, 2 h. Six attempts in all.
BACKOFF_SECONDS = (30, 120, 600, 1800, 7200)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
TIMEOUT_SECONDS = 10
# The whole attempt (connect, send, status, headers, the first 2,000 bytes of the answer): a
# receiver that trickles its answer fails the attempt instead of holding a worker for hours.
DEADLINE_SECONDS = 15
# An attempt in flight holds the delivery this long so that a concurrent sweep does not send it twice.
LEASE = timedelta(seconds=DEADLINE_SECONDS * 2)
# A retry that Celery brings back a moment before it is due still counts as due (a countdown is
# rounded, clocks differ by milliseconds): otherwise it would be dropped until the beat sweep.
EARLY = timedelta(seconds=2)
SIGNATURE_TOLERANCE_SECONDS = 300


# Section: endpoints


def _clean_events(events: list[str]) -> list[str]:
    events = sorted({e.strip() for e in events if e and e.strip()})
    unknown = [e for e in events if e != "*" and e not in WEBHOOK_EVENTS]
    if unknown:
        raise ValueError(f"unknown events: {', '.join(unknown)}")
    if not events:
        raise ValueError("choose at least one event")
    return events


def webhook_endpoint_create(
    *, url: str, events: list[str], secret: str = "", description: str = "", created_by: User | None = None
) -> WebhookEndpoint:
    """Register an endpoint. Without a secret, a random one is generated (shown on the page).

    Raises OutboundRefused (a ValueError) for a URL on an internal address (core.outbound_http)."""
    outbound_url_check(url)
    return WebhookEndpoint.objects.create(
        url=url,
        events=_clean_events(events),
        secret=secret or "whsec_" + secrets.token_urlsafe(24),
        description=description,
        created_by=created_by,
    )


def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, url: str, events: list[str], description: str, is_active: bool, secret: str = ""
) -> WebhookEndpoint:
    outbound_url_check(url)
    endpoint.url = url
    endpoint.events = _clean_events(events)
    endpoint.description = description
    endpoint.is_active = is_active
    fields = ["url", "events", "description", "is_active"]
    if secret:
        endpoint.secret = secret
        fields.append("secret")
    endpoint.save(update_fields=fields)
    return endpoint


# Section: emitting


def webhook_emit(*, event: str, payload: dict) -> None:
    """Queue a signed delivery of `payload` to every active endpoint subscribed to `event`.

    Runs inside the caller's transaction: if it rolls back, nothing is sent. The HTTP calls
    happen after commit, in Celery (inline in the embedded mode)."""
    if event not in WEBHOOK_EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    # Normalise dates, decimals and UUIDs now, so the stored payload is exactly what is sent.
    data = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    endpoints = [e for e in WebhookEndpoint.objects.filter(is_active=True) if e.wants(event)]
    if not endpoints:
        return
    deliveries = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(endpoint=e, event=event, payload=data) for e in endpoints]
    )
    ids = [d.pk for d in deliveries]
    if None in ids:  # backends that do not return ids from bulk_create
        ids = list(
            WebhookDelivery.objects.filter(endpoint__in=endpoints, event=event, attempts=0)
            .order_by("-id")
            .values_list("id", flat=True)[: len(endpoints)]
        )
    transaction.on_commit(lambda: _enqueue(ids))


def _enqueue(ids: list[int]) -> None:
    """Hand the deliveries to whoever sends them, never the caller: the worker's "webhooks" queue,
    or in the embedded mode (no broker) the process's own sender thread (core.webhook_sender),
    so a slow receiver never holds a web request."""
    from .webhook_sender import webhook_send_later

    webhook_send_later(ids)


# Section: signing


def webhook_sign(*, secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The X-Webhook-Signature header value for `body`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def webhook_signature_verify(
    *, secret: str, body: bytes, header: str, tolerance: int = SIGNATURE_TOLERANCE_SECONDS, now: int | None = None
) -> bool:
    """What a receiver does: recompute the HMAC over "<t>.<body>", compare in constant time and
    refuse old timestamps (replays)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        received = parts["v1"]
    except (ValueError, KeyError):
        return False
    now = int(time.time()) if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, received)


# Section: delivering


def _claim(delivery_id: int, now) -> bool:
    """Take the delivery for one attempt, unless it is done or someone else is on it."""
    return bool(
        WebhookDelivery.objects.filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + EARLY),
            pk=delivery_id,
            status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING],
        ).update(next_attempt_at=now + LEASE, last_attempt_at=now)
    )


def _post(delivery: WebhookDelivery) -> tuple[int | None, str, str]:
    """POST once; returns (HTTP status or None, response body, error)."""
    body = json.dumps(
        {
            "id": delivery.pk,
            "event": delivery.event,
            "created_at": delivery.created_at.isoformat(),
            "data": delivery.payload,
        },
        separators=(",", ":"),
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "PulseCS-Webhooks/1.0",
        "X-Webhook-Event": delivery.event,
        "X-Webhook-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: webhook_sign(secret=delivery.endpoint.secret, body=body),
    }
    try:
        response = outbound_post(
            delivery.endpoint.url, body=body, headers=headers, timeout=TIMEOUT_SECONDS, deadline=DEADLINE_SECONDS
        )
    except OutboundRefused as exc:
        return None, "", _("Refused: %(reason)s") % {"reason": exc}
    except (TimeoutError, OSError, ValueError, http.client.HTTPException) as exc:
        return None, "", f"{type(exc).__name__}: {exc}"
    if 300 <= response.status < 400:
        reason = _("Redirect (HTTP %(status)s) to %(location)s not followed: register the final URL instead.") % {
            "status": response.status,
            "location": response.location or "?",
        }
        return response.status, response.body, reason
    if not 200 <= response.status < 300:
        return response.status, response.body, f"HTTP {response.status}"
    return response.status, response.body, ""


def webhook_delivery_attempt(*, delivery_id: int) -> WebhookDelivery | None:
    """Make one attempt if the delivery is due; record the outcome and when to try next.

    Returns the delivery (status delivered / retrying / failed), or None when there was
    nothing to do (already delivered, failed for good, or not due yet): safe to call twice."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    status_code, body, error = _post(delivery)
    delivery.attempts += 1
    delivery.response_status = status_code
    delivery.response_body = body
    delivery.error = error
    if status_code is not None and 200 <= status_code < 300:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.status = WebhookDelivery.Status.RETRYING
        delivery.next_attempt_at = timezone.now() + timedelta(seconds=BACKOFF_SECONDS[delivery.attempts - 1])
    delivery.save(
        update_fields=[
            "attempts",
            "response_status",
            "response_body",
            "error",
            "status",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    return delivery


def webhook_delivery_retry(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """An admin's "retry now": one more attempt right away, even after the last automatic one."""
    if delivery.status == WebhookDelivery.Status.DELIVERED:
        return delivery
    delivery.status = WebhookDelivery.Status.RETRYING
    delivery.next_attempt_at = None
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.attempts = MAX_ATTEMPTS - 1
    delivery.save(update_fields=["status", "next_attempt_at", "attempts"])
    transaction.on_commit(lambda: _enqueue([delivery.pk]))
    return delivery


def webhook_retry_due(*, now=None, limit: int = 500) -> list[int]:
    """Ids of deliveries whose next attempt is due (the beat sweep re-queues them). This is how
    retries happen in the embedded mode, where Celery runs inline and cannot wait."""
    now = now or timezone.now()
    ids = list(
        WebhookDelivery.objects.filter(
            Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created_at__lte=now - timedelta(minutes=1)),
            status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING],
        )
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
    _enqueue(ids)
    return ids


def webhook_ping(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A "ping" delivery to one endpoint (the admin's "send test"), signed like any other."""
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event="ping", payload={"message": "Test delivery from Pulse CS.", "endpoint": endpoint.pk}
    )
    transaction.on_commit(lambda: _enqueue([delivery.pk]))
    return delivery
