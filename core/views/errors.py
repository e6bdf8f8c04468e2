"""The project's error pages (handler400/403/404/500 in csplatform.urls).

Pages get a styled page that stands alone (templates/errors/): the 500 page needs no
database, no request and no context processor, so it renders whatever broke. Under
`/api/` every error answers JSON `{"code", "message"}` as the API's own errors do
(core.api.exceptions), so a client never has to parse an HTML page.
"""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

API_PREFIX = "/api/"


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


@requires_csrf_token
def server_error(request):
    if is_api_request(request):
        return _api_error("server_error", _("The server failed to answer. The error has been logged."), 500)
    # Django's default renders the template with an empty context: no database, no request.
    return defaults.server_error(request, template_name="errors/500.html")
