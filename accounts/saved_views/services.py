"""Writes of saved views: create, update, delete, each checked by `saved_view_can_edit`
(the owner, or a manager / admin for a shared view) and `saved_view_definition_clean`.
Read-only users may keep private views (their own lists) but never share one."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.choices import Role

from .models import SavedView
from .query import saved_view_definition_clean

__all__ = ["saved_view_can_edit", "saved_view_create", "saved_view_delete", "saved_view_update"]

MAX_VIEWS_PER_USER = 50


def saved_view_can_edit(*, user, view: SavedView) -> bool:
    if view.owner_id == user.pk:
        return not view.shared or user.has_role(Role.CSM)
    return view.shared and user.has_role(Role.MANAGER)


def _check_share(user, shared: bool) -> None:
    if shared and not user.has_role(Role.CSM):
        raise PermissionDenied(_("Read-only users cannot share views."))


def _check_name(name) -> str:
    if not isinstance(name, str):
        raise ValidationError({"name": [_("give the view a name")]})
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("give the view a name")]})
    if len(name) > 80:
        raise ValidationError({"name": [_("at most 80 characters")]})
    return name


@transaction.atomic
def saved_view_create(*, user, name: str, definition: dict, shared: bool = False) -> SavedView:
    _check_share(user, shared)
    name = _check_name(name)
    definition = saved_view_definition_clean(definition, user=user)
    if SavedView.objects.filter(owner=user).count() >= MAX_VIEWS_PER_USER:
        raise ValidationError({"name": [_("you have %(max)d views; delete one first") % {"max": MAX_VIEWS_PER_USER}]})
    return SavedView.objects.create(owner=user, name=name, definition=definition, shared=shared)


@transaction.atomic
def saved_view_update(
    *, user, view: SavedView, name: str | None = None, definition: dict | None = None, shared: bool | None = None
) -> SavedView:
    if not saved_view_can_edit(user=user, view=view):
        raise PermissionDenied(_("Only the owner (or a manager, for a shared view) can change this view."))
    if shared is not None:
        _check_share(user, shared)
        view.shared = shared
    if name is not None:
        view.name = _check_name(name)
    if definition is not None:
        view.definition = saved_view_definition_clean(definition, user=user)
    view.save()
    return view


@transaction.atomic
def saved_view_delete(*, user, view: SavedView) -> None:
    if not saved_view_can_edit(user=user, view=view):
        raise PermissionDenied(_("Only the owner (or a manager, for a shared view) can delete this view."))
    view.delete()
