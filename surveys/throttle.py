"""Rate limit on anonymous survey answers: at most SURVEYS_PUBLIC_ANSWERS_PER_HOUR (30) new
answers per client address and survey in any hour, counted in Django's cache (Redis in
production, local memory in the embedded mode), so a script cannot fill a public survey with
answers while an office behind one address can still answer.

Only anonymous public-link answers are limited: e-mail, personal-link and widget answers are
bound to one delivery by a signed token and can never add more than one answer each.

The client address is REMOTE_ADDR, unless settings.NUM_PROXIES says how many reverse proxies
(each appending to X-Forwarded-For) stand in front of the app: a header a client can write is
believed only as far as the settings say. IPv6 clients count per /64, the block one subscriber
gets, so that hopping between addresses of one's own block does not help.

The window slides: the count is this clock hour's answers plus the previous hour's weighted by
the part of it still inside the last 60 minutes, so 30 answers at 00:59 and 30 more at 01:00
are not both accepted. Two answers arriving at the same instant may both pass the check and
count 31 (the check and the count are two cache calls); the limit is a brake, not a ledger.
"""

import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from core.client_address import client_ip

__all__ = ["WINDOW_SECONDS", "client_ip", "public_answer_count", "public_answer_retry_after", "public_answers_limit"]

WINDOW_SECONDS = 3600


def public_answers_limit() -> int:
    """New anonymous answers per client address and survey in any hour (0: no limit)."""
    return int(getattr(settings, "SURVEYS_PUBLIC_ANSWERS_PER_HOUR", 30))


def _client_block(request: HttpRequest) -> str:
    raw = client_ip(request)
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw[:64] or "unknown"
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _keys(survey_id: int, request: HttpRequest, now: float) -> tuple[str, str, float]:
    window = int(now // WINDOW_SECONDS)
    base = f"surveys:public-answers:{survey_id}:{_client_block(request)}"
    return f"{base}:{window}", f"{base}:{window - 1}", (now % WINDOW_SECONDS) / WINDOW_SECONDS


def public_answer_retry_after(*, survey_id: int, request: HttpRequest, now: float | None = None) -> int | None:
    """Seconds to wait when this client already gave the survey its hour's anonymous answers,
    else None (it may answer)."""
    now = time.time() if now is None else now
    current_key, previous_key, elapsed = _keys(survey_id, request, now)
    counts = cache.get_many([current_key, previous_key])
    current, previous = counts.get(current_key, 0), counts.get(previous_key, 0)
    limit = public_answers_limit()
    if limit <= 0:  # 0 turns the limit off
        return None
    if current + previous * (1 - elapsed) < limit:
        return None
    if current >= limit:
        # This hour is full: wait for the next one, and then until this hour's weight in it
        # falls below the limit ((1 - s) * current < limit).
        wait = (1 - elapsed) + (1 - limit / current)
    else:
        # The previous hour's weight falls below the limit when (1 - t) * previous < limit - current.
        wait = (1 - (limit - current) / previous) - elapsed
    return max(1, math.ceil(WINDOW_SECONDS * wait) + 1)


def public_answer_count(*, survey_id: int, request: HttpRequest, now: float | None = None) -> None:
    """Count one new anonymous answer of this client to the survey."""
    now = time.time() if now is None else now
    current_key, _, _ = _keys(survey_id, request, now)
    # Kept two windows: the next hour still weighs this one.
    cache.add(current_key, 0, timeout=2 * WINDOW_SECONDS)
    try:
        cache.incr(current_key)
    except ValueError:  # evicted between add and incr
        cache.set(current_key, 1, timeout=2 * WINDOW_SECONDS)
