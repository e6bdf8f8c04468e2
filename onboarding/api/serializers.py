from rest_framework import serializers

from accounts.models import Account
from core.api.translations import TranslationsField

from ..models import (
    AccountChecklist,
    AccountChecklistItem,
    ChecklistTemplate,
    Milestone,
    PlanGoal,
    Stage,
    SuccessMap,
    SuccessMapVersion,
    SuccessPlan,
    SuccessVehicle,
)


class MilestoneSerializer(serializers.ModelSerializer):
    translations = TranslationsField(read_only=True)

    class Meta:
        model = Milestone
        fields = [
            "id",
            "key",
            "title",
            "translations",
            "kind",
            "event_name",
            "metric_key",
            "metric_op",
            "metric_threshold",
        ]


class VehicleSerializer(serializers.ModelSerializer):
    translations = TranslationsField(read_only=True)

    class Meta:
        model = SuccessVehicle
        fields = ["id", "key", "title", "translations", "kind", "url"]


class StageSerializer(serializers.ModelSerializer):
    translations = TranslationsField(read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)
    vehicles = VehicleSerializer(many=True, read_only=True)

    class Meta:
        model = Stage
        fields = ["id", "key", "position", "name", "description", "translations", "milestones", "vehicles"]


class MapVersionSerializer(serializers.ModelSerializer):
    stages = StageSerializer(many=True, read_only=True)

    class Meta:
        model = SuccessMapVersion
        fields = ["id", "number", "status", "note", "published_at", "stages"]


class SuccessMapSerializer(serializers.ModelSerializer):
    persona = serializers.CharField(source="persona.name", read_only=True)
    versions = MapVersionSerializer(many=True, read_only=True)

    class Meta:
        model = SuccessMap
        fields = ["id", "name", "description", "persona", "versions"]


class PlanGoalSerializer(serializers.ModelSerializer):
    owner_user = serializers.CharField(source="owner_user.username", read_only=True, default=None, allow_null=True)
    owner_contact = serializers.CharField(
        source="owner_contact.external_id", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = PlanGoal
        fields = [
            "id",
            "title",
            "stage",
            "milestone",
            "due_date",
            "owner_user",
            "owner_contact",
            "completed_at",
            "completion_source",
        ]


class SuccessPlanSerializer(serializers.ModelSerializer):
    account = serializers.SlugRelatedField(slug_field="external_id", read_only=True)
    success_map = serializers.IntegerField(source="map_version.success_map_id", read_only=True)
    map_version = serializers.IntegerField(source="map_version.number", read_only=True)
    current_stage = serializers.CharField(source="current_stage.name", read_only=True, default=None)
    target_stage = serializers.CharField(source="target_stage.name", read_only=True, default=None)
    goals = PlanGoalSerializer(many=True, read_only=True)

    class Meta:
        model = SuccessPlan
        fields = [
            "id",
            "account",
            "success_map",
            "map_version",
            "status",
            "current_stage",
            "target_stage",
            "stage_changed_at",
            "created_at",
            "goals",
        ]


class SuccessPlanStartSerializer(serializers.Serializer):
    """Start a plan (or get the account's active plan on the same map)."""

    account = serializers.SlugRelatedField(slug_field="external_id", queryset=Account.objects.all())
    success_map = serializers.PrimaryKeyRelatedField(queryset=SuccessMap.objects.all())
    current_stage = serializers.PrimaryKeyRelatedField(queryset=Stage.objects.all(), required=False, allow_null=True)
    target_stage = serializers.PrimaryKeyRelatedField(queryset=Stage.objects.all(), required=False, allow_null=True)


class ChecklistItemSerializer(serializers.ModelSerializer):
    translations = TranslationsField(read_only=True)

    class Meta:
        model = AccountChecklistItem
        fields = [
            "id",
            "title",
            "translations",
            "owner",
            "due_date",
            "completion_event",
            "completed_at",
            "completion_source",
        ]


class AccountChecklistSerializer(serializers.ModelSerializer):
    account = serializers.SlugRelatedField(slug_field="external_id", read_only=True)
    items = ChecklistItemSerializer(many=True, read_only=True)

    class Meta:
        model = AccountChecklist
        fields = [
            "id",
            "account",
            "template",
            "name",
            "contract_start",
            "value_event",
            "status",
            "started_at",
            "completed_at",
            "items",
        ]


class ChecklistStartSerializer(serializers.Serializer):
    """Start the account's onboarding checklist (template by tier when omitted)."""

    account = serializers.SlugRelatedField(slug_field="external_id", queryset=Account.objects.all())
    template = serializers.PrimaryKeyRelatedField(
        queryset=ChecklistTemplate.objects.filter(is_active=True), required=False, allow_null=True
    )


class TTFVGroupSerializer(serializers.Serializer):
    accounts = serializers.IntegerField()
    reached = serializers.IntegerField()
    pending = serializers.IntegerField()
    median_days = serializers.FloatField(allow_null=True)


class TTFVAccountSerializer(serializers.Serializer):
    account_id = serializers.IntegerField()
    name = serializers.CharField()
    tier = serializers.CharField()
    contract_start = serializers.DateField()
    cohort = serializers.CharField()
    value_event = serializers.CharField()
    first_value_at = serializers.DateTimeField(allow_null=True)
    days = serializers.IntegerField(allow_null=True)


class TTFVSerializer(serializers.Serializer):
    overall = TTFVGroupSerializer()
    by_tier = serializers.DictField(child=TTFVGroupSerializer())
    by_cohort = serializers.DictField(child=TTFVGroupSerializer())
    accounts = TTFVAccountSerializer(many=True)
