"""Serializers of the risks API: accounts by external id, reasons by code, owners by username."""

from rest_framework import serializers

from accounts.models import Account
from core.models import User

from ..choices import RISK_CLOSED_STATUSES, RISK_OPEN_STATUSES, RiskSeverity, RiskType
from ..models import ReasonCode, Risk


class RiskSerializer(serializers.ModelSerializer):
    account = serializers.SlugRelatedField(slug_field="external_id", queryset=Account.objects.all())
    account_name = serializers.CharField(source="account.name", read_only=True)
    reason_code = serializers.SlugRelatedField(slug_field="code", queryset=ReasonCode.objects.filter(archived=False))
    owner = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    type = serializers.ChoiceField(choices=RiskType.choices)
    severity = serializers.ChoiceField(choices=RiskSeverity.choices, required=False)
    arr_at_risk = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", required=False, allow_blank=True)
    tasks = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Risk
        fields = [
            "id",
            "account",
            "account_name",
            "type",
            "reason_code",
            "arr_at_risk",
            "currency",
            "severity",
            "owner",
            "status",
            "due_date",
            "mitigation_plan",
            "source",
            "playbook",
            "tasks",
            "opened_at",
            "outcome_note",
            "closed_at",
        ]
        read_only_fields = ["id", "status", "source", "playbook", "opened_at", "outcome_note", "closed_at"]


class RiskUpdateSerializer(serializers.Serializer):
    """PATCH: any of these; status only between open and mitigating (close with /close/)."""

    status = serializers.ChoiceField(choices=[(s, s) for s in RISK_OPEN_STATUSES], required=False)
    reason_code = serializers.SlugRelatedField(
        slug_field="code", queryset=ReasonCode.objects.filter(archived=False), required=False
    )
    severity = serializers.ChoiceField(choices=RiskSeverity.choices, required=False)
    arr_at_risk = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    owner = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    due_date = serializers.DateField(required=False, allow_null=True)
    mitigation_plan = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class RiskCloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[(s, s) for s in RISK_CLOSED_STATUSES])
    note = serializers.CharField(max_length=10000)
