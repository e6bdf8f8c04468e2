"""API shapes of opportunities and the forecast. Opportunities refer to their account by
external id, their owner by username and their stage by name."""

from rest_framework import serializers

from accounts.api.serializers import ExternalIdRelatedField
from accounts.models import Account, Subscription
from core.models import User

from ..choices import ForecastCategory, OpportunityKind
from ..models import Opportunity, PipelineStage


class OpportunitySerializer(serializers.ModelSerializer):
    account = ExternalIdRelatedField(queryset=Account.objects.all())
    subscription = ExternalIdRelatedField(queryset=Subscription.objects.all(), required=False, allow_null=True)
    owner = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    stage = serializers.SlugRelatedField(slug_field="name", queryset=PipelineStage.objects.all(), required=False)
    kind = serializers.ChoiceField(choices=OpportunityKind.choices, required=False)
    category = serializers.ChoiceField(choices=ForecastCategory.choices, required=False)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    call_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", required=False)
    external_id = serializers.CharField(max_length=191, required=False, allow_null=True, allow_blank=True)
    next_step = serializers.CharField(max_length=255, required=False, allow_blank=True)

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "external_id",
            "kind",
            "account",
            "subscription",
            "amount",
            "currency",
            "close_date",
            "stage",
            "status",
            "category",
            "owner",
            "call_amount",
            "next_step",
            "renew_probability",
            "amount_retained",
            "outcome",
            "term_end",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "renew_probability",
            "amount_retained",
            "outcome",
            "term_end",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        # The unique external id is checked by the service (a 400 naming the field), and the
        # upsert must not be refused by it.
        validators: list = []
        extra_kwargs = {"close_date": {"required": True}}


class ForecastQuerySerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    csm = serializers.IntegerField(required=False, min_value=1)
    team = serializers.IntegerField(required=False, min_value=1)
    segment = serializers.CharField(required=False, max_length=64, allow_blank=True)
    tier = serializers.CharField(required=False, max_length=16, allow_blank=True)

    def validate(self, attrs):
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": "must be after start"})
        if (attrs["end"] - attrs["start"]).days > 3 * 366:
            raise serializers.ValidationError({"end": "the window is at most three years"})
        return attrs


class ForecastFiguresSerializer(serializers.Serializer):
    up_for_renewal_arr = serializers.DecimalField(max_digits=18, decimal_places=0)
    expected_arr = serializers.DecimalField(max_digits=18, decimal_places=0)
    committed_arr = serializers.DecimalField(max_digits=18, decimal_places=0)
    best_case_arr = serializers.DecimalField(max_digits=18, decimal_places=0)
    won_arr = serializers.DecimalField(max_digits=18, decimal_places=0)
    lost_arr = serializers.DecimalField(max_digits=18, decimal_places=0)
    open_arr = serializers.DecimalField(max_digits=18, decimal_places=0)
    opportunities = serializers.IntegerField()


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_null=True)


class CsmFiguresSerializer(ForecastFiguresSerializer):
    csm = PersonSerializer()


class TeamFiguresSerializer(ForecastFiguresSerializer):
    manager = PersonSerializer()


class CategoryFiguresSerializer(ForecastFiguresSerializer):
    category = serializers.CharField()
    label = serializers.CharField()


class MonthFiguresSerializer(ForecastFiguresSerializer):
    month = serializers.CharField()


class MissingRateSerializer(serializers.Serializer):
    currency = serializers.CharField()
    month = serializers.CharField()


class MissingFxRateSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    missing = MissingRateSerializer(many=True)


class ForecastSerializer(ForecastFiguresSerializer):
    start = serializers.DateField()
    end = serializers.DateField()
    currency = serializers.CharField()
    probability_source = serializers.ChoiceField(choices=["churn_model", "band_rates"])
    missing_rates = MissingRateSerializer(many=True)
    by_csm = CsmFiguresSerializer(many=True)
    by_team = TeamFiguresSerializer(many=True)
    by_category = CategoryFiguresSerializer(many=True)
    by_month = MonthFiguresSerializer(many=True)
