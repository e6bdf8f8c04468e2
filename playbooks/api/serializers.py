from rest_framework import serializers

from core.api.translations import TranslationsField

from ..choices import Priority, TaskStatus
from ..models import EmailTemplate, Playbook, Task


class PlaybookSerializer(serializers.ModelSerializer):
    """Trigger params, conditions and actions are validated by the playbook service (400 with
    the field and the reason)."""

    class Meta:
        model = Playbook
        fields = [
            "id",
            "name",
            "description",
            "trigger_type",
            "trigger_params",
            "conditions",
            "actions",
            "enabled",
            "cooldown_days",
            "max_enrolments",
            "version",
            "created_at",
            "updated_at",
            "last_run_at",
        ]
        read_only_fields = ["id", "version", "created_at", "updated_at", "last_run_at"]


class EmailTemplateSerializer(serializers.ModelSerializer):
    """An e-mail to contacts: `subject` and `body` in the default language, `translations` in the
    others; each contact gets their language's, else the default (playbooks.services.templates)."""

    translations = TranslationsField()

    class Meta:
        model = EmailTemplate
        fields = ["id", "name", "subject", "body", "translations", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class TaskSerializer(serializers.ModelSerializer):
    account_external_id = serializers.CharField(source="account.external_id", read_only=True)
    account_name = serializers.CharField(source="account.name", read_only=True)
    playbook_name = serializers.CharField(source="playbook.name", read_only=True, default=None, allow_null=True)
    priority_label = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "account",
            "account_external_id",
            "account_name",
            "playbook",
            "playbook_name",
            "title",
            "body",
            "reason",
            "signal",
            "priority",
            "priority_label",
            "due_date",
            "assignee",
            "status",
            "snoozed_until",
            "outcome_note",
            "completed_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_priority_label(self, obj) -> str:
        return Priority(obj.priority).label.lower()


class TaskCompleteSerializer(serializers.Serializer):
    outcome_note = serializers.CharField(max_length=5000)


class TaskSnoozeSerializer(serializers.Serializer):
    until = serializers.DateField()


class TaskReassignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField()


TASK_STATUSES = TaskStatus.values
