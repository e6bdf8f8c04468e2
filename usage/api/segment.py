"""Segment-compatible endpoints: POST /v1/identify, /v1/track, /v1/group, /v1/page, /v1/screen,
/v1/alias and /v1/batch (DESIGN.md fixed interfaces; semantics in usage.tracking).

Authenticated as Segment's own clients do: HTTP Basic with the write key (an ingest- or
write-scoped API key) as the user name and an empty password; `Authorization: Bearer` works
too. Answers: 200 {"success": true}; 400 bad payload (nothing stored); 401 unknown key;
403 a read-only key; 413 too large; 429 over the rate. Every error is {"code", "message"}."""

import base64

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import authentication, exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.views import ItemsInvalid
from core.api.authentication import APIKeyAuthentication, APIKeyUser
from core.api.parsers import JSONParser, json_parse
from core.api.throttling import IngestRateThrottle
from core.choices import APIKeyScope
from core.services import api_key_authenticate

from ..sql.idcache import id_token_annotation
from ..tracking import TrackingError, _iso_time, tracking_messages_store
from ..tracking_decoded import segment_batch_decode, segment_batch_store
from .bodies import json_body, raw_body


class WriteKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Basic base64("<write key>:")`, as analytics-python and friends send it."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header.startswith("Basic "):
            return None
        try:
            user, _, _password = base64.b64decode(header[6:].strip()).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError) as exc:
            raise exceptions.AuthenticationFailed("Malformed Basic credentials.") from exc
        # the id cache's token rides along (usage.sql.idcache): no round trip of its own later
        key = api_key_authenticate(raw_key=user.strip(), annotations=id_token_annotation())
        if key is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked write key.")
        return APIKeyUser(key), key

    def authenticate_header(self, request):
        return 'Basic realm="tracking"'


class WriteKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "usage.api.segment.WriteKeyAuthentication"
    name = "writeKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "basic",
            "description": "An ingest (or write) API key as the user name, empty password: Segment's write key.",
        }


@extend_schema_field(
    {"oneOf": [{"type": "string", "minLength": 1, "maxLength": 191}, {"type": "integer"}], "nullable": True}
)
class SegmentIdField(serializers.CharField):
    """userId / groupId: Segment's libraries send strings, some send numbers; both are taken."""


class SegmentMessageSerializer(serializers.Serializer):
    """The Segment spec's common fields (others are accepted and kept in properties where they apply)."""

    type = serializers.ChoiceField(choices=["identify", "group", "track", "page", "screen", "alias"], required=False)
    userId = SegmentIdField(required=False, allow_null=True)  # noqa: N815
    anonymousId = serializers.CharField(required=False, allow_null=True)  # noqa: N815
    groupId = SegmentIdField(required=False, allow_null=True, help_text="group: the account's external id.")  # noqa: N815
    event = serializers.CharField(required=False, allow_null=True, help_text="track: the event name.")
    name = serializers.CharField(required=False, allow_null=True, help_text="page / screen name.")
    messageId = serializers.CharField(required=False, allow_null=True, help_text="Stored once.")  # noqa: N815
    timestamp = serializers.DateTimeField(required=False, allow_null=True)
    traits = serializers.DictField(required=False, allow_null=True)
    properties = serializers.DictField(required=False, allow_null=True)
    context = serializers.DictField(required=False, allow_null=True, help_text="context.groupId names the account.")


class SegmentBatchSerializer(serializers.Serializer):
    batch = SegmentMessageSerializer(many=True)
    sentAt = serializers.DateTimeField(required=False, allow_null=True)  # noqa: N815
    context = serializers.DictField(required=False, allow_null=True)


class SuccessSerializer(serializers.Serializer):
    success = serializers.BooleanField()


class TrackingView(APIView):
    authentication_classes = [WriteKeyAuthentication, APIKeyAuthentication]
    throttle_classes = [IngestRateThrottle]
    parser_classes = [JSONParser]
    ingest_allowed = True
    message_type: str | None = None  # None: /v1/batch

    def messages(self, body) -> list:
        if not isinstance(body, dict):
            raise ItemsInvalid([], message="Send a JSON object.")
        if self.message_type is not None:
            return [body]
        if body.get("sentAt") is not None and not _iso_time(body["sentAt"]):
            raise ItemsInvalid(
                [{"field": "sentAt", "reason": "is not an ISO 8601 date-time"}], message="sentAt is not a date-time."
            )
        batch = body.get("batch")
        if not isinstance(batch, list):
            raise ItemsInvalid(
                [{"field": "batch", "reason": "must be a list of messages"}], message="batch is missing."
            )
        shared = body.get("context")
        if shared is not None and not isinstance(shared, dict):
            raise ItemsInvalid(
                [{"field": "context", "reason": "must be an object"}], message="context must be an object."
            )
        if isinstance(shared, dict):
            for message in batch:
                if isinstance(message, dict) and not message.get("context"):
                    message["context"] = shared
        return batch

    def post(self, request):
        # An ingest key creates what is unknown and leaves existing records' identity alone.
        identity_changes = getattr(request.auth, "scope", None) != APIKeyScope.INGEST
        if self.message_type is None:
            # The common batch is decoded in C and streamed into COPY (usage.tracking_decoded);
            # any other is parsed and stored the general way, which decides and reports.
            body = raw_body(request)
            decoded = segment_batch_decode(body)
            token = getattr(request.auth, "id_generation_token", None)
            stored = decoded is not None and segment_batch_store(
                decoded, identity_changes=identity_changes, id_token=token
            )
            if stored:
                return Response({"success": True})
            messages = self.messages(json_parse(body))
        else:
            messages = self.messages(json_body(request))
        try:
            tracking_messages_store(messages, default_type=self.message_type, identity_changes=identity_changes)
        except TrackingError as exc:
            raise ItemsInvalid(exc.errors, message=f"{exc}; nothing was stored.") from exc
        return Response({"success": True})


def _view(message_type: str | None, serializer):
    name = message_type or "batch"

    @extend_schema(
        operation_id=f"tracking_{name}",
        summary=f"Segment-compatible {name}",
        tags=["tracking"],
        request=serializer,
        responses={
            200: SuccessSerializer,
            400: OpenApiResponse(description="Bad payload; nothing stored ({code, message, errors})."),
            401: OpenApiResponse(description="Unknown write key."),
        },
    )
    def post(self, request):
        return TrackingView.post(self, request)

    return type(f"Tracking{name.title()}View", (TrackingView,), {"message_type": message_type, "post": post})


IdentifyView = _view("identify", SegmentMessageSerializer)
TrackView = _view("track", SegmentMessageSerializer)
GroupView = _view("group", SegmentMessageSerializer)
PageView = _view("page", SegmentMessageSerializer)
ScreenView = _view("screen", SegmentMessageSerializer)
AliasView = _view("alias", SegmentMessageSerializer)
BatchView = _view(None, SegmentBatchSerializer)
