"""GET /api/v1/metrics/: DESIGN.md's metric table for a period and a slice."""

from datetime import date
from decimal import Decimal

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.fx_rates import MissingRateConflict
from accounts.choices import Tier
from accounts.currency import MissingRate, subscription_missing_rates
from core.models import User
from reports import selectors
from reports.periods import Period
from usage.metrics import METRIC_KEYS

MONEY_KEYS = {"mrr_start", "mrr_end", "mrr_new", "mrr_reactivation", "mrr_expansion", "mrr_contraction", "mrr_churned",
              "clv", "crc"}  # fmt: skip

HELP = {
    "mrr_start": "Total MRR on `start`.",
    "mrr_end": "Total MRR on `end`.",
    "mrr_new": "MRR on `end` of accounts with MRR 0 on `start` that were never paid before `start`.",
    "mrr_reactivation": "MRR on `end` of accounts with MRR 0 on `start` that were paid before.",
    "mrr_expansion": "Over accounts active on both days: sum of max(0, MRR(end) - MRR(start)).",
    "mrr_contraction": "Over accounts active on both days: sum of max(0, MRR(start) - MRR(end)).",
    "mrr_churned": "MRR on `start` of accounts active on `start` and not on `end`.",
    "grr": "(mrr_start - mrr_contraction - mrr_churned) / mrr_start, a fraction.",
    "nrr": "(mrr_start + mrr_expansion - mrr_contraction - mrr_churned) / mrr_start, a fraction.",
    "logo_churn_rate": "Accounts active on `start` and not on `end` / accounts active on `start`.",
    "renewal_rate": "Paid subscriptions ending in the period whose account is still active on that end date / "
    "paid subscriptions ending in the period.",
    "trial_conversion_rate": "Trials ending in the period whose account is active on some day in "
    "[trial end, trial end + 30 days) / trials ending in the period.",
    "nps": "% promoters (9-10) - % detractors (0-6) over NPS answers submitted in the period, -100..100.",
    "csat": "Share of CSAT answers (1-5) that are 4 or 5, a fraction.",
    "ces": "Mean CES answer (1-7).",
    "fcr": "Tickets resolved in the period with a single agent reply / tickets resolved in the period.",
    "avg_first_response_hours": "Mean hours from opening to first response, tickets opened in the period.",
    "clv": "Annual revenue per account active on `end` x expected lifetime in years "
    "(1 / annualised logo churn rate); null when no account churned.",
    "crc": "Cost entries with period_start in the period / accounts active on `start`; null for a slice "
    "(cost entries carry no account).",
}


class MetricsQuerySerializer(serializers.Serializer):
    start = serializers.DateField(help_text="First day of the period (YYYY-MM-DD, UTC).")
    end = serializers.DateField(help_text="Day after the period's last day (exclusive, YYYY-MM-DD, UTC).")
    segment = serializers.CharField(required=False, allow_blank=True, max_length=64)
    tier = serializers.ChoiceField(choices=Tier.choices, required=False, allow_blank=True)
    csm = serializers.IntegerField(required=False, min_value=1, help_text="Id of the CSM (the accounts' owner).")

    def validate_csm(self, value: int) -> int:
        if not User.objects.filter(pk=value).exists():
            raise serializers.ValidationError("No such user.")
        return value

    def validate(self, attrs):
        if attrs["start"] >= attrs["end"]:
            raise serializers.ValidationError({"end": ["Must be after start (the period is [start, end))."]})
        return attrs


class MetricsSerializer(serializers.Serializer):
    """Exactly DESIGN.md's keys; null = no data."""

    def get_fields(self):
        return {
            key: serializers.FloatField(allow_null=True, read_only=True, help_text=HELP[key]) for key in METRIC_KEYS
        }


def _as_number(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


class MetricsView(APIView):
    """Customer success metrics for [start, end) over the whole book or a slice."""

    @extend_schema(
        operation_id="metrics_retrieve",
        parameters=[MetricsQuerySerializer],
        responses={200: MetricsSerializer, 409: OpenApiResponse(description="A needed exchange rate is missing.")},
        examples=[
            OpenApiExample(
                "January",
                value={"mrr_start": 1060.0, "mrr_end": 730.0, "grr": 0.434, "nrr": 0.5283, "nps": 20.0, "crc": None},
                response_only=True,
            )
        ],
        description="Every key follows DESIGN.md's metric definitions; see docs/metrics.md for worked examples. "
        "Money is in the base currency (settings BASE_CURRENCY; each account's MRR on a day at that month's "
        "exchange rate), ratios are fractions, null means no data. "
        "400 names the field and the reason for a missing or bad date, or start >= end. "
        "409 `missing_fx_rate` when a sum needs an exchange rate that is not loaded: `missing` lists "
        '[{"currency", "month"}].',
    )
    def get(self, request):
        query = MetricsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        start: date = data["start"]
        end: date = data["end"]
        filters = selectors.Filters(
            segment=data.get("segment") or "", tier=data.get("tier") or "", owner_id=data.get("csm")
        )
        period = Period("custom", "custom", start, end)
        # Never add unconverted money: name what is missing (docs/metrics.md "Currency").
        accounts = None if filters.is_everyone else filters.accounts()
        missing = subscription_missing_rates(days=[start, end], accounts=accounts)
        if missing:
            raise MissingRateConflict(MissingRate(missing))
        result = selectors.period_metrics(period, filters, selectors.last_refresh(), with_usage=False)
        body = {key: _as_number(result["metrics"][key]) for key in METRIC_KEYS}
        response = Response(body)
        response["X-Metrics-Source"] = result["source"]
        response["X-Metrics-As-Of"] = timezone.now().date().isoformat()
        return response
