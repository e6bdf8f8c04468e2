from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from accounts.access import records_readable
from core.choices import Role
from core.models import User

from ..choices import TaskStatus
from ..models import EmailTemplate, Playbook, Task
from ..services import email_template_save, playbook_save, task_complete, task_reassign, task_snooze
from .serializers import (
    EmailTemplateSerializer,
    PlaybookSerializer,
    TaskCompleteSerializer,
    TaskReassignSerializer,
    TaskSerializer,
    TaskSnoozeSerializer,
)


def _drf_error(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})


class PlaybookViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Playbooks: a trigger with params, conditions and actions (docs/playbooks.md). Writes
    are for admins; every save is a new version."""

    queryset = Playbook.objects.order_by("id")
    serializer_class = PlaybookSerializer
    write_role = Role.ADMIN
    admin_only = True
    filterset_fields = ["enabled", "trigger_type"]

    def perform_create(self, serializer):
        user = self.request.user if isinstance(self.request.user, User) else None
        try:
            serializer.instance = playbook_save(user=user, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc

    def perform_update(self, serializer):
        user = self.request.user if isinstance(self.request.user, User) else None
        try:
            serializer.instance = playbook_save(playbook=serializer.instance, user=user, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc


class EmailTemplateViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """E-mail templates of playbooks, with their texts per language. Writes are for admins."""

    queryset = EmailTemplate.objects.order_by("id")
    serializer_class = EmailTemplateSerializer
    write_role = Role.ADMIN
    admin_only = True

    def perform_create(self, serializer):
        try:
            serializer.instance = email_template_save(**serializer.validated_data)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc

    def perform_update(self, serializer):
        try:
            serializer.instance = email_template_save(template=serializer.instance, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc


@extend_schema(
    parameters=[
        OpenApiParameter("status", str, enum=TaskStatus.values, required=False),
        OpenApiParameter("assignee", int, required=False),
        OpenApiParameter("account", int, required=False),
        OpenApiParameter("playbook", int, required=False),
    ]
)
class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """CSM tasks with the reason (signal) that created them; complete, snooze, reassign."""

    serializer_class = TaskSerializer
    filter_backends: list = []

    def get_queryset(self):
        qs = Task.objects.select_related("account", "playbook").order_by("-id")
        qs = records_readable(self.request.user, qs)  # accounts.access: the read scope
        params = self.request.query_params
        if params.get("status"):
            if params["status"] not in TaskStatus.values:
                raise ValidationError({"status": f"one of {', '.join(TaskStatus.values)}"})
            qs = qs.filter(status=params["status"])
        for name in ("assignee", "account", "playbook"):
            if params.get(name):
                if not params[name].isdigit():
                    raise ValidationError({name: "must be an id"})
                qs = qs.filter(**{f"{name}_id": int(params[name])})
        return qs

    def _user(self):
        user = self.request.user
        if not isinstance(user, User):
            raise PermissionDenied("Tasks are changed by team members, not API keys.")
        return user

    def _run(self, fn):
        try:
            task = fn()
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(TaskSerializer(Task.objects.select_related("account", "playbook").get(pk=task.pk)).data)

    @extend_schema(request=TaskCompleteSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        body = TaskCompleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = self._user()
        return self._run(lambda: task_complete(task=self.get_object(), user=user, **body.validated_data))

    @extend_schema(request=TaskSnoozeSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def snooze(self, request, pk=None):
        body = TaskSnoozeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = self._user()
        return self._run(lambda: task_snooze(task=self.get_object(), user=user, **body.validated_data))

    @extend_schema(request=TaskReassignSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        body = TaskReassignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = self._user()
        assignee = User.objects.filter(pk=body.validated_data["assignee"]).first()
        if assignee is None:
            raise ValidationError({"assignee": "No such user."})
        return self._run(lambda: task_reassign(task=self.get_object(), user=user, assignee=assignee))
