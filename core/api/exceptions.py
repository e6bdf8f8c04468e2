"""The REST API's error answers: every 4xx body has a machine-readable `code`, a `message` a
person can read, and for bad input `errors`: [{"field", "reason"}] (docs/api.md "Errors").

Validation errors also keep DRF's own shape (each bad field as a key with its reasons) next to
those three keys, for clients written against it. A database error caused by a value (out of
range, a string PostgreSQL cannot store) is a 400 that names no database internals: the raw
database message is logged, never sent."""

import logging

from django.db import DataError, transaction
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


def validation_errors(detail, prefix: str | None = None) -> list[dict]:
    """DRF's nested error detail -> [{"field": "a.0.b" or None, "reason"}]."""
    if isinstance(detail, dict):
        out = []
        for name, value in detail.items():
            name = None if name in ("non_field_errors", "detail") else str(name)
            out += validation_errors(value, ".".join(p for p in (prefix, name) if p) or None)
        return out
    if isinstance(detail, list):
        if all(not isinstance(e, dict | list) for e in detail):
            return [{"field": prefix, "reason": str(e)} for e in detail]
        out = []
        for i, value in enumerate(detail):
            out += validation_errors(value, f"{prefix}.{i}" if prefix else str(i))
        return out
    return [{"field": prefix, "reason": str(detail)}]


def exception_handler(exc, context):
    """DRF's handler, with the error shape above on every answer it makes."""
    if isinstance(exc, DataError):
        logger.warning("API: database refused a value: %s", exc)
        transaction.set_rollback(True)
        message = _("A value is out of the range the database can store.")
        return Response(
            {"code": "invalid", "message": message, "errors": [{"field": None, "reason": message}]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return response
    if isinstance(exc, ValidationError):
        data = response.data
        if isinstance(data, dict) and "code" in data and "message" in data:
            return response  # already in the platform's shape
        errors = validation_errors(data)
        first = errors[0] if errors else {"field": None, "reason": _("Invalid input.")}
        message = f"{first['field']}: {first['reason']}" if first["field"] else first["reason"]
        body = {"code": "invalid", "message": message, "errors": errors}
        if isinstance(data, dict):
            body = {**data, **body}
        response.data = body
        return response
    if not isinstance(response.data, dict):
        return response
    if "code" not in response.data:
        codes = exc.get_codes() if hasattr(exc, "get_codes") else "error"
        response.data = {"code": codes if isinstance(codes, str) else "error", "message": str(exc), **response.data}
    return response
