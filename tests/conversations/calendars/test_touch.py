"""A synced meeting is a touch: the "no touch" playbook (the real trigger) creates no task for an
account a CSM met yesterday, and does for one they did not."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import Tier
from conversations.calendars.sync import calendar_sync
from conversations.models import Provider
from playbooks.models import Task
from playbooks.services import playbook_save, playbooks_run
from tests.factories import AccountFactory, ContactFactory
from tests.factories.playbooks import TaskTemplateFactory

from .events import google_event

pytestmark = pytest.mark.django_db


def test_no_touch_task_not_created_after_a_synced_meeting(fake, connect, inbound):
    # given two key accounts (weekly cadence) untouched for 30 days
    long_ago = timezone.now() - timedelta(days=30)
    met = AccountFactory(tier=Tier.KEY, domain="met.example", created_at=long_ago, last_touch_at=long_ago)
    ContactFactory(account=met, email="ceo@met.example")
    silent = AccountFactory(tier=Tier.KEY, domain="silent.example", created_at=long_ago, last_touch_at=long_ago)
    playbook = playbook_save(
        trigger_type="no_touch",
        trigger_params={"grace_days": 0},
        actions=[{"type": "task", "template": TaskTemplateFactory().pk}],
        enabled=True,
        name="Check in",
        cooldown_days=0,
    )
    # when the CSM's calendar shows yesterday's meeting with one of them, and the sync runs
    fake.state.put_google_event(
        google_event("yesterday", timezone.now() - timedelta(days=1), attendees=["ceo@met.example"])
    )
    calendar_sync(connection=connect(Provider.GOOGLE))
    playbooks_run(playbook_ids=[playbook.pk])
    # then only the silent account gets a "check in" task
    assert list(Task.objects.values_list("account_id", flat=True)) == [silent.pk]
