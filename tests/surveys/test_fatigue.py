from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from surveys.fatigue import fatigue_allowed_contact_ids, fatigue_record
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def test_a_touch_blocks_the_contact_for_the_recontact_window_across_channels():
    # given
    account = AccountFactory()
    asked_by_email, answered_widget, fresh = ContactFactory.create_batch(3, account=account)
    now = timezone.now()
    fatigue_record(contact_id=asked_by_email.id, channel="email", kind="email", occurred_at=now - timedelta(days=10))
    fatigue_record(
        contact_id=answered_widget.id, channel="widget", kind="answered", occurred_at=now - timedelta(days=89)
    )
    # when
    allowed = fatigue_allowed_contact_ids(contact_ids=[asked_by_email.id, answered_widget.id, fresh.id], now=now)
    # then
    assert allowed == {fresh.id}


def test_the_window_ends_after_90_days_and_dismissing_counts_too():
    account = AccountFactory()
    old, dismissed = ContactFactory.create_batch(2, account=account)
    now = timezone.now()
    fatigue_record(contact_id=old.id, channel="widget", kind="answered", occurred_at=now - timedelta(days=91))
    fatigue_record(contact_id=dismissed.id, channel="widget", kind="dismissed", occurred_at=now - timedelta(days=1))
    assert fatigue_allowed_contact_ids(contact_ids=[old.id, dismissed.id], now=now) == {old.id}


@override_settings(SURVEYS_RECONTACT_DAYS=30)
def test_the_window_is_a_setting():
    contact = ContactFactory(account=AccountFactory())
    now = timezone.now()
    fatigue_record(contact_id=contact.id, channel="link", kind="asked", occurred_at=now - timedelta(days=31))
    assert fatigue_allowed_contact_ids(contact_ids=[contact.id], now=now) == {contact.id}


@override_settings(SURVEYS_ACCOUNT_CAP=3, SURVEYS_ACCOUNT_CAP_DAYS=30)
def test_account_cap_limits_distinct_contacts_per_account():
    # given an account whose 2 contacts were asked this month, and 4 fresh ones
    account, other = AccountFactory(), AccountFactory()
    contacts = ContactFactory.create_batch(6, account=account)
    elsewhere = ContactFactory(account=other)
    now = timezone.now()
    for c in contacts[:2]:
        fatigue_record(contact_id=c.id, channel="widget", kind="asked", occurred_at=now - timedelta(days=5))
    # when
    allowed = fatigue_allowed_contact_ids(contact_ids=[c.id for c in contacts[2:]] + [elsewhere.id], now=now)
    # then one place is left in the account (lowest id), the other account is untouched
    assert allowed == {contacts[2].id, elsewhere.id}


def test_touches_after_now_do_not_count_and_unknown_contacts_are_left_out():
    contact = ContactFactory(account=AccountFactory())
    now = timezone.now()
    fatigue_record(contact_id=contact.id, channel="email", kind="email", occurred_at=now + timedelta(days=1))
    assert fatigue_allowed_contact_ids(contact_ids=[contact.id, 999999], now=now) == {contact.id}
    assert fatigue_allowed_contact_ids(contact_ids=[]) == set()


def test_unknown_kind_is_refused():
    contact = ContactFactory(account=AccountFactory())
    with pytest.raises(ValueError):
        fatigue_record(contact_id=contact.id, channel="email", kind="spam")


def test_query_count_does_not_grow_with_contacts(django_assert_max_num_queries):
    accounts = AccountFactory.create_batch(5)
    ids = [ContactFactory(account=a).id for a in accounts for _ in range(4)]
    with django_assert_max_num_queries(3):
        fatigue_allowed_contact_ids(contact_ids=ids)
