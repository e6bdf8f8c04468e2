"""Synced e-mails are touches: `last_touch_at`, the cadence and the "no touch" playbook trigger
use them, so no "check in with X" task is raised for an account e-mailed yesterday."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.email import email_ingest
from playbooks.evaluation import playbook_evaluate
from playbooks.models import Task
from playbooks.services import playbook_save
from tests.factories import AccountFactory, ContactFactory, TaskTemplateFactory
from tests.factories.conversations import raw_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_touch_playbook(db):
    return playbook_save(
        name="Check in when quiet",
        trigger_type="no_touch",
        trigger_params={"grace_days": 0},
        actions=[{"type": "task", "template": TaskTemplateFactory().pk}],
        enabled=True,
        cooldown_days=0,
    )


@pytest.mark.parametrize("source", ["inbound", "imap", "gmail", "graph"])
def test_no_touch_task_is_not_created_after_a_synced_email(no_touch_playbook, inbound, source):
    # given: two key accounts (weekly cadence) untouched for 20 days
    now = timezone.now()
    emailed = AccountFactory(tier="key", last_touch_at=now - timedelta(days=20), created_at=now - timedelta(days=90))
    quiet = AccountFactory(tier="key", last_touch_at=now - timedelta(days=20), created_at=now - timedelta(days=90))
    ContactFactory(account=emailed, email="cto@emailed.example")

    # when: yesterday's e-mail with one of them arrives by a sync path, then playbooks run
    email_ingest(
        raw_email(sender="carl@team.example", to="cto@emailed.example", date=now - timedelta(days=1)), source=source
    )
    playbook_evaluate(playbook=no_touch_playbook, as_of=now.date())

    # then: only the quiet account gets a "no touch" task
    assert set(Task.objects.filter(playbook=no_touch_playbook).values_list("account_id", flat=True)) == {quiet.pk}
    emailed.refresh_from_db()
    assert emailed.last_touch_at > now - timedelta(days=2)


def test_an_old_email_does_not_move_the_last_touch_back(inbound):
    now = timezone.now()
    account = AccountFactory(last_touch_at=now - timedelta(days=1))
    ContactFactory(account=account, email="old@acme.example")

    email_ingest(raw_email(sender="old@acme.example", date=now - timedelta(days=200)), source="imap")

    account.refresh_from_db()
    assert account.last_touch_at > now - timedelta(days=2)
