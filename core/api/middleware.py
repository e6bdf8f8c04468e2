"""Refuses a NUL character in the path or query string of an API request (`/api/`, `/v1/`)
with a 400 naming the parameter, before any view runs: PostgreSQL cannot hold NUL in text, so a
reference, filter or lookup carrying one would otherwise reach a query and fail there (a 500).
Bodies are checked by core.api.parsers.

An API path that matches no route (`/api/v1/costs/1.5/`) answers 404 as JSON in the API's
error shape, not Django's HTML page: an API client reads the body it is given."""

from django.http import JsonResponse
from django.utils.translation import gettext as _

API_PREFIXES = ("/api/", "/v1/")


def _refusal(field: str) -> JsonResponse:
    reason = _("must not contain NUL characters")
    return JsonResponse(
        {
            "code": "nul_character",
            "message": f"{field}: {reason}",
            "field": field,
            "errors": [{"field": field, "reason": reason}],
        },
        status=400,
    )


class APIGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(API_PREFIXES):
            if "\x00" in request.path_info:
                return _refusal("path")
            for name, values in request.GET.lists():
                if "\x00" in name or any("\x00" in v for v in values):
                    return _refusal(name.replace("\x00", "\\0"))
            response = self.get_response(request)
            if response.status_code == 404 and not response.get("Content-Type", "").startswith("application/json"):
                message = _("No such API resource.")
                return JsonResponse({"code": "not_found", "message": message}, status=404)
            return response
        return self.get_response(request)
