"""One JSON reader for every JSON body the platform accepts: the REST API (DRF's parser), the
Segment endpoints, the survey widget's anonymous endpoints and the Stripe webhook.

A hostile body must be a 400 that names the field and the reason, never a 500:

- nesting deeper than MAX_DEPTH (64) is refused (Python's own json module recurses and raises
  RecursionError past ~1,000 levels; orjson stops at 1,024, but every recursive walk after it,
  a serializer, a NUL check, JSONB, would still recurse);
- a NUL character in any string is refused (PostgreSQL cannot store NUL in text or jsonb), so a
  reference field with a NUL never reaches a query.

Both checks cost nothing on ordinary bodies: the document is walked only when its bytes hold
more than MAX_DEPTH brackets, or an escaped NUL (raw NUL bytes are not valid JSON)."""

from typing import Any

import orjson
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.parsers import BaseParser

__all__ = ["MAX_DEPTH", "JSONBodyError", "JSONParser", "json_check", "json_parse"]

MAX_DEPTH = 64
NUL_ESCAPE = b"\\u0000"


class JSONBodyError(APIException):
    """400 {"code", "message", "field", "errors": [{"field", "reason"}]}: a body we refuse."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, code: str, reason: str, field: str | None = None):
        self.code, self.reason, self.field = code, reason, field
        message = f"{field}: {reason}" if field else reason
        super().__init__(code)
        self.detail = {"code": code, "message": message, "field": field, "errors": [{"field": field, "reason": reason}]}

    def as_dict(self) -> dict:
        return dict(self.detail)


def _path(parts: tuple) -> str | None:
    return ".".join(str(p) for p in parts) or None


def _field(parts: tuple) -> str | None:
    """The field a too-deep value sits in: its path up to the first member name (`custom_fields`,
    `0.properties`), not 64 levels of it."""
    for i, part in enumerate(parts):
        if isinstance(part, str):
            return _path(parts[: i + 1])
    return _path(parts)


def json_check(value: Any, *, nul_possible: bool = True, max_depth: int = MAX_DEPTH) -> None:
    """Raise JSONBodyError when `value` (parsed JSON) nests deeper than max_depth or holds a NUL
    in a key or string. Iterative: a hostile document cannot make it recurse."""
    stack: list[tuple[Any, tuple, int]] = [(value, (), 1)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, dict):
            if depth > max_depth:
                raise JSONBodyError(
                    "too_deep", _("nested deeper than %(depth)d levels") % {"depth": max_depth}, _field(path)
                )
            for key, item in node.items():
                if nul_possible and "\x00" in key:
                    raise JSONBodyError("nul_character", _("must not contain NUL characters"), _path((*path, key)))
                if isinstance(item, dict | list):
                    stack.append((item, (*path, key), depth + 1))
                elif nul_possible and isinstance(item, str) and "\x00" in item:
                    raise JSONBodyError("nul_character", _("must not contain NUL characters"), _path((*path, key)))
        elif isinstance(node, list):
            if depth > max_depth:
                raise JSONBodyError(
                    "too_deep", _("nested deeper than %(depth)d levels") % {"depth": max_depth}, _field(path)
                )
            for index, item in enumerate(node):
                if isinstance(item, dict | list):
                    stack.append((item, (*path, index), depth + 1))
                elif nul_possible and isinstance(item, str) and "\x00" in item:
                    raise JSONBodyError("nul_character", _("must not contain NUL characters"), _path((*path, index)))
        elif nul_possible and isinstance(node, str) and "\x00" in node:
            raise JSONBodyError("nul_character", _("must not contain NUL characters"), _path(path))


def body_needs_check(body: bytes) -> tuple[bool, bool]:
    """(may be too deep, may hold a NUL) from the raw bytes, in C: a document with at most
    MAX_DEPTH brackets cannot nest deeper, and a NUL can only be written as an escape."""
    deep = body.count(b"[") + body.count(b"{") > MAX_DEPTH
    return deep, NUL_ESCAPE in body


def json_parse(body: bytes | str) -> Any:
    """The JSON document in `body`, or JSONBodyError (bad JSON, too deep, a NUL)."""
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogatepass")
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if "depth" in str(exc) or "recursion" in str(exc):
            raise JSONBodyError("too_deep", _("nested deeper than %(depth)d levels") % {"depth": MAX_DEPTH}) from exc
        raise JSONBodyError("bad_json", _("not valid JSON: %(error)s") % {"error": exc}) from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise JSONBodyError("bad_json", _("not valid JSON: %(error)s") % {"error": exc}) from exc
    deep, nul = body_needs_check(body)
    if deep or nul:
        json_check(value, nul_possible=nul)
    return value


class JSONParser(BaseParser):
    """DRF's JSON parser on json_parse (REST_FRAMEWORK DEFAULT_PARSER_CLASSES)."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        return json_parse(stream.read() if stream is not None else b"")
