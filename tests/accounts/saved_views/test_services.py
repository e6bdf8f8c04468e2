"""Saved view permissions: private views are their owner's, shared ones everyone's to see;
read-only users keep private views but cannot share; others change only their own (managers
may change shared ones)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.saved_views import saved_view_create, saved_view_delete, saved_view_update, saved_views_visible
from tests.factories import SavedViewFactory, UserFactory

pytestmark = pytest.mark.django_db

DEFINITION = {"match": "all", "conditions": [{"field": "tier", "op": "in", "value": ["key"]}]}


def test_private_and_shared_visibility():
    alice, bob = UserFactory(role="csm"), UserFactory(role="csm")
    mine = saved_view_create(user=alice, name="Mine", definition=DEFINITION)
    shared = saved_view_create(user=alice, name="Team", definition=DEFINITION, shared=True)
    assert set(saved_views_visible(user=alice)) == {mine, shared}
    assert set(saved_views_visible(user=bob)) == {shared}
    assert mine.definition == {"match": "all", "groups": [{"match": "all", "conditions": DEFINITION["conditions"]}]}


def test_readonly_users_cannot_share():
    viewer = UserFactory(role="readonly")
    assert saved_view_create(user=viewer, name="Mine", definition=DEFINITION).shared is False
    with pytest.raises(PermissionDenied):
        saved_view_create(user=viewer, name="Team", definition=DEFINITION, shared=True)
    view = SavedViewFactory(owner=viewer)
    with pytest.raises(PermissionDenied):
        saved_view_update(user=viewer, view=view, shared=True)


def test_only_owner_or_manager_changes_a_shared_view():
    owner, other, manager = UserFactory(role="csm"), UserFactory(role="csm"), UserFactory(role="manager")
    view = SavedViewFactory(owner=owner, shared=True)
    with pytest.raises(PermissionDenied):
        saved_view_update(user=other, view=view, name="Mine now")
    with pytest.raises(PermissionDenied):
        saved_view_delete(user=other, view=view)
    assert saved_view_update(user=manager, view=view, name="Renamed").name == "Renamed"
    saved_view_delete(user=owner, view=view)


def test_name_and_definition_are_checked():
    user = UserFactory()
    with pytest.raises(ValidationError) as exc:
        saved_view_create(user=user, name=" ", definition=DEFINITION)
    assert "name" in exc.value.message_dict
    with pytest.raises(ValidationError):
        saved_view_create(user=user, name="x", definition={"conditions": [{"field": "tier", "op": "in"}]})


def test_a_name_that_is_not_text_is_refused():
    with pytest.raises(ValidationError):
        saved_view_create(user=UserFactory(), name=12, definition=DEFINITION)
