"""The project's error pages (handler400/403/404/500 in csplatform.urls).

Pages get a styled page that stands alone (templates/errors/): the 500 page needs no
database, no request and no context processor, so it renders whatever broke. Under
`/api/` every error answers JSON `{"code", "message"}` as the API's own errors do
(core.api.exceptions), so a client never has to parse an HTML page.
"""

import logging
import sys

from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
MACHINE_PREFIXES = (API_PREFIX, "/v1/")  # the REST API and the Segment-compatible endpoints
RETRY_AFTER_SECONDS = 30


def is_api_request(request) -> bool:
    return request.path.startswith(API_PREFIX)


def _api_error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=status)


def _exception_message(exception) -> str:
    """The message a view gave its exception (PermissionDenied("This needs the Manager role.")),
    or "" when Django passed its own (a resolver's dict, an empty exception)."""
    if exception is None or not exception.args:
        return ""
    message = exception.args[0]
    return message if isinstance(message, str) else ""


@requires_csrf_token
def bad_request(request, exception=None):
    if is_api_request(request):
        return _api_error("bad_request", _("The request could not be understood."), 400)
    return defaults.bad_request(request, exception, template_name="errors/400.html")


@requires_csrf_token
def permission_denied(request, exception=None):
    message = _exception_message(exception) or _("You do not have permission to open this page.")
    if is_api_request(request):
        return _api_error("permission_denied", message, 403)
    return defaults.permission_denied(request, exception, template_name="errors/403.html")


@requires_csrf_token
def page_not_found(request, exception=None):
    if is_api_request(request):
        return _api_error("not_found", _("Nothing is found at this address."), 404)
    return defaults.page_not_found(request, exception, template_name="errors/404.html")


def service_unavailable(request, exception=None):
    """503 + Retry-After: the database or Redis cannot be reached; nothing the request was told
    failed was kept (its transaction, if any, rolled back)."""
    logger.error("service unavailable: %s: %s", type(exception).__name__, exception)
    if request.path.startswith(MACHINE_PREFIXES):
        response = _api_error(
            "service_unavailable", _("The service is briefly unavailable; retry after the given delay."), 503
        )
    else:
        # like the 500 page: no request context, so no context processor touches the database
        response = HttpResponse(loader.get_template("errors/503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@requires_csrf_token
def server_error(request):
    from core.middleware import service_down

    if service_down(sys.exc_info()[1]):  # broken before any view ran (a middleware's query)
        return service_unavailable(request, sys.exc_info()[1])
    if is_api_request(request):
        return _api_error("server_error", _("The server failed to answer. The error has been logged."), 500)
    # Django's default renders the template with an empty context: no database, no request.
    return defaults.server_error(request, template_name="errors/500.html")
