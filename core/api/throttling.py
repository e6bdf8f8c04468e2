"""Rate limits per API key (or per logged-in user) on the REST API and the ingest endpoints.

Rates come from settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (env API_RATE_LIMIT,
INGEST_RATE_LIMIT); counters live in the cache (Redis in production). A client over its rate
gets 429 with Retry-After, which Segment's clients and ours retry."""

from rest_framework.throttling import SimpleRateThrottle


class KeyRateThrottle(SimpleRateThrottle):
    """Counts requests per API key, else per user, else per client address."""

    scope = "api"

    def get_cache_key(self, request, view):
        key = getattr(request.auth, "pk", None) if hasattr(request.auth, "scope") else None
        if key is not None:
            ident = f"key:{key}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class IngestRateThrottle(KeyRateThrottle):
    scope = "ingest"
