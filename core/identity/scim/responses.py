"""SCIM's wire format: `application/scim+json` bodies, and every failure as an RFC 7644 §3.12
Error (`urn:ietf:params:scim:api:messages:2.0:Error`, status, scimType, detail)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from pydantic import ValidationError
from rest_framework import exceptions as drf_exceptions
from scim2_models import Error, InvalidSyntaxException, SCIMException

from core.api.parsers import JSONBodyError, json_parse

__all__ = ["CONTENT_TYPE", "scim_response", "error_response", "exception_response", "request_payload"]

CONTENT_TYPE = "application/scim+json"


def scim_response(body: dict[str, Any] | None, *, status: int = 200, location: str = "") -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, default=str) if body is not None else b"", status=status, content_type=CONTENT_TYPE
    )
    if location:
        response["Location"] = location
    return response


def error_response(status: int, detail: str, scim_type: str | None = None) -> HttpResponse:
    error = Error(status=status, scim_type=scim_type, detail=detail)
    return scim_response(error.model_dump(), status=status)


def exception_response(exc: Exception) -> HttpResponse | None:
    """The Error answer for what a SCIM view raised; None for anything unexpected (a 500 then,
    which no client input should reach)."""
    if isinstance(exc, SCIMException):
        return error_response(exc.status, exc.detail, exc.scim_type or None)
    if isinstance(exc, ValidationError):
        errors = Error.from_validation_errors(exc)
        first = errors[0] if errors else Error(status=400, scim_type="invalidValue", detail=str(exc))
        detail = "; ".join(e.detail or "" for e in errors[:5]) or "Invalid value."
        return error_response(int(first.status or 400), detail, first.scim_type or "invalidValue")
    if isinstance(exc, drf_exceptions.Throttled):
        response = error_response(429, str(exc.detail))
        if exc.wait:
            response["Retry-After"] = str(int(exc.wait))
        return response
    if isinstance(exc, drf_exceptions.NotAuthenticated | drf_exceptions.AuthenticationFailed):
        response = error_response(401, str(exc.detail))
        response["WWW-Authenticate"] = 'Bearer realm="SCIM"'
        return response
    if isinstance(exc, drf_exceptions.APIException):
        return error_response(exc.status_code, str(exc.detail))
    return None


def request_payload(body: bytes) -> dict[str, Any]:
    """The JSON object a request carries (core.api.parsers: bad JSON, too deep or a NUL is refused);
    invalidSyntax when it is not one."""
    try:
        payload = json_parse(body or b"null")
    except JSONBodyError as error:
        raise InvalidSyntaxException(detail=f"The body is refused: {error.reason}") from error
    if not isinstance(payload, dict):
        raise InvalidSyntaxException(detail="The body must be a JSON object.")
    return payload
