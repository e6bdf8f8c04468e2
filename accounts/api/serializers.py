"""API shapes (DESIGN.md "Import shapes"). Objects refer to their account (and contact,
parent account) by external id. Serializers validate and shape; the views call
accounts.records to write."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.utils.translation import gettext as _
from rest_framework import serializers

from core.models import User

from ..choices import ActivityKind, HealthBand
from ..custom_fields.values import custom_field_values_clean
from ..models import Account, Activity, Contact, CostEntry, Subscription, SupportTicket

__all__ = [
    "AccountSerializer",
    "ActivitySerializer",
    "BulkResultSerializer",
    "ContactSerializer",
    "CostEntrySerializer",
    "ErrorSerializer",
    "SubscriptionSerializer",
    "TicketSerializer",
]


# Section: fields


class ExternalIdRelatedField(serializers.SlugRelatedField):
    """A reference by external id. For a list of 10,000 items the view loads every referenced
    object in one query and puts it in the context (`refs[model]`), so validation makes no
    query per item."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "external_id")
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        if data == "":  # DRF would read "" as null; the schema says a non-empty external id or null
            self.fail("invalid")
        return super().run_validation(data)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not data.strip():
            self.fail("invalid")
        refs = self.context.get("refs", {}).get(self.queryset.model)
        if refs is not None:
            if data in refs:
                return refs[data]
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().to_internal_value(data)


def _no_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, dict):
        return all(_no_nul(k) and _no_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_no_nul(v) for v in value)
    return True


class JSONObjectField(serializers.JSONField):
    """A JSON object (not a list or a scalar) that PostgreSQL can store (no NUL characters)."""

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if not isinstance(data, dict):
            raise serializers.ValidationError(_("Must be a JSON object."))
        if not _no_nul(data):
            raise serializers.ValidationError(_("Must not contain NUL characters."))
        return data


class ExternalIdListSerializer(serializers.ListSerializer):
    """A list of up to MAX_ITEMS; the same external id twice in one list is refused."""

    MAX_ITEMS = 10_000
    unique_key = "external_id"

    def validate(self, attrs):
        if len(attrs) > self.MAX_ITEMS:
            raise serializers.ValidationError(_("At most %(max)s items per request.") % {"max": self.MAX_ITEMS})
        return attrs


def _from_json(field) -> bool:
    """An API request's JSON body (the CSV import, which reads only strings, coerces as before)."""
    return field.context.get("request") is not None


class StrictCharField(serializers.CharField):
    """A JSON string, not a number DRF would turn into one (the schema says string)."""

    def to_internal_value(self, data):
        if _from_json(self) and not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A JSON true or false, not DRF's "yes" / 1 (the schema says boolean)."""

    def to_internal_value(self, data):
        if not _from_json(self):
            return super().to_internal_value(data)
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


STRICT_FIELD_MAPPING = {
    **serializers.ModelSerializer.serializer_field_mapping,
    models.CharField: StrictCharField,
    models.TextField: StrictCharField,
    models.EmailField: serializers.EmailField,
    models.BooleanField: StrictBooleanField,
}


class ImportSerializer(serializers.ModelSerializer):
    """Base: model constraints re-checked here so that bad data is a 400, not a database error;
    JSON types taken as the schema states them."""

    serializer_field_mapping = STRICT_FIELD_MAPPING

    class Meta:
        list_serializer_class = ExternalIdListSerializer


# Section: accounts and contacts


class CustomFieldsMixin:
    """`custom_fields` by key, checked and normalised by `custom_field_values_clean` (the one
    validator): a wrong type or an unknown key is a 400 naming `custom_fields.<key>`. The
    values given are merged into the stored ones (null removes one): accounts.records."""

    custom_field_entity = "account"

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if "custom_fields" in attrs:
            instance = getattr(self, "instance", None)
            currency = attrs.get("currency") or getattr(instance, "currency", None) or "USD"
            if self.custom_field_entity == "contact":
                currency = "USD"
            try:
                attrs["custom_fields"] = custom_field_values_clean(
                    entity=self.custom_field_entity, values=attrs["custom_fields"], default_currency=currency
                )
            except DjangoValidationError as exc:
                detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
                raise serializers.ValidationError({"custom_fields": detail}) from exc
        return attrs


class AccountSerializer(CustomFieldsMixin, ImportSerializer):
    parent = ExternalIdRelatedField(
        queryset=Account.objects.all(), required=False, allow_null=True, help_text="The parent's external id."
    )
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="The owning CSM's username.",
    )
    custom_fields = JSONObjectField(required=False)
    health_band = serializers.ChoiceField(
        choices=HealthBand.choices, allow_blank=True, read_only=True, help_text="Empty until the first score."
    )

    class Meta(ImportSerializer.Meta):
        model = Account
        fields = [
            "id",
            "external_id",
            "name",
            "domain",
            "industry",
            "tier",
            "segment",
            "lifecycle_stage",
            "parent",
            "owner",
            "currency",
            "custom_fields",
            "stripe_customer_id",
            "created_at",
            "updated_at",
            "mrr",
            "renewal_date",
            "health_score",
            "health_band",
            "last_touch_at",
        ]
        read_only_fields = ["id", "updated_at", "mrr", "renewal_date", "health_score", "health_band", "last_touch_at"]
        extra_kwargs = {"external_id": {"validators": [ProhibitNullCharactersValidator()]}}

    def to_internal_value(self, data):
        if isinstance(data, dict) and isinstance(data.get("parent"), str):
            # The parent may be another item of the same list: resolved by the service.
            parent = data["parent"]
            data = {k: v for k, v in data.items() if k != "parent"}
            values = super().to_internal_value(data)
            if parent == values.get("external_id"):
                raise serializers.ValidationError({"parent": ["An account cannot be its own parent."]})
            values["parent"] = parent
            return values
        return super().to_internal_value(data)


class ContactSerializer(CustomFieldsMixin, ImportSerializer):
    custom_field_entity = "contact"
    account = ExternalIdRelatedField(queryset=Account.objects.all(), allow_null=True, help_text="External id.")
    custom_fields = JSONObjectField(required=False)

    class Meta(ImportSerializer.Meta):
        model = Contact
        fields = [
            "id",
            "external_id",
            "account",
            "email",
            "name",
            "title",
            "language",
            "timezone",
            "last_seen_at",
            "custom_fields",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "updated_at"]
        extra_kwargs = {"external_id": {"validators": [ProhibitNullCharactersValidator()]}}


# Section: revenue


class SubscriptionListSerializer(ExternalIdListSerializer):
    unique_key = "external_id"


class SubscriptionSerializer(ImportSerializer):
    account = ExternalIdRelatedField(queryset=Account.objects.all(), help_text="External id.")
    entitlements = JSONObjectField(required=False)
    external_id = serializers.CharField(
        max_length=191,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Optional. Without it, (account, plan, start_date) names the subscription for upserts.",
    )

    class Meta(ImportSerializer.Meta):
        model = Subscription
        list_serializer_class = SubscriptionListSerializer
        fields = [
            "id",
            "external_id",
            "account",
            "plan",
            "mrr",
            "currency",
            "seats",
            "entitlements",
            "start_date",
            "end_date",
            "is_trial",
            "canceled_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "updated_at"]
        extra_kwargs = {"mrr": {"min_value": 0}, "end_date": {"help_text": "Exclusive; null while open."}}

    def validate_external_id(self, value):
        return value or None

    def validate(self, attrs):
        start = attrs.get("start_date", getattr(self.instance, "start_date", None))
        end = attrs.get("end_date", getattr(self.instance, "end_date", None))
        if start and end and end <= start:
            raise serializers.ValidationError({"end_date": ["Must be after start_date (the end is exclusive)."]})
        return attrs


# Section: support, timeline, costs


class TicketSerializer(ImportSerializer):
    account = ExternalIdRelatedField(queryset=Account.objects.all(), help_text="External id.")
    contact = ExternalIdRelatedField(queryset=Contact.objects.all(), required=False, allow_null=True)

    class Meta(ImportSerializer.Meta):
        model = SupportTicket
        fields = [
            "id",
            "external_id",
            "account",
            "contact",
            "subject",
            "opened_at",
            "first_response_at",
            "resolved_at",
            "agent_replies",
            "priority",
            "status",
            "escalated",
            "updated_at",
        ]
        read_only_fields = ["id", "updated_at"]
        extra_kwargs = {"external_id": {"validators": [ProhibitNullCharactersValidator()]}}

    def validate(self, attrs):
        opened = attrs.get("opened_at", getattr(self.instance, "opened_at", None))
        for name in ("first_response_at", "resolved_at"):
            moment = attrs.get(name, getattr(self.instance, name, None))
            if opened and moment and moment < opened:
                raise serializers.ValidationError({name: ["Must not be before opened_at."]})
        return attrs


class ActivitySerializer(serializers.ModelSerializer):
    serializer_field_mapping = STRICT_FIELD_MAPPING
    account = ExternalIdRelatedField(queryset=Account.objects.all(), help_text="External id.")
    contact = ExternalIdRelatedField(queryset=Contact.objects.all(), required=False, allow_null=True)
    author = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Null for system and API entries."
    )
    metadata = JSONObjectField(required=False)
    kind = serializers.ChoiceField(choices=ActivityKind.choices, default=ActivityKind.NOTE)

    class Meta:
        model = Activity
        list_serializer_class = ExternalIdListSerializer
        fields = [
            "id",
            "account",
            "kind",
            "author",
            "contact",
            "subject",
            "body",
            "occurred_at",
            "metadata",
            "created_at",
        ]
        read_only_fields = ["id", "author", "created_at"]

    def validate(self, attrs):
        subject = attrs.get("subject", getattr(self.instance, "subject", ""))
        body = attrs.get("body", getattr(self.instance, "body", ""))
        if not (subject.strip() or body.strip()):
            raise serializers.ValidationError({"subject": ["An activity needs a subject or a body."]})
        account = attrs.get("account", getattr(self.instance, "account", None))
        contact = attrs.get("contact")
        if contact is not None and account is not None and contact.account_id != account.pk:
            raise serializers.ValidationError({"contact": ["The contact belongs to another account."]})
        return attrs


ActivitySerializer.Meta.list_serializer_class = type(
    "ActivityListSerializer", (ExternalIdListSerializer,), {"unique_key": None}
)


class CostEntrySerializer(ImportSerializer):
    class Meta(ImportSerializer.Meta):
        model = CostEntry
        list_serializer_class = type("CostListSerializer", (ExternalIdListSerializer,), {"unique_key": None})
        fields = ["id", "period_start", "period_end", "amount", "category", "note", "created_at"]
        read_only_fields = ["id", "created_at"]

    def validate(self, attrs):
        start = attrs.get("period_start", getattr(self.instance, "period_start", None))
        end = attrs.get("period_end", getattr(self.instance, "period_end", None))
        if start and end and end <= start:
            raise serializers.ValidationError({"period_end": ["Must be after period_start."]})
        return attrs


# Section: responses


class ItemErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(required=False, help_text="Position in the posted list, from 0.")
    row = serializers.IntegerField(required=False, help_text="Row number in a bulk upload, from 1.")
    field = serializers.CharField(allow_null=True)
    reason = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    errors = ItemErrorSerializer(many=True, required=False)


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    results = serializers.ListField(child=serializers.DictField())
