"""REST API of usage events (docs/api.md): list, read, record and delete events, and the bulk load.
Writes go through usage.ingest (all or nothing; a repeated message_id is stored once)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import ErrorSerializer
from accounts.api.views import ERROR_RESPONSE, MAX_ITEMS, BodyLimitMixin, ItemsInvalid
from core.api.parsers import JSONParser
from core.api.throttling import IngestRateThrottle

from ..ingest import IngestError, events_store
from ..ingest.decoded import events_decode, events_store_decoded
from ..models import UsageEvent
from . import filters, serializers
from .bodies import raw_body, rows_from_bytes

__all__ = ["EventBulkSlashView", "EventBulkView", "EventIngestMixin", "UsageEventViewSet"]


class EventIngestMixin:
    throttle_classes = [IngestRateThrottle]

    @property
    def ingest_allowed(self) -> bool:
        """Ingest-only keys may POST events, nothing else (ScopedPermission reads this)."""
        return self.request.method == "POST"

    @staticmethod
    def store(rows, *, stream: bool = True) -> dict:
        try:
            return events_store(rows, stream=stream).as_dict()
        except IngestError as exc:
            raise ItemsInvalid(
                exc.errors, total=exc.total, message=f"{exc.total} row(s) are invalid; nothing was written."
            ) from exc


@extend_schema_view(
    list=extend_schema(summary="List usage events"),
    retrieve=extend_schema(summary="Get one usage event"),
    create=extend_schema(
        summary="Record usage events (one or a list)",
        description="Same rules as /api/v1/events/bulk: all or nothing, a repeated message_id is stored once.",
        request=serializers.UsageEventInputSerializer,
        responses={201: serializers.EventBulkResultSerializer, 400: ERROR_RESPONSE},
    ),
    destroy=extend_schema(description="Deleting an event does not free its message_id: a resend stays ignored."),
)
class UsageEventViewSet(
    BodyLimitMixin,
    EventIngestMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Usage events are facts: list, read, record, delete; not edited."""

    queryset = UsageEvent.objects.select_related("account", "contact").order_by("-id")
    serializer_class = serializers.UsageEventSerializer
    filterset_class = filters.UsageEventFilter

    def create(self, request, *args, **kwargs):
        data = request.data
        rows = data if isinstance(data, list) else [data]
        if len(rows) > MAX_ITEMS:
            raise ItemsInvalid([], message=f"At most {MAX_ITEMS} items per request; use /api/v1/events/bulk.")
        return Response(self.store(rows), status=status.HTTP_201_CREATED)


class NDJSONParser(JSONParser):
    media_type = "application/x-ndjson"


class EventBulkView(EventIngestMixin, APIView):
    """POST /api/v1/events/bulk: up to 100,000 events as a JSON array or NDJSON (gzip welcome)."""

    parser_classes = [JSONParser, NDJSONParser]
    MAX_ROWS = 100_000

    @extend_schema(
        summary="Bulk-load usage events",
        description=(
            "A JSON array, or NDJSON (Content-Type: application/x-ndjson, one object per line); "
            "Content-Encoding: gzip is accepted. Up to 100,000 rows. All or nothing: any invalid row "
            "(bad field, unknown account or contact) refuses the batch with 400 listing each bad row "
            "number (from 1) and reason. A message_id seen before, in this or an earlier batch, is skipped."
        ),
        request={
            "application/json": serializers.UsageEventInputSerializer(many=True),
            "application/x-ndjson": OpenApiTypes.STR,
        },
        responses={200: serializers.EventBulkResultSerializer, 400: ERROR_RESPONSE, 413: ErrorSerializer},
        examples=[
            OpenApiExample(
                "Two events",
                value=[
                    {
                        "account": "acme",
                        "contact": "u-1",
                        "event": "report_viewed",
                        "occurred_at": "2026-03-04T10:00:00Z",
                        "properties": {"report": "mrr"},
                        "message_id": "m-1",
                    },
                    {"account": "acme", "event": "login", "occurred_at": "2026-03-04T10:05:00Z", "message_id": "m-2"},
                ],
                request_only=True,
            )
        ],
    )
    def post(self, request):
        body = raw_body(request)
        # The common body (every row of the plain shape, all new) is decoded in C and streamed
        # into COPY; any other is parsed and stored the general way, which decides and reports.
        decoded = events_decode(body)
        if decoded is not None and len(decoded) <= self.MAX_ROWS:
            result = events_store_decoded(decoded)
            if result is not None:
                return Response(result.as_dict(), status=status.HTTP_200_OK)
        try:
            rows = rows_from_bytes(body)
        except IngestError as exc:
            raise ItemsInvalid(
                exc.errors, total=exc.total, message=f"{exc.total} line(s) are not JSON objects."
            ) from exc
        if not isinstance(rows, list):
            raise ItemsInvalid([], message="Send a JSON array or NDJSON.")
        if len(rows) > self.MAX_ROWS:
            raise ItemsInvalid([], message=f"At most {self.MAX_ROWS} rows per request ({len(rows)} sent).")
        return Response(self.store(rows, stream=decoded is None), status=status.HTTP_200_OK)


@extend_schema(exclude=True)
class EventBulkSlashView(EventBulkView):
    """/api/v1/events/bulk/ answers too (documented once, without the slash)."""
