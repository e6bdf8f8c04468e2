"""POST /api/v1/payments/: report failed and recovered payments (payment risk), GET lists the
recorded failures. One object or a list; all or nothing: a bad item is a 400 naming its index
and field. Retries are idempotent (a failure's `external_id` is stored once; recovering what is
recovered changes nothing). Writes go through accounts.payments."""

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response

from core.db import lookup_by

from ..models import Account, PaymentFailure
from ..payments import payment_failure_record, payment_recover
from .serializers import ErrorSerializer
from .views import BodyError, ItemsInvalid

MAX_ITEMS = 1000


class PaymentInSerializer(serializers.Serializer):
    account = serializers.CharField(max_length=191, help_text="The account's external id.")
    status = serializers.ChoiceField(choices=[("failed", "failed"), ("recovered", "recovered")])
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, help_text="Required for a failure."
    )
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", required=False, help_text="ISO 4217; default the account's.")
    occurred_at = serializers.DateTimeField(required=False, help_text="When it failed / was paid; default now.")
    external_id = serializers.CharField(
        max_length=180, required=False, allow_blank=True, help_text="E.g. the invoice id: makes retries idempotent."
    )

    def validate(self, attrs):
        if attrs["status"] == "failed" and attrs.get("amount") is None:
            raise serializers.ValidationError({"amount": [_("A failed payment needs its amount.")]})
        return attrs


class PaymentFailureSerializer(serializers.ModelSerializer):
    account = serializers.SlugRelatedField(slug_field="external_id", read_only=True)

    class Meta:
        model = PaymentFailure
        fields = ["id", "external_id", "account", "amount", "currency", "failed_at", "recovered_at", "source"]


class PaymentsResultSerializer(serializers.Serializer):
    failed = serializers.IntegerField(help_text="New failures stored.")
    recovered = serializers.IntegerField(help_text="Open failures marked recovered.")


class PaymentsView(ListAPIView):
    """Failed payments (open first, newest first) and the write path for payment news."""

    serializer_class = PaymentFailureSerializer
    filter_backends: list = []

    def get_queryset(self):
        qs = PaymentFailure.objects.select_related("account").order_by("-id")
        account = self.request.query_params.get("account")
        if account:
            qs = qs.filter(account__external_id=account)
        if self.request.query_params.get("open") in ("1", "true"):
            qs = qs.filter(recovered_at__isnull=True)
        return qs

    @extend_schema(
        summary="Report failed or recovered payments (one or a list; all or nothing)",
        request={"application/json": PaymentInSerializer(many=True)},
        responses={200: PaymentsResultSerializer, 400: ErrorSerializer},
        examples=[
            OpenApiExample(
                "A failure",
                value=[
                    {
                        "account": "acme",
                        "status": "failed",
                        "amount": 1200,
                        "currency": "EUR",
                        "occurred_at": "2026-01-05T10:00:00Z",
                        "external_id": "in_123",
                    }
                ],  # fmt: skip
                request_only=True,
            )
        ],
    )
    def post(self, request, *args, **kwargs):
        items = request.data
        if isinstance(items, dict):
            items = [items]
        if not isinstance(items, list) or not items or len(items) > MAX_ITEMS:
            raise BodyError(_("Send an object or a list of 1 to %(n)d objects.") % {"n": MAX_ITEMS})
        errors, cleaned = [], []
        for index, item in enumerate(items):
            serializer = PaymentInSerializer(data=item if isinstance(item, dict) else {})
            if not serializer.is_valid():
                for field, reasons in serializer.errors.items():
                    for reason in reasons if isinstance(reasons, list) else [reasons]:
                        errors.append({"index": index, "field": field, "reason": str(reason)})
                continue
            cleaned.append((index, serializer.validated_data))
        accounts = lookup_by(Account.objects.all(), "external_id", [v["account"] for _i, v in cleaned])
        for index, value in cleaned:
            if value["account"] not in accounts:
                errors.append({"index": index, "field": "account", "reason": _("No account with this external id.")})
        if errors:
            raise ItemsInvalid(errors)
        failed = recovered = 0
        with transaction.atomic():
            for _index, value in cleaned:
                account = accounts[value["account"]]
                if value["status"] == "failed":
                    _failure, created = payment_failure_record(
                        account=account,
                        amount=value["amount"],
                        currency=value.get("currency") or account.currency,
                        failed_at=value.get("occurred_at"),
                        external_id=value.get("external_id") or None,
                        source="api",
                    )
                    failed += int(created)
                else:
                    recovered += len(
                        payment_recover(
                            account=account,
                            external_id=value.get("external_id") or None,
                            recovered_at=value.get("occurred_at"),
                        )
                    )
        return Response({"failed": failed, "recovered": recovered}, status=status.HTTP_200_OK)
