"""The OpenAPI schema tells the truth about errors (docs/api.md "Errors").

`error_responses_hook` (SPECTACULAR_SETTINGS POSTPROCESSING_HOOKS) gives every operation the
error answers it can really give, each with the one error shape (`ApiError`), unless the
operation already declares its own: 400 (bad input: every operation, as a query string can
always be wrong), 401 (no or unknown credentials), 403 (a key's scope or a user's role), 404
(operations on one record), 405 (a method the key may
not use), 413 (bodies over the limit), 415 (bodies that are not JSON) and 429 (over the rate)."""

from drf_spectacular import openapi

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error answer: a machine-readable code, a message, and for bad input each field's reason.",
    "properties": {
        "code": {"type": "string", "description": "e.g. invalid, bad_json, too_deep, nul_character, invalid_cursor."},
        "message": {"type": "string"},
        "field": {"type": "string", "nullable": True, "description": "The field at fault, when there is one."},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "index": {"type": "integer", "description": "Position in the posted list, from 0."},
                    "row": {"type": "integer", "description": "Row number in a bulk upload, from 1."},
                    "field": {"type": "string", "nullable": True},
                    "reason": {"type": "string"},
                },
                "required": ["field", "reason"],
            },
        },
    },
    "required": ["code", "message"],
}

DESCRIPTIONS = {
    "400": "Bad input: each field at fault with its reason; nothing was written.",
    "401": "No credentials, or an unknown or revoked API key.",
    "403": "The API key's scope or the user's role does not allow this.",
    "404": "No such record.",
    "413": "The body is larger than the limit.",
    "415": "The body's media type is not accepted (send JSON).",
    "429": "Over the rate limit: retry after Retry-After seconds.",
}


def _ref() -> dict:
    return {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}


def error_responses_hook(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["ApiError"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = ["400", "401", "403", "429"]
            if "{" in path:
                codes.append("404")
            if "requestBody" in operation:
                codes += ["413", "415"]
            responses = operation["responses"]
            for code in codes:
                if code not in responses:
                    responses[code] = {"content": _ref(), "description": DESCRIPTIONS[code]}
                elif "content" not in responses[code]:
                    responses[code]["content"] = _ref()
    return result


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema (REST_FRAMEWORK DEFAULT_SCHEMA_CLASS), except that only GET
    lists are paginated and filtered: a POST answering a list (an import's results) returns a
    plain array and reads no filter from the query string."""

    def _get_paginator(self):
        if self.method != "GET":
            return None
        return super()._get_paginator()

    def _get_filter_parameters(self):
        if self.method != "GET":
            return []
        return super()._get_filter_parameters()
