"""REST API for success maps, plans, checklists and TTFV (under /api/v1/success/). Starting a plan
or a checklist goes through the same services as the UI and the playbooks' actions."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import account_write_check, records_readable

from .. import services
from ..metrics import ttfv
from ..models import AccountChecklist, AccountChecklistItem, PlanGoal, SuccessMap, SuccessMapVersion, SuccessPlan
from . import serializers as s


def _service_errors(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "message_dict") else {"detail": exc.messages})


class SuccessMapViewSet(viewsets.ReadOnlyModelViewSet):
    """Success maps with every version (stages, milestones, vehicles)."""

    serializer_class = s.SuccessMapSerializer
    queryset = SuccessMap.objects.select_related("persona").prefetch_related(
        Prefetch(
            "versions",
            queryset=SuccessMapVersion.objects.prefetch_related("stages__milestones", "stages__vehicles"),
        )
    )


class PlanFilter(filters.FilterSet):
    account = filters.CharFilter(field_name="account__external_id")

    class Meta:
        model = SuccessPlan
        fields = ["account", "status"]


class SuccessPlanViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Plans per account. POST starts one on the map's published version (idempotent for the same map)."""

    queryset = SuccessPlan.objects.select_related(
        "account", "map_version", "current_stage", "target_stage"
    ).prefetch_related(Prefetch("goals", queryset=PlanGoal.objects.select_related("owner_user", "owner_contact")))
    filterset_class = PlanFilter

    def get_queryset(self):
        return records_readable(self.request.user, super().get_queryset())  # accounts.access: the read scope

    def get_serializer_class(self):
        return s.SuccessPlanStartSerializer if self.action == "create" else s.SuccessPlanSerializer

    @extend_schema(request=s.SuccessPlanStartSerializer, responses={201: s.SuccessPlanSerializer})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        account_write_check(request.user, data.validated_data["account"])  # accounts.access
        try:
            plan = services.success_plan_start(**data.validated_data)
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc
        return Response(
            s.SuccessPlanSerializer(self.get_queryset().get(pk=plan.pk)).data, status=status.HTTP_201_CREATED
        )


class ChecklistFilter(filters.FilterSet):
    account = filters.CharFilter(field_name="account__external_id")

    class Meta:
        model = AccountChecklist
        fields = ["account", "status"]


class AccountChecklistViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Onboarding checklists per account. POST starts one (template by tier when omitted; idempotent)."""

    queryset = AccountChecklist.objects.select_related("account").prefetch_related(
        Prefetch("items", queryset=AccountChecklistItem.objects.all())
    )
    filterset_class = ChecklistFilter

    def get_queryset(self):
        return records_readable(self.request.user, super().get_queryset())  # accounts.access: the read scope

    def get_serializer_class(self):
        return s.ChecklistStartSerializer if self.action == "create" else s.AccountChecklistSerializer

    @extend_schema(request=s.ChecklistStartSerializer, responses={201: s.AccountChecklistSerializer})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        account_write_check(request.user, data.validated_data["account"])  # accounts.access
        try:
            checklist = services.checklist_start(**data.validated_data)
        except DjangoValidationError as exc:
            raise _service_errors(exc) from exc
        return Response(
            s.AccountChecklistSerializer(self.get_queryset().get(pk=checklist.pk)).data, status=status.HTTP_201_CREATED
        )


class TTFVView(APIView):
    """Time to first value per account whose contract started in [start, end), with medians."""

    class QuerySerializer(serializers.Serializer):
        start = serializers.DateField(required=False)
        end = serializers.DateField(required=False)

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="Contract starts from this day (inclusive)."),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Contract starts before this day."),
        ],
        responses={200: s.TTFVSerializer},
    )
    def get(self, request):
        # A plain dict: DRF would read an empty `?start=` of a QueryDict as "not sent".
        query = self.QuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        report = ttfv(**query.validated_data)
        return Response(
            s.TTFVSerializer(
                {
                    "overall": report.overall,
                    "by_tier": report.by_tier,
                    "by_cohort": report.by_cohort,
                    "accounts": report.accounts,
                }
            ).data
        )
