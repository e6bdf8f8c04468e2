"""The embedded widget's endpoints: the script itself, and eligibility / answer / dismiss under
/widget/<workspace key>/. Public (no login, no cookies, no CSRF): the caller proves who the user
is with HMAC-SHA256(user_id) computed by the host's server, and the browser may only call from
origins the admin allowed for the workspace. The few CORS headers are written here rather than
with django-cors-headers, because the allowed origins are per workspace, from the database, and
no other endpoint of the platform is cross-origin (docs/decisions.md)."""

import json
from functools import cache, wraps
from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from core.api.parsers import JSONBodyError, json_parse

from ..choices import CATEGORY_GROUP
from ..selectors import workspace_by_key
from ..services import (
    AlreadyAnswered,
    IdentityInvalid,
    delivery_dismiss,
    widget_answer,
    widget_eligibility,
    widget_identify,
)
from ..tokens import TokenError, TokenExpired

MAX_BODY = 16 * 1024
WIDGET_JS = Path(__file__).resolve().parent.parent / "static" / "surveys" / "widget.js"


@cache
def widget_source() -> bytes:
    return WIDGET_JS.read_bytes()


@login_not_required
@require_GET
def widget_script(request):
    response = HttpResponse(widget_source(), content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _json(data: dict, status: int = 200) -> HttpResponse:
    """JsonResponse without its encoder class: every value here is plain JSON (one default
    encoder, not a DjangoJSONEncoder built per response, on the customers' hot path)."""
    return HttpResponse(json.dumps(data), content_type="application/json", status=status)


def _error(status: int, message: str, **extra) -> HttpResponse:
    return _json({"error": message, **extra}, status=status)


def cors_endpoint(view):
    """Workspace lookup, origin check, preflight, JSON body parsing and the CORS headers."""

    @csrf_exempt
    @login_not_required
    @wraps(view)
    def wrapped(request, key: str):
        workspace = workspace_by_key(key)
        if workspace is None:
            return _error(404, "unknown workspace")
        origin = request.headers.get("Origin")
        # A browser always sends Origin on a cross-origin call; an origin the admin did not allow
        # is refused outright (not just left without headers), since a "simple" POST still runs.
        if origin is not None and not workspace.origin_allowed(origin):
            return _error(403, "origin not allowed")
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
            response["Access-Control-Allow-Headers"] = "Content-Type"
            response["Access-Control-Max-Age"] = "600"
        elif request.method != "POST":
            response = _error(405, "POST only")
        elif len(request.body) > MAX_BODY:
            response = _error(413, "request too large")
        else:
            try:
                data = json_parse(request.body or b"{}")
            except JSONBodyError as exc:
                data = exc
            if isinstance(data, JSONBodyError):
                response = _error(400, data.detail["message"], code=data.code, field=data.field)
            elif not isinstance(data, dict):
                response = _error(400, "body must be a JSON object")
            else:
                response = _identified(view, request, workspace, data)
        if origin is not None:
            response["Access-Control-Allow-Origin"] = origin
            response["Vary"] = "Origin"
        return response

    return wrapped


def _identified(view, request, workspace, data: dict):
    user_id = str(data.get("user_id") or "")[:191]
    try:
        widget_identify(workspace=workspace, user_id=user_id, user_hash=str(data.get("user_hash") or ""))
        return view(request, workspace, user_id, data)
    except IdentityInvalid:
        return _error(403, "identity verification failed")
    except TokenExpired:
        return _error(410, "token expired")
    except TokenError:
        return _error(403, "invalid token")
    except AlreadyAnswered as exc:
        return _error(409, str(exc))
    except ValidationError as exc:
        return _json({"error": "invalid answer", "errors": exc.message_dict}, status=400)


@cors_endpoint
def eligibility(request, workspace, user_id: str, data: dict):
    offer = widget_eligibility(
        workspace=workspace,
        user_id=user_id,
        language=str(data.get("language") or "")[:8],
        event=str(data.get("event") or "")[:128],
    )
    if offer is None:
        return _json({"show": False})
    survey, delivery = offer["survey"], offer["delivery"]
    texts = survey.texts(delivery.language)
    low, high = survey.score_range
    return _json(
        {
            "show": True,
            "token": offer["token"],
            "survey": {
                "kind": survey.kind,
                "min": low,
                "max": high,
                "lang": texts.pop("language"),
                "dir": texts.pop("dir"),
                "texts": texts,
                "color": survey.brand_color,
                "logo": survey.logo_url,
                "follow_ups": [
                    {**{k: v for k, v in q.items() if k != "choices"}, "labels": [label for _, label in q["choices"]]}
                    for q in survey.follow_ups_in(delivery.language)
                ],
                "delay": survey.delay_seconds,
            },
        }
    )


@cors_endpoint
def answer(request, workspace, user_id: str, data: dict):
    answers = data.get("answers") or None
    recorded, survey, language = widget_answer(
        workspace=workspace,
        token=str(data.get("token") or ""),
        user_id=user_id,
        score=data.get("score"),
        comment=str(data.get("comment") or ""),
        answers=answers if answers is None or isinstance(answers, dict) else {"_": answers},
    )
    group = CATEGORY_GROUP[recorded.category]
    thanks = survey.texts(language)[f"thanks_{group}"]
    return _json({"ok": True, "created": recorded.created, "category": recorded.category, "thanks": thanks})


@cors_endpoint
def dismiss(request, workspace, user_id: str, data: dict):
    delivery_dismiss(workspace=workspace, token=str(data.get("token") or ""), user_id=user_id)
    return _json({"ok": True})
