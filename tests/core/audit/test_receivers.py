"""Sign-ins, failed sign-ins and sign-outs in the trail."""

import pytest

from core.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def test_sign_in_failure_and_sign_out_are_recorded(client, csm_user):
    client.get("/login/")
    client.post("/login/", {"username": csm_user.username, "password": "wrong"}, REMOTE_ADDR="198.51.100.9")
    client.get("/login/")
    client.post("/login/", {"username": csm_user.username, "password": "pass1234!"}, REMOTE_ADDR="198.51.100.9")
    client.get("/")
    client.post("/logout/", REMOTE_ADDR="198.51.100.9")
    signs = [AuditAction.LOGIN, AuditAction.LOGIN_FAILED, AuditAction.LOGOUT]
    actions = list(
        AuditEvent.objects.filter(action__in=signs).order_by("id").values_list("action", "actor_label", "ip_address")
    )
    assert actions == [
        (AuditAction.LOGIN_FAILED, "anonymous", "198.51.100.9"),
        (AuditAction.LOGIN, csm_user.username, "198.51.100.9"),
        (AuditAction.LOGOUT, csm_user.username, "198.51.100.9"),
    ]
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.extra == {"username": csm_user.username}
