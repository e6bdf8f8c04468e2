"""Date triggers (playbooks/triggers/anniversaries.py): contract anniversary and contact birthday."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.factories import AccountFactory, ContactFactory, SubscriptionFactory
from tests.playbooks.triggers.support import fired

pytestmark = pytest.mark.django_db

TODAY = timezone.now().date()


def test_contract_anniversary_and_birthday(make_playbook):
    target = TODAY + timedelta(days=14)
    if (target.month, target.day) == (2, 29):
        target = target + timedelta(days=1)
    loyal, new = AccountFactory(), AccountFactory()
    SubscriptionFactory(account=loyal, start_date=date(target.year - 2, target.month, target.day))
    SubscriptionFactory(account=new, start_date=TODAY - timedelta(20))
    pb = make_playbook("contract_anniversary", {"days_before": (target - TODAY).days})
    tasks = fired(pb, as_of=TODAY)
    assert list(tasks) == [loyal.pk]
    assert tasks[loyal.pk].startswith("2 years as a customer")

    bday = TODAY + timedelta(days=3)
    if (bday.month, bday.day) == (2, 29):
        return
    contact = ContactFactory(name="Jane Doe", birthday=date(1990, bday.month, bday.day))
    ContactFactory(birthday=date(1990, 1, 1) if (bday.month, bday.day) != (1, 1) else date(1990, 6, 1))
    bpb = make_playbook("contact_birthday", {"days_before": 3})
    assert fired(bpb, as_of=TODAY) == {contact.account_id: f"Jane Doe's birthday is on {bday:%d %B}"}
