"""The widget's public endpoints (/widget/…) skip the middleware they have no use for.

They take the customers' traffic, carry no cookies, and prove who is calling with an HMAC and a
signed token, not with a session (surveys/views/widget.py). So for them the session, CSRF,
authentication, login-required, messages and htmx middleware would only build lazy objects and
look at cookies that are never there. Placed right after SecurityMiddleware and WhiteNoise,
this middleware resolves a /widget/ path itself and calls its view, keeping what still applies
to such a response: CommonMiddleware (ALLOWED_HOSTS, user agents, Content-Length) and
XFrameOptionsMiddleware; SecurityMiddleware's headers are added on the way out as before.
Any other path goes down the whole stack, and so does a /widget/ path that no view matches or
whose view does not say it needs neither (`@login_not_required`, and `@csrf_exempt` unless the
method is safe): a view added there later cannot lose its login or CSRF check by accident.

Not supported on these views (none of them needs it): ATOMIC_REQUESTS, view middleware, and
template responses rendered by middleware.
"""

from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.urls import Resolver404, resolve

__all__ = ["WIDGET_PREFIX", "WidgetMiddleware"]

WIDGET_PREFIX = "/widget/"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class WidgetMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        # The middleware of settings.MIDDLEWARE that a widget response still goes through, in order.
        self.widget_chain = CommonMiddleware(XFrameOptionsMiddleware(self._view))

    def __call__(self, request):
        if not request.path_info.startswith(WIDGET_PREFIX):
            return self.get_response(request)
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return self.get_response(request)
        view = match.func
        if getattr(view, "login_required", True) or not (
            getattr(view, "csrf_exempt", False) or request.method in SAFE_METHODS
        ):
            return self.get_response(request)
        request.resolver_match = match
        return self.widget_chain(request)

    @staticmethod
    def _view(request):
        match = request.resolver_match
        return match.func(request, *match.args, **match.kwargs)
