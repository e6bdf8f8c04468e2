"""Opportunities (list with filters, create, update, upsert by external id) and the renewal
forecast. Writes go through renewals.services; their ValidationErrors are 400s naming fields."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.models import User

from ..choices import ForecastCategory, OpportunityKind, StageKind
from ..models import Opportunity
from ..selectors import ForecastFilters, forecast_summary
from ..services import opportunity_create, opportunity_update, opportunity_upsert
from .serializers import ForecastQuerySerializer, ForecastSerializer, MissingFxRateSerializer, OpportunitySerializer


def _user(request):
    return request.user if isinstance(request.user, User) else None


def _run(fn):
    try:
        return fn()
    except DjangoValidationError as exc:
        raise ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        ) from exc
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc


FILTERS = [
    OpenApiParameter("owner", str, required=False, description="username"),
    OpenApiParameter("stage", str, required=False, description="stage name"),
    OpenApiParameter("category", str, enum=ForecastCategory.values, required=False),
    OpenApiParameter("kind", str, enum=OpportunityKind.values, required=False),
    OpenApiParameter("status", str, enum=StageKind.values, required=False),
    OpenApiParameter("account", str, required=False, description="account external id"),
    OpenApiParameter("close_after", str, required=False, description="YYYY-MM-DD, inclusive"),
    OpenApiParameter("close_before", str, required=False, description="YYYY-MM-DD, exclusive"),
]


@extend_schema_view(list=extend_schema(parameters=FILTERS))
class OpportunityViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Renewal, expansion and downsell opportunities. `PUT by-external-id/<id>/` creates or
    updates the one a CRM knows by that id."""

    serializer_class = OpportunitySerializer
    filter_backends: list = []

    def get_queryset(self):
        qs = Opportunity.objects.select_related("account", "subscription", "owner", "stage").order_by("id")
        params = self.request.query_params
        for name, choices, field in (
            ("category", ForecastCategory.values, "category"),
            ("kind", OpportunityKind.values, "kind"),
            ("status", StageKind.values, "status"),
        ):
            if params.get(name):
                if params[name] not in choices:
                    raise ValidationError({name: f"one of {', '.join(choices)}"})
                qs = qs.filter(**{field: params[name]})
        if params.get("owner"):
            qs = qs.filter(owner__username=params["owner"])
        if params.get("stage"):
            qs = qs.filter(stage__name=params["stage"])
        if params.get("account"):
            qs = qs.filter(account__external_id=params["account"])
        for name, lookup in (("close_after", "close_date__gte"), ("close_before", "close_date__lt")):
            if params.get(name):
                body = ForecastQuerySerializer().fields["start"]
                try:
                    day = body.to_internal_value(params[name])
                except ValidationError as exc:
                    raise ValidationError({name: "a date as YYYY-MM-DD"}) from exc
                qs = qs.filter(**{lookup: day})
        return qs

    def get_object(self):
        # the upsert route names the opportunity by its external id (OPTIONS asks for it too)
        if "external_id" in self.kwargs:
            return get_object_or_404(self.get_queryset(), external_id=self.kwargs["external_id"])
        return super().get_object()

    def perform_create(self, serializer):
        serializer.instance = _run(lambda: opportunity_create(user=_user(self.request), **serializer.validated_data))

    def perform_update(self, serializer):
        opportunity = serializer.instance
        serializer.instance = _run(
            lambda: opportunity_update(opportunity=opportunity, user=_user(self.request), **serializer.validated_data)
        )

    @extend_schema(request=OpportunitySerializer, responses={200: OpportunitySerializer, 201: OpportunitySerializer})
    @action(detail=False, methods=["put"], url_path=r"by-external-id/(?P<external_id>[^/]+)")
    def upsert(self, request, external_id=None):
        """Create or update the opportunity with this external id (a CRM's upsert)."""
        existing = Opportunity.objects.filter(external_id=external_id).first()
        body = OpportunitySerializer(existing, data=request.data, partial=existing is not None)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        sent_id = fields.pop("external_id", None)
        if sent_id not in (None, "", external_id):  # the URL names the opportunity; a body may only agree
            raise ValidationError({"external_id": "must match the external id in the URL, or be left out"})
        opportunity, created = _run(lambda: opportunity_upsert(external_id=external_id, user=_user(request), **fields))
        opportunity = get_object_or_404(self.get_queryset().model.objects, pk=opportunity.pk)
        return Response(
            OpportunitySerializer(opportunity).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class ForecastView(APIView):
    """The renewal forecast of renewals closing in [start, end), in the base currency."""

    @extend_schema(
        parameters=[ForecastQuerySerializer], responses={200: ForecastSerializer, 409: MissingFxRateSerializer}
    )
    def get(self, request):
        query = ForecastQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        filters = ForecastFilters(
            csm=data.get("csm"), team=data.get("team"), segment=data.get("segment", ""), tier=data.get("tier", "")
        )
        summary = forecast_summary(start=data["start"], end=data["end"], filters=filters)
        if summary["missing_rates"]:
            # never a total with unconverted money left out silently (docs/api.md)
            named = ", ".join(f"{m['currency']} {m['month']}" for m in summary["missing_rates"])
            return Response(
                {
                    "code": "missing_fx_rate",
                    "message": f"No exchange rate to {summary['currency']} for {named}.",
                    "missing": summary["missing_rates"],
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(ForecastSerializer(summary).data)
