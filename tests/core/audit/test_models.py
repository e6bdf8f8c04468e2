"""The trail is append-only through the app: no save of a stored row, no delete, no bulk update
or delete, and the admin offers neither."""

import pytest
from django.contrib.admin.sites import site

from core.audit.models import AppendOnlyError, AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return AuditEvent.objects.create(action=AuditAction.LOGIN, actor_label="kim", object_repr="kim")


def test_a_stored_row_cannot_be_changed(event):
    event.actor_label = "someone else"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).actor_label == "kim"


def test_a_row_cannot_be_deleted(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(actor_label="x")
    assert AuditEvent.objects.filter(pk=event.pk, actor_label="kim").exists()


def test_the_admin_is_read_only(event, rf, admin_user):
    model_admin = site._registry[AuditEvent]
    request = rf.get("/admin/core/auditevent/")
    request.user = admin_user
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
