from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.choices import ActivityKind
from accounts.models import Account, Activity, TouchCadence
from accounts.services import account_revenue_refresh, accounts_stage_set, activity_create
from tests.factories import AccountFactory, ContactFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)


# Section: account_revenue_refresh


def test_revenue_refresh_sums_active_paid_subscriptions_and_takes_nearest_end():
    # given
    account = AccountFactory()
    SubscriptionFactory(
        account=account,
        mrr=Decimal("1000"),
        start_date=TODAY - timedelta(days=30),
        end_date=TODAY + timedelta(days=200),
    )
    SubscriptionFactory(
        account=account,
        mrr=Decimal("250.50"),
        start_date=TODAY - timedelta(days=5),
        end_date=TODAY + timedelta(days=40),
    )
    # trial, ended and future subscriptions do not count
    SubscriptionFactory(
        account=account,
        mrr=Decimal("999"),
        is_trial=True,
        start_date=TODAY - timedelta(days=3),
        end_date=TODAY + timedelta(days=10),
    )
    SubscriptionFactory(account=account, mrr=Decimal("500"), start_date=TODAY - timedelta(days=400), end_date=TODAY)
    SubscriptionFactory(account=account, mrr=Decimal("700"), start_date=TODAY + timedelta(days=1), end_date=None)

    # when
    updated = account_revenue_refresh(account_ids=[account.pk], today=TODAY)

    # then
    account.refresh_from_db()
    assert updated == 1
    assert account.mrr == Decimal("1250.50")
    assert account.renewal_date == TODAY + timedelta(days=40)


def test_revenue_refresh_zeroes_accounts_without_active_paid_subscription():
    account = AccountFactory(mrr=Decimal("900"), renewal_date=TODAY)
    SubscriptionFactory(account=account, start_date=TODAY - timedelta(days=365), end_date=TODAY - timedelta(days=1))

    account_revenue_refresh(today=TODAY)

    account.refresh_from_db()
    assert account.mrr == Decimal("0")
    assert account.renewal_date is None


def test_revenue_refresh_open_ended_subscription_has_no_renewal_date():
    account = AccountFactory()
    SubscriptionFactory(account=account, mrr=Decimal("80"), start_date=TODAY - timedelta(days=10), end_date=None)

    account_revenue_refresh(account_ids=[account.pk], today=TODAY)

    account.refresh_from_db()
    assert account.mrr == Decimal("80")
    assert account.renewal_date is None


def test_revenue_refresh_limits_to_given_ids_and_runs_one_update(django_assert_num_queries):
    touched, untouched = AccountFactory(), AccountFactory(mrr=Decimal("5"))
    SubscriptionFactory(account=touched, mrr=Decimal("10"), start_date=TODAY - timedelta(days=1))
    SubscriptionFactory(account=untouched, mrr=Decimal("20"), start_date=TODAY - timedelta(days=1))

    with django_assert_num_queries(2):  # the month's exchange rates, then one UPDATE
        account_revenue_refresh(account_ids=[touched.pk], today=TODAY)

    assert Account.objects.get(pk=touched.pk).mrr == Decimal("10")
    assert Account.objects.get(pk=untouched.pk).mrr == Decimal("5")
    assert account_revenue_refresh(account_ids=[], today=TODAY) == 0


# Section: activity_create


def test_activity_create_touch_kind_bumps_last_touch_forward_only():
    account = AccountFactory()
    now = timezone.now()

    activity_create(account=account, kind=ActivityKind.CALL, subject="QBR prep", occurred_at=now)
    activity_create(
        account=account, kind=ActivityKind.NOTE, body="Old imported note", occurred_at=now - timedelta(days=30)
    )

    account.refresh_from_db()
    assert account.last_touch_at == now
    assert account.activities.count() == 2


def test_activity_create_system_kind_is_not_a_touch():
    account = AccountFactory()

    activity = activity_create(account=account, kind=ActivityKind.SYSTEM, subject="Playbook fired")

    account.refresh_from_db()
    assert activity.pk is not None
    assert account.last_touch_at is None


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"kind": "tweet", "body": "x"}, "kind must be one of"),
        ({"kind": "note", "body": "  "}, "subject or a body"),
        ({"kind": "note", "body": "x", "occurred_at": timezone.datetime(2026, 1, 1)}, "timezone-aware"),
    ],
)
def test_activity_create_rejects_bad_input(kwargs, message):
    account = AccountFactory()
    with pytest.raises(ValueError, match=message):
        activity_create(account=account, **kwargs)
    assert account.activities.count() == 0


def test_activity_create_rejects_contact_of_another_account():
    account = AccountFactory()
    stranger = ContactFactory()
    with pytest.raises(ValueError, match="another account"):
        activity_create(account=account, kind="note", body="hi", contact=stranger)


# Section: touch cadence


def test_touch_cadence_defaults_exist_and_can_be_overridden():
    assert TouchCadence.days_by_tier() == {"strategic": 3, "key": 7, "standard": 30, "tech_touch": 90}
    TouchCadence.objects.filter(tier="key").update(every_days=14)
    assert TouchCadence.days_by_tier()["key"] == 14


def test_accounts_stage_set_moves_only_those_not_there_yet():
    # given
    moving, there = AccountFactory(lifecycle_stage="adoption"), AccountFactory(lifecycle_stage="at_risk")
    # when
    moved = accounts_stage_set(
        accounts=[moving, there], stage="at_risk", body=lambda a: f"why {a.name}", metadata={"source": "test"}
    )
    # then
    assert moved == {moving.pk: "Adoption"}
    entry = Activity.objects.get()
    assert (entry.account_id, entry.kind, entry.subject) == (moving.pk, "system", "Lifecycle stage Adoption → At risk")
    assert entry.body == f"why {moving.name}" and entry.metadata == {"source": "test"}
    assert Account.objects.get(pk=moving.pk).lifecycle_stage == "at_risk"
    with pytest.raises(ValueError):
        accounts_stage_set(accounts=[moving], stage="gone", body="x")
