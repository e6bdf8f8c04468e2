"""The client's address, believing X-Forwarded-For only as far as settings.NUM_PROXIES says.

One rule for every limit that counts per client: anonymous survey answers
(`surveys.throttle`), login lock-outs (django-axes, `AXES_CLIENT_IP_CALLABLE`) and
password-reset mails (`core.views.auth`)."""

from django.conf import settings
from django.http import HttpRequest

__all__ = ["client_ip"]


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or with NUM_PROXIES = n > 0 trusted proxies the n-th address from the right
    of X-Forwarded-For (the one the outermost trusted proxy saw)."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = int(getattr(settings, "NUM_PROXIES", 0) or 0)
    if proxies > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            remote = forwarded[-min(proxies, len(forwarded))]
    return remote
