"""GET / POST /api/v1/fx-rates/: the monthly exchange-rate table (accounts.currency).

POST takes one object or a list of up to 10,000 `{"currency": "EUR", "month": "2026-01",
"rate": 1.08}` (1 EUR = 1.08 base currency); all or nothing: a bad item is a 400 naming its
index and field. Managers and write keys. `MissingRateConflict` is the 409 every API that adds
money answers when a rate is missing (docs/api.md "Currency")."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.generics import ListAPIView
from rest_framework.response import Response

from core.choices import Role

from ..currency import MissingRate, RatesInvalid, base_currency, fx_rates_upsert, parse_month
from ..currency.selectors import fx_rate_list
from ..models import FxRate
from .serializers import ErrorSerializer
from .views import BodyError, ItemsInvalid

MAX_ITEMS = 10_000


class MissingRateConflict(APIException):
    """409 {"code": "missing_fx_rate", "message", "missing": [{"currency", "month"}]}."""

    status_code = status.HTTP_409_CONFLICT

    def __init__(self, error: MissingRate):
        super().__init__("missing_fx_rate")
        self.detail = {"code": "missing_fx_rate", "message": error.message, "missing": error.as_list()}


class FxRateSerializer(serializers.ModelSerializer):
    month = serializers.SerializerMethodField(help_text="YYYY-MM.")
    base = serializers.SerializerMethodField(help_text="The base currency the rate converts to.")

    class Meta:
        model = FxRate
        fields = ["currency", "month", "rate", "base", "source", "updated_at"]

    def get_month(self, obj) -> str:
        return f"{obj.month:%Y-%m}"

    def get_base(self, obj) -> str:
        return base_currency()


class FxRateInSerializer(serializers.Serializer):
    """Schema only: the items are checked by accounts.currency.fx_rates_upsert."""

    currency = serializers.CharField(help_text="ISO 4217 code, not the base currency.")
    month = serializers.CharField(help_text="YYYY-MM.")
    rate = serializers.DecimalField(max_digits=20, decimal_places=10, help_text="1 unit = rate x base currency.")


class FxRatesStoredSerializer(serializers.Serializer):
    stored = serializers.IntegerField()


class FxRatesView(ListAPIView):
    """The exchange-rate table: list (filter by `currency`, `month`) and upsert."""

    serializer_class = FxRateSerializer
    write_role = Role.MANAGER
    filter_backends: list = []

    def get_queryset(self):
        currency = (self.request.query_params.get("currency") or "").strip()
        rates = fx_rate_list(currency=currency)
        month = self.request.query_params.get("month")
        if month:
            parsed = parse_month(month)
            if parsed is None:
                raise serializers.ValidationError({"month": [_("A month written YYYY-MM, e.g. 2026-01.")]})
            rates = rates.filter(month=parsed)
        return rates.order_by("-id")

    @extend_schema(
        summary="List exchange rates",
        parameters=[
            OpenApiParameter("currency", str, description="Only this currency."),
            OpenApiParameter("month", str, description="Only this month (YYYY-MM)."),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Store exchange rates (one or a list; all or nothing)",
        request={"application/json": FxRateInSerializer(many=True)},
        responses={200: FxRatesStoredSerializer, 400: ErrorSerializer},
        examples=[
            OpenApiExample("January", value=[{"currency": "EUR", "month": "2026-01", "rate": 1.08}], request_only=True)
        ],
        description="1 unit of `currency` = `rate` units of the base currency during `month`. A bad item is a 400 "
        'with `errors`: [{"index", "field", "reason"}] and nothing is stored.',
    )
    def post(self, request, *args, **kwargs):
        items = request.data
        if isinstance(items, dict):
            items = [items]
        if not isinstance(items, list):
            raise BodyError(_("Send an object or a list of objects."))
        if len(items) > MAX_ITEMS:
            raise BodyError(_("At most %(n)d items per request.") % {"n": MAX_ITEMS})
        try:
            stored = fx_rates_upsert(rates=items, source="api")
        except RatesInvalid as error:
            raise ItemsInvalid(error.errors) from error
        return Response({"stored": stored}, status=status.HTTP_200_OK)
