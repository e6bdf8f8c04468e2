from django.utils import timezone
from rest_framework import serializers

from ..choices import LANGUAGES, SCORE_RANGE, SurveyKind, score_category
from ..models import SurveyResponse
from ..services import MAX_COMMENT


class SurveyResponseSerializer(serializers.ModelSerializer):
    """An answer. POST imports past answers: `account` and `contact` are external ids;
    `external_id` (optional) makes re-imports update instead of duplicating (without it, the
    same kind + account + contact + submitted_at is the same answer)."""

    account = serializers.CharField(max_length=191, help_text="Account external id.")
    contact = serializers.CharField(max_length=191, required=False, allow_null=True, allow_blank=True, default=None)
    score = serializers.IntegerField(min_value=0, max_value=10)
    comment = serializers.CharField(max_length=MAX_COMMENT, required=False, allow_blank=True, default="")
    language = serializers.CharField(max_length=8, required=False, default="en")
    submitted_at = serializers.DateTimeField(required=False, help_text="Historical time of the answer; default now.")
    external_id = serializers.CharField(max_length=180, required=False, allow_blank=True, write_only=True, default="")
    category = serializers.SerializerMethodField()

    class Meta:
        model = SurveyResponse
        fields = [
            "id",
            "kind",
            "account",
            "contact",
            "score",
            "category",
            "comment",
            "language",
            "channel",
            "submitted_at",
            "survey",
            "external_id",
        ]
        read_only_fields = ["id", "channel", "survey", "category"]

    def get_category(self, obj) -> str:
        return score_category(obj.kind, obj.score)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["account"] = instance.account.external_id if instance.account_id else None
        data["contact"] = instance.contact.external_id if instance.contact_id else None
        return data

    def validate_language(self, value):
        if value not in LANGUAGES:
            raise serializers.ValidationError(f"must be one of {', '.join(LANGUAGES)}")
        return value

    def validate_submitted_at(self, value):
        if value > timezone.now() + timezone.timedelta(minutes=5):
            raise serializers.ValidationError("cannot be in the future")
        return value

    def validate(self, attrs):
        refs = self.context.get("refs", {})
        errors = {}
        low, high = SCORE_RANGE[SurveyKind(attrs["kind"])]
        if not low <= attrs["score"] <= high:
            errors["score"] = f"must be between {low} and {high} for {attrs['kind']}"
        account = refs.get("account", {}).get(attrs["account"])
        if account is None:
            errors["account"] = f"unknown account {attrs['account']!r}"
        contact = None
        if attrs.get("contact"):
            contact = refs.get("contact", {}).get(attrs["contact"])
            if contact is None:
                errors["contact"] = f"unknown contact {attrs['contact']!r}"
            elif account is not None and contact.account_id != account.id:
                errors["contact"] = "belongs to another account"
        if errors:
            raise serializers.ValidationError(errors)
        return {**attrs, "account": account, "contact": contact}
