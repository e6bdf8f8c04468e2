"""API shapes of usage events. Rows name their account and contact by external id; the views call
usage.ingest to write."""

from rest_framework import serializers

from ..models import UsageEvent

__all__ = ["EventBulkResultSerializer", "UsageEventInputSerializer", "UsageEventSerializer"]


class UsageEventSerializer(serializers.ModelSerializer):
    account = serializers.SlugRelatedField(slug_field="external_id", read_only=True)
    contact = serializers.SlugRelatedField(slug_field="external_id", read_only=True, allow_null=True)

    class Meta:
        model = UsageEvent
        fields = ["id", "account", "contact", "event", "occurred_at", "properties", "message_id"]


class UsageEventInputSerializer(serializers.Serializer):
    """One row of POST /api/v1/events/ and /api/v1/events/bulk (validated by usage.ingest)."""

    account = serializers.CharField(help_text="The account's external id.")
    contact = serializers.CharField(required=False, allow_null=True, help_text="The contact's external id.")
    event = serializers.CharField(max_length=128)
    occurred_at = serializers.DateTimeField(help_text="ISO 8601; UTC when it has no offset.")
    properties = serializers.DictField(required=False)
    message_id = serializers.CharField(
        max_length=128, required=False, allow_null=True, help_text="A repeated id is stored once."
    )


class EventBulkResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    stored = serializers.IntegerField()
    duplicates = serializers.IntegerField()
