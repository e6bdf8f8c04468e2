"""`/api/v1/risks/`: list (filters), read, open (POST), change (PATCH), close (POST
`/risks/<id>/close/`). Writes go through renewals.services and need a team member's login (the
timeline names who did it) or a write-scoped API key for opening (source "api")."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from core.models import User

from ..choices import RiskSeverity, RiskSource, RiskStatus, RiskType
from ..models import Risk
from ..selectors import risk_list
from ..services import risk_close, risk_open, risk_update
from .serializers_risks import RiskCloseSerializer, RiskSerializer, RiskUpdateSerializer


def _drf_error(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})


@extend_schema(
    parameters=[
        OpenApiParameter("status", str, enum=RiskStatus.values, required=False),
        OpenApiParameter("type", str, enum=RiskType.values, required=False),
        OpenApiParameter("severity", str, enum=RiskSeverity.values, required=False),
        OpenApiParameter("owner", str, required=False, description="username"),
        OpenApiParameter("account", str, required=False, description="account external id"),
    ]
)
class RiskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = RiskSerializer
    filter_backends: list = []

    def get_queryset(self):
        qs = risk_list().prefetch_related("tasks").order_by("-id")
        params = self.request.query_params
        for name, values in (
            ("status", RiskStatus.values),
            ("type", RiskType.values),
            ("severity", RiskSeverity.values),
        ):
            value = params.get(name)
            if value:
                if value not in values:
                    raise ValidationError({name: f"one of {', '.join(values)}"})
                qs = qs.filter(**{name: value})
        if params.get("owner"):
            qs = qs.filter(owner__username=params["owner"])
        if params.get("account"):
            qs = qs.filter(account__external_id=params["account"])
        return qs

    def _user(self):
        user = self.request.user
        if not isinstance(user, User):
            raise PermissionDenied("Risks are changed by team members, not API keys.")
        return user

    def _run(self, fn):
        try:
            risk = fn()
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return risk

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        user = self._user()
        risk = self._run(lambda: risk_open(user=user, source=RiskSource.API, **data))
        return Response(RiskSerializer(self.get_queryset().get(pk=risk.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RiskUpdateSerializer, responses=RiskSerializer)
    def partial_update(self, request, pk=None):
        body = RiskUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = self._user()
        risk = self._run(lambda: risk_update(user=user, risk=self.get_object(), **body.validated_data))
        return Response(RiskSerializer(self.get_queryset().get(pk=risk.pk)).data)

    @extend_schema(request=RiskCloseSerializer, responses=RiskSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        body = RiskCloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = self._user()
        risk = self._run(lambda: risk_close(user=user, risk=self.get_object(), **body.validated_data))
        return Response(RiskSerializer(self.get_queryset().get(pk=risk.pk)).data)


__all__ = ["Risk", "RiskViewSet"]
