"""REST API of saved views (docs/api.md "Saved views"): `/api/v1/views/` CRUD and
`/api/v1/views/<id>/accounts/` (the accounts a view selects, in cursor pages).

A view belongs to a user: a session (or a user-bound token) lists its own views and the shared
ones and writes through accounts.saved_views.services (read-only users may keep private views,
never shared ones). A machine API key reads shared views only and writes none."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.api.throttling import KeyRateThrottle
from core.choices import Role
from core.models import User

from ..saved_views import (
    SavedView,
    saved_view_accounts,
    saved_view_can_edit,
    saved_view_create,
    saved_view_delete,
    saved_view_update,
    saved_views_visible,
)
from .serializers import AccountSerializer
from .views import ItemsInvalid

__all__ = ["SavedViewSerializer", "SavedViewViewSet"]


class ConditionSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="A view filter's key: tier, arr, renewal_days, cf.<key>, measure.<key>…")
    op = serializers.CharField(help_text="One of the filter's operators.")
    value = serializers.JSONField(required=False, allow_null=True)


class GroupSerializer(serializers.Serializer):
    match = serializers.ChoiceField(choices=["all", "any"], default="all")
    conditions = ConditionSerializer(many=True)


class DefinitionSerializer(serializers.Serializer):
    match = serializers.ChoiceField(choices=["all", "any"], default="all")
    groups = GroupSerializer(many=True)


class SavedViewSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)
    definition = DefinitionSerializer(help_text="Checked by the view filter registry; see docs/api.md.")
    can_edit = serializers.SerializerMethodField()

    class Meta:
        model = SavedView
        fields = ["id", "name", "shared", "owner", "definition", "can_edit", "created_at", "updated_at"]
        read_only_fields = ["id", "owner", "can_edit", "created_at", "updated_at"]

    def get_can_edit(self, obj) -> bool:
        user = self.context["request"].user
        return bool(user and user.is_authenticated and saved_view_can_edit(user=user, view=obj))


def _errors(exc: ValidationError) -> ItemsInvalid:
    if hasattr(exc, "error_dict"):
        errors = [{"field": field, "reason": str(m)} for field, ms in exc.message_dict.items() for m in ms]
    else:
        errors = [{"field": None, "reason": m} for m in exc.messages]
    return ItemsInvalid(errors, total=1, message=_("The view is invalid; nothing was saved."))


@extend_schema_view(
    create=extend_schema(request=SavedViewSerializer),
    update=extend_schema(request=SavedViewSerializer),
    partial_update=extend_schema(request=SavedViewSerializer),
)
class SavedViewViewSet(viewsets.ModelViewSet):
    serializer_class = SavedViewSerializer
    throttle_classes = [KeyRateThrottle]
    write_role = Role.READONLY  # private views are anyone's own; sharing is checked by the service

    def _user(self):
        user = self.request.user
        if not (isinstance(user, User) and user.is_authenticated):  # a machine key acts for no user
            if self.request.method not in ("GET", "HEAD", "OPTIONS"):
                raise PermissionDenied(_("A view belongs to a user: sign in or use a personal token."))
            return None
        return user

    queryset = SavedView.objects.none()  # the schema's type of `id`; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SavedView.objects.none()
        user = self._user()
        if user is None:
            return SavedView.objects.filter(shared=True).select_related("owner").order_by("-id")
        return saved_views_visible(user=user).order_by("-id")

    def _body(self):
        if not isinstance(self.request.data, dict):
            raise ItemsInvalid([{"field": None, "reason": _("Send one JSON object.")}], total=1)
        return self.request.data

    def create(self, request, *args, **kwargs):
        user = self._user()
        body = self._body()
        try:
            view = saved_view_create(
                user=user,
                name=body.get("name", ""),
                definition=body.get("definition", {}),
                shared=bool(body.get("shared", False)),
            )
        except ValidationError as exc:
            raise _errors(exc) from exc
        return Response(self.get_serializer(view).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        user = self._user()
        view = self.get_object()
        body = self._body()
        partial = kwargs.get("partial", False)
        if not partial and not {"name", "definition"} <= set(body):
            raise ItemsInvalid(
                [{"field": None, "reason": _("PUT takes name and definition; PATCH takes some.")}], total=1
            )
        try:
            view = saved_view_update(
                user=user,
                view=view,
                name=body.get("name"),
                definition=body.get("definition"),
                shared=None if "shared" not in body else bool(body["shared"]),
            )
        except ValidationError as exc:
            raise _errors(exc) from exc
        return Response(self.get_serializer(view).data)

    def perform_destroy(self, instance):
        saved_view_delete(user=self._user(), view=instance)

    @extend_schema(responses=AccountSerializer(many=True), summary="The accounts a saved view selects")
    @action(detail=True, methods=["get"])
    def accounts(self, request, pk=None):
        view = self.get_object()
        user = self._user() or view.owner
        queryset = saved_view_accounts(definition=view.definition, user=user).select_related("parent", "owner")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(AccountSerializer(page, many=True, context={"request": request}).data)
