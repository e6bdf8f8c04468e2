"""/api/v1/survey-responses/: list answers, and import past ones (one object or a list, all or
nothing, 400 listing each bad item's index, field and reason)."""

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from accounts.access import records_readable
from accounts.api.serializers import ErrorSerializer
from accounts.api.views import ItemsInvalid, items_errors, items_write_check
from accounts.models import Account, Contact

from ..filters import SurveyResponseFilter
from ..imports import import_duplicates, responses_import
from ..models import SurveyResponse
from .serializers import SurveyResponseSerializer

MAX_ITEMS = 10_000


@extend_schema_view(
    list=extend_schema(summary="List survey answers"),
    retrieve=extend_schema(summary="Get one survey answer"),
    create=extend_schema(
        summary="Import past survey answers (one or a list)",
        description=(
            "One object or a JSON array of up to 10,000. All or nothing: if any item is invalid the answer is "
            "400 listing each bad item's index, field and reason, and nothing is written. Importing the same "
            "answer again updates it: an answer is identified by its `external_id`, else by kind + contact + "
            "`submitted_at`; an anonymous answer without `external_id` is a new answer each time it is posted. "
            "Two items of one list naming the same answer are refused. Imported answers keep their "
            "`submitted_at`, feed the health score, and fire no playbook (they are history)."
        ),
        request={"application/json": SurveyResponseSerializer},
        responses={
            201: SurveyResponseSerializer(many=True),
            400: OpenApiResponse(ErrorSerializer, description="Invalid items; nothing written."),
        },
    ),
)
class SurveyResponseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    queryset = SurveyResponse.objects.select_related("account", "contact").order_by("-id")
    serializer_class = SurveyResponseSerializer
    filterset_class = SurveyResponseFilter

    def get_queryset(self):
        return records_readable(self.request.user, super().get_queryset())  # accounts.access: the read scope

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "refs": getattr(self, "_refs", {})}

    def _load_refs(self, items: list) -> None:
        """Every account and contact the items name: one query per model, chunked."""
        refs = {}
        for name, model in (("account", Account), ("contact", Contact)):
            values = sorted({i.get(name) for i in items if isinstance(i, dict) and isinstance(i.get(name), str)})
            found = {}
            for start in range(0, len(values), 900):
                chunk = values[start : start + 900]
                found.update({o.external_id: o for o in model.objects.filter(external_id__in=chunk)})
            refs[name] = found
        self._refs = refs

    def create(self, request, *args, **kwargs):
        data = request.data
        many = isinstance(data, list)
        if many and not data:
            raise ItemsInvalid([], message="The list is empty.")
        if many and len(data) > MAX_ITEMS:
            raise ItemsInvalid([], message=f"At most {MAX_ITEMS} items per request ({len(data)} sent).")
        if not many and not isinstance(data, dict):
            raise ItemsInvalid([{"field": None, "reason": "Send a JSON object or a list of them."}])
        self._load_refs(data if many else [data])
        serializer = self.get_serializer(data=data, many=many)
        if not serializer.is_valid():
            raise ItemsInvalid(items_errors(serializer.errors, many))
        items = list(serializer.validated_data) if many else [serializer.validated_data]
        if duplicates := import_duplicates(items=items):  # only a list can name one answer twice
            raise ItemsInvalid(duplicates)
        items_write_check(request.user, [item.get("account") for item in items])  # accounts.access
        with transaction.atomic():
            saved = responses_import(items=items)
        output = SurveyResponseSerializer(saved, many=True).data
        return Response(output if many else output[0], status=status.HTTP_201_CREATED)
