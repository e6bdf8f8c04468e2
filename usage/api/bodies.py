"""Request bodies for the ingest endpoints: gzip or plain, JSON or NDJSON, size-limited."""

import zlib

from django.conf import settings
from django.core.exceptions import RequestDataTooBig

from accounts.api.views import BodyError
from core.api.parsers import JSONBodyError, json_parse

from ..ingest import IngestError

# A gzip body may not inflate past this (a small bomb must not eat the worker's memory).
MAX_INFLATED_BYTES = 200 * 1024 * 1024


def raw_body(request) -> bytes:
    """The request body, gunzipped when Content-Encoding says gzip."""
    try:
        body = request.body
    except RequestDataTooBig as exc:
        raise BodyError(
            f"Request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)} MB.",
            "too_large",
            413,
        ) from exc
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    if encoding in ("gzip", "x-gzip") or body[:2] == b"\x1f\x8b":
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            body = inflater.decompress(body, MAX_INFLATED_BYTES)
        except zlib.error as exc:
            raise BodyError("Body is not valid gzip.", "bad_gzip") from exc
        if inflater.unconsumed_tail:
            raise BodyError("Body inflates past 200 MB.", "too_large", 413)
    elif encoding not in ("", "identity"):
        raise BodyError(f"Content-Encoding {encoding!r} is not supported (use gzip).", "bad_encoding", 415)
    return body


def json_body(request):
    """The JSON document of the body (core.api.parsers.json_parse: a 400 naming the field when
    it is not JSON, nests too deep or holds a NUL)."""
    return json_parse(raw_body(request))


def rows_body(request) -> list:
    """A JSON array, or NDJSON (one JSON object per line). NDJSON rows keep their line number
    in `_row` so that errors point at the line."""
    return rows_from_bytes(raw_body(request))


def rows_from_bytes(body: bytes) -> list:
    """rows_body for a body already read (and gunzipped)."""
    stripped = body.lstrip()
    if not stripped:
        raise BodyError("Body is empty.", "empty")
    if stripped[:1] == b"[":
        return json_parse(body)
    rows = []
    bad = []
    for number, line in enumerate(body.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json_parse(line)
        except JSONBodyError as exc:
            bad.append({"row": number, "field": exc.field, "reason": exc.reason})
            continue
        if not isinstance(row, dict):
            bad.append({"row": number, "field": None, "reason": "must be a JSON object"})
            continue
        row["_row"] = number
        rows.append(row)
    if bad:
        raise IngestError(bad)
    return rows
