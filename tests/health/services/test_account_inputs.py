"""Overrides and their expiry, audited on the timeline (health.services.account_inputs)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Activity
from health.models import HealthScore
from health.services import (
    health_override_clear,
    health_override_create,
    health_recompute,
    today,
)

pytestmark = pytest.mark.django_db


def test_override_and_expiry(book, csm_user):
    scorecard, busy, quiet, empty = book
    health_recompute()
    expires = timezone.now() + timedelta(days=3)
    override = health_override_create(
        account=quiet, score=85, reason="Exec sponsor confirmed renewal", expires_at=expires, author=csm_user
    )
    snap = HealthScore.objects.get(account=quiet, day=today())
    assert (snap.score, snap.band, snap.source, snap.computed_score) == (85, "green", "override", 40)
    quiet.refresh_from_db()
    assert quiet.health_score == 85
    audit = Activity.objects.get(account=quiet, metadata__health_override_id=override.id)
    assert audit.author == csm_user and "85" in audit.subject
    # Expired: the next recompute drops it.
    type(override).objects.filter(id=override.id).update(
        expires_at=timezone.now() - timedelta(seconds=1), created_at=timezone.now() - timedelta(days=1)
    )
    health_recompute()
    assert HealthScore.objects.get(account=quiet, day=today()).score == 40
    # Cleared by hand.
    again = health_override_create(account=quiet, score=10, reason="Champion left", expires_at=expires, author=csm_user)
    assert HealthScore.objects.get(account=quiet, day=today()).score == 10
    health_override_clear(override=again, user=csm_user)
    assert HealthScore.objects.get(account=quiet, day=today()).score == 40


def test_override_validation(book, csm_user):
    with pytest.raises(ValueError):
        health_override_create(
            account=book[2], score=101, reason="x", expires_at=timezone.now() + timedelta(days=1), author=csm_user
        )
    with pytest.raises(ValueError):
        health_override_create(
            account=book[2], score=50, reason=" ", expires_at=timezone.now() + timedelta(days=1), author=csm_user
        )
    with pytest.raises(ValueError):
        health_override_create(
            account=book[2], score=50, reason="x", expires_at=timezone.now() - timedelta(days=1), author=csm_user
        )
