import time

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.utils.cache import patch_cache_control


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Every page needs a login unless its view says `@login_not_required`.

    DRF views are let through: they authenticate themselves (API keys, sessions) and answer
    401/403 as JSON instead of redirecting a machine to a login page."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        view_class = getattr(view_func, "cls", None)
        if view_class is not None and getattr(view_class, "authentication_classes", None) is not None:
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class NoStoreMiddleware:
    """`Cache-Control: private, no-store` on every answer that did not choose its own caching.

    Staff pages, the API, shared plans and survey pages all carry customer data: no browser
    history, back-forward cache or shared proxy may keep a copy. Static files never get here
    (WhiteNoise answers them earlier, cached for a year); a view that may be cached (the widget's
    script) says so with its own Cache-Control, which is left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


def service_down(exc: BaseException | None) -> bool:
    """A database or Redis that cannot be reached (as opposed to a bug)."""
    if exc is None:
        return False
    from django.db import InterfaceError, OperationalError

    from core.cache import CACHE_DOWN_ERRORS
    from core.outbox.services import BROKER_DOWN_ERRORS

    return isinstance(exc, (OperationalError, InterfaceError, *CACHE_DOWN_ERRORS, *BROKER_DOWN_ERRORS))


class ServiceUnavailableMiddleware:
    """A view that fails because the database or Redis is unreachable answers 503 with
    Retry-After: JSON `{"code": "service_unavailable", ...}` for the API (and the Segment
    endpoints), the styled 503 page otherwise. Clients retry a 503; a 500 says "bug"."""

    RETRY_AFTER_SECONDS = 30

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not service_down(exception):
            return None
        from core.views.errors import service_unavailable

        return service_unavailable(request, exception)


class UserLanguageMiddleware:
    """The signed-in user's own language, time zone, digits and calendar (core.i18n).

    Django's LocaleMiddleware (earlier in MIDDLEWARE) has already chosen between the language
    cookie and the browser's Accept-Language; a user who chose a language in their profile gets
    that one instead, on every device. Placed right after AuthenticationMiddleware: `request.user`
    is the session's user, loaded once per request anyway by LoginRequiredMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from core.i18n import activate_for_user, display_reset

        request.LANGUAGE_CODE = activate_for_user(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            display_reset()


class ReplicaRequestMiddleware:
    """One request, one scope for the read replica (core.replica): once the request has
    written, its later reads go to the primary; the next request starts afresh."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from core.replica import request_scope

        with request_scope():
            return self.get_response(request)


class ServerTimingMiddleware:
    """`Server-Timing: cpu;dur=<ms>, app;dur=<ms>` on every answer, when `PULSE_SERVER_TIMING=1`
    (settings put it first in MIDDLEWARE only then): the CPU time this request's thread spent in
    the process (`time.thread_time`, right for sync and threaded gunicorn workers alike) and the
    wall time through the middleware stack. `make soak` reads it to print the server's CPU per
    page; off by default, since it tells a visitor how long the server worked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        wall, cpu = time.perf_counter(), time.thread_time()
        response = self.get_response(request)
        cpu_ms = (time.thread_time() - cpu) * 1000
        wall_ms = (time.perf_counter() - wall) * 1000
        response["Server-Timing"] = f"cpu;dur={cpu_ms:.1f}, app;dur={wall_ms:.1f}"
        return response
