"""The request an audited change happens in, so a model signal far from the view knows who and
from where. Outside a request (Celery, commands) the actor is "system" unless given."""

from __future__ import annotations

from contextvars import ContextVar

from django.http import HttpRequest

__all__ = ["AuditContextMiddleware", "current_request"]

_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)


def current_request() -> HttpRequest | None:
    return _request.get()


class AuditContextMiddleware:
    """Keeps the request in a context variable for the audit recorder. The actor is read when a
    row is written, so an API key that DRF authenticates inside the view is seen too (DRF sets
    the Django request's `user` when it authenticates)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)
