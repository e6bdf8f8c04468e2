"""The no-touch trigger (playbooks/triggers/touch.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import AccountFactory
from tests.playbooks.triggers.support import fired

pytestmark = pytest.mark.django_db

TODAY = timezone.now().date()


def test_no_touch_uses_the_tier_cadence(make_playbook):
    now = timezone.now()
    late = AccountFactory(tier="key", last_touch_at=now - timedelta(days=10))
    AccountFactory(tier="key", last_touch_at=now - timedelta(days=2))
    AccountFactory(tier="standard", last_touch_at=now - timedelta(days=10))  # cadence 30
    never = AccountFactory(tier="strategic", created_at=now - timedelta(days=30))
    pb = make_playbook("no_touch", {"grace_days": 0})
    tasks = fired(pb, as_of=TODAY)
    assert set(tasks) == {late.pk, never.pk}
    assert tasks[late.pk] == "no CSM touch for 10 days; Key accounts are due every 7 days"
    assert tasks[never.pk].startswith("never touched (30 days as a customer)")
