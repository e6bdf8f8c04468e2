"""Onboarding triggers (playbooks/triggers/onboarding.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import AccountFactory
from tests.playbooks.triggers.support import fired

pytestmark = pytest.mark.django_db

TODAY = timezone.now().date()


def test_onboarding_overdue_and_stalled(make_playbook):
    from onboarding.models import AccountChecklist, AccountChecklistItem

    account = AccountFactory()
    checklist = AccountChecklist.objects.create(
        account=account,
        name="Tech-touch start",
        contract_start=TODAY - timedelta(40),
        started_at=timezone.now() - timedelta(days=40),
    )
    AccountChecklistItem.objects.create(checklist=checklist, title="Connect data", due_date=TODAY - timedelta(5))
    AccountChecklistItem.objects.create(checklist=checklist, title="Invite team", due_date=TODAY + timedelta(5))
    overdue = make_playbook("onboarding_overdue", {"days_overdue": 1})
    tasks = fired(overdue, as_of=TODAY)
    assert list(tasks) == [account.pk]
    assert "'Connect data' (Tech-touch start) was due" in tasks[account.pk]
    stalled = make_playbook("onboarding_stalled", {"days": 14})
    tasks = fired(stalled, as_of=TODAY)
    assert "no item done for 40 days (0 of 2 done)" in tasks[account.pk]
