from datetime import date

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.access import records_readable
from core.api.pagination import CursorPagination
from core.choices import Role

from ..backtest import backtest
from ..models import ChurnModel, HealthScore
from ..services import today
from ..views import parse_weights
from .serializers import BacktestSerializer, HealthScoreSerializer


class ScorePagination(CursorPagination):
    ordering = "account_id"


def _as_of(request) -> date:
    raw = request.query_params.get("as_of")
    if raw is None:
        return today()
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError({"as_of": f"{raw!r} is not a YYYY-MM-DD date."}) from exc


@extend_schema(
    parameters=[
        OpenApiParameter("as_of", OpenApiTypes.DATE, description="Day of the scores (UTC); default today."),
        OpenApiParameter("band", OpenApiTypes.STR, enum=["red", "yellow", "green"], required=False),
        OpenApiParameter(
            "account",
            OpenApiTypes.STR,
            required=False,
            description="One account's score, by its external id; an unknown account gives an empty list.",
        ),
    ]
)
class HealthScoreViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Every account's health on a day: score, band and each measure's value, score and
    contribution (DESIGN.md fixed interface)."""

    serializer_class = HealthScoreSerializer
    pagination_class = ScorePagination
    filter_backends: list = []

    def get_queryset(self):
        qs = HealthScore.objects.filter(day=_as_of(self.request)).select_related("account", "scorecard")
        qs = records_readable(self.request.user, qs)  # accounts.access: the read scope
        band = self.request.query_params.get("band")
        if band is not None:
            if band not in ("red", "yellow", "green"):
                raise ValidationError({"band": "one of red, yellow, green"})
            qs = qs.filter(band=band)
        account = self.request.query_params.get("account")
        if account is not None:
            qs = qs.filter(account__external_id=account)
        return qs


class BacktestView(GenericAPIView):
    """How well past scores predicted churn 30/60/90 days ahead (ROC AUC, churn rate and lift
    per band); `w_<measure>=N` rescores the stored snapshots with other weights. One object,
    not a list (an APIView, so that the schema says so)."""

    serializer_class = BacktestSerializer
    pagination_class = None
    filter_backends: list = []
    read_role = Role.MANAGER

    @extend_schema(
        operation_id="health_backtest_retrieve",
        parameters=[
            OpenApiParameter(
                "w_usage_frequency", OpenApiTypes.NUMBER, description="Any w_<measure key>: a weight 0-100 to try."
            )
        ],
        responses={200: BacktestSerializer},
    )
    def get(self, request):
        empty = sorted(k for k, v in request.query_params.items() if k.startswith("w_") and v == "")
        if empty:
            raise ValidationError({name: ["must be a number from 0 to 100"] for name in empty})
        weights, errors = parse_weights(request.query_params)
        if errors:
            raise ValidationError({"weights": errors})
        result = backtest(as_of=today(), weights=weights or None)
        model = ChurnModel.objects.first()
        result["model"] = (
            {
                "trained_at": model.trained_at,
                "horizon_days": model.horizon_days,
                "features": model.features,
                "coefficients": model.coefficients,
                "metrics": model.metrics,
            }
            if model
            else None
        )
        return Response(BacktestSerializer(result).data)
