"""Stripe webhook: events signed with the stripe library, idempotent, out-of-order safe."""

import json
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import stripe
from django.utils import timezone

from accounts.billing import stripe_subscription_mrr
from accounts.models import Account, Activity, PaymentFailure, StripeEvent, Subscription
from core.models import WebhookDelivery
from core.webhooks import webhook_endpoint_create
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db
SECRET = "whsec_test_secret"


@pytest.fixture(autouse=True)
def stripe_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = SECRET


def ts(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, 12, tzinfo=UTC).timestamp())


def subscription(sub_id="sub_1", customer="cus_1", status="active", amount=5000, quantity=2, interval="month", **extra):
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": customer,
        "status": status,
        "currency": "usd",
        "start_date": ts(date(2025, 1, 1)),
        "created": ts(date(2025, 1, 1)),
        "trial_start": None,
        "trial_end": None,
        "ended_at": None,
        "cancel_at": None,
        "canceled_at": None,
        "metadata": {},
        "items": {
            "data": [
                {
                    "quantity": quantity,
                    "price": {
                        "id": "price_1",
                        "nickname": "Growth",
                        "unit_amount": amount,
                        "currency": "usd",
                        "recurring": {"interval": interval, "interval_count": 1},
                    },
                }
            ]
        },
        **extra,
    }


def event(event_type, obj, event_id=None, created=None):
    return {
        "id": event_id or f"evt_{time.monotonic_ns()}",
        "object": "event",
        "type": event_type,
        "created": created or int(time.time()),
        "data": {"object": obj},
    }


def send(client, payload: dict, secret=SECRET):
    body = json.dumps(payload)
    header = stripe.WebhookSignature.generate_signature_header(body, secret)
    return client.post("/webhooks/stripe/", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)


def test_mrr_normalises_intervals():
    assert stripe_subscription_mrr(subscription(amount=5000, quantity=2))[0] == Decimal("100.00")
    assert stripe_subscription_mrr(subscription(amount=120000, quantity=1, interval="year"))[0] == Decimal("100.00")


def test_bad_signature_is_400_and_nothing_happens(client):
    response = send(client, event("customer.subscription.created", subscription()), secret="whsec_other")
    assert response.status_code == 400 and response.json()["code"] == "bad_signature"
    assert not Subscription.objects.exists() and not StripeEvent.objects.exists()


def test_created_then_cancelled_keeps_mrr_current_and_emits_churn(client, settings, django_capture_on_commit_callbacks):
    # given: an account known by its Stripe customer id, and a webhook listener
    account = AccountFactory(stripe_customer_id="cus_1")
    settings.WEBHOOK_ALLOWED_INTERNAL_HOSTS = ["127.0.0.1"]  # the listener is on loopback
    webhook_endpoint_create(url="http://127.0.0.1:9/", events=["account.churned"])
    # when
    assert send(client, event("customer.subscription.created", subscription(), created=1000)).status_code == 200
    account.refresh_from_db()
    assert account.mrr == Decimal("100.00")
    cancelled = subscription(status="canceled", ended_at=ts(date(2025, 6, 1)), canceled_at=ts(date(2025, 5, 20)))
    with django_capture_on_commit_callbacks(execute=False):
        response = send(client, event("customer.subscription.deleted", cancelled, created=2000))
    # then
    assert response.json()["outcome"] == "applied"
    sub = Subscription.objects.get(external_id="sub_1")
    assert sub.end_date == date(2025, 6, 1) and sub.canceled_at is not None
    account.refresh_from_db()
    assert account.mrr == 0
    assert WebhookDelivery.objects.get().event == "account.churned"


def test_last_paid_subscription_ending_sets_the_stage_to_churned(client):
    """Billing churn is a lifecycle change too: stage Churned and one timeline entry saying why."""
    # given: a paying account in adoption
    account = AccountFactory(stripe_customer_id="cus_1", lifecycle_stage="adoption")
    send(client, event("customer.subscription.created", subscription(), created=1000))
    # when: Stripe ends the subscription
    cancelled = subscription(status="canceled", ended_at=ts(date(2025, 6, 1)), canceled_at=ts(date(2025, 5, 20)))
    send(client, event("customer.subscription.deleted", cancelled, created=2000))
    # then
    account.refresh_from_db()
    assert account.lifecycle_stage == "churned"
    entry = Activity.objects.get(account=account, subject="Lifecycle stage Adoption → Churned")
    assert entry.kind == "system" and entry.metadata["source"] == "billing" and "paid subscription" in entry.body
    # a later event on the ended subscription changes nothing more
    send(client, event("customer.subscription.updated", cancelled, created=3000))
    assert Activity.objects.filter(account=account, subject__startswith="Lifecycle stage").count() == 1


def test_cancelled_at_period_end_is_not_churned_until_then(client):
    """A subscription cancelled to end with its term keeps the account paying, and its stage, until then."""
    account = AccountFactory(stripe_customer_id="cus_1", lifecycle_stage="renewal")
    send(client, event("customer.subscription.created", subscription(), created=1000))
    term_end = timezone.now().date() + timedelta(days=20)
    leaving = subscription(cancel_at=ts(term_end), canceled_at=ts(timezone.now().date()))
    assert send(client, event("customer.subscription.updated", leaving, created=2000)).json()["outcome"] == "applied"
    account.refresh_from_db()
    assert Subscription.objects.get().end_date == term_end and account.mrr > 0
    assert account.lifecycle_stage == "renewal"
    assert not Activity.objects.filter(account=account, subject__startswith="Lifecycle stage").exists()


def test_same_event_twice_is_applied_once(client):
    AccountFactory(stripe_customer_id="cus_1")
    payload = event("customer.subscription.created", subscription(), event_id="evt_same")
    assert send(client, payload).json()["outcome"] == "applied"
    assert send(client, payload).json()["outcome"] == "duplicate"
    assert StripeEvent.objects.count() == 1 and Subscription.objects.count() == 1


def test_older_event_arriving_late_is_not_applied(client):
    AccountFactory(stripe_customer_id="cus_1")
    upgraded = subscription(amount=9000, quantity=2)
    assert send(client, event("customer.subscription.updated", upgraded, created=2000)).json()["outcome"] == "applied"
    late = send(client, event("customer.subscription.created", subscription(amount=5000), created=1000))
    assert late.json()["outcome"] == "stale"
    assert Subscription.objects.get().mrr == Decimal("180.00")


def test_trial_then_conversion(client):
    trial = subscription(
        status="trialing", trial_start=ts(date(2025, 1, 1)), trial_end=ts(date(2025, 1, 15)), customer="cus_new"
    )
    send(client, event("customer.subscription.created", trial, created=1000))
    # an unknown customer becomes an account named by its customer id
    account = Account.objects.get(stripe_customer_id="cus_new")
    rows = list(Subscription.objects.values_list("external_id", "is_trial", "start_date", "end_date"))
    assert rows == [("sub_1:trial", True, date(2025, 1, 1), date(2025, 1, 15))]
    send(client, event("customer.subscription.updated", {**trial, "status": "active"}, created=2000))
    paid = Subscription.objects.get(external_id="sub_1")
    assert (paid.is_trial, paid.start_date, paid.end_date) == (False, date(2025, 1, 15), None)
    account.refresh_from_db()
    assert account.mrr == Decimal("100.00")


def test_metadata_links_existing_account(client):
    account = AccountFactory(external_id="acme")
    send(client, event("customer.subscription.created", subscription(customer="cus_9", metadata={"account": "acme"})))
    account.refresh_from_db()
    assert account.stripe_customer_id == "cus_9"
    assert Subscription.objects.get().account == account


def test_invoice_failed_then_paid(client):
    account = AccountFactory(stripe_customer_id="cus_1")
    invoice = {
        "id": "in_1",
        "object": "invoice",
        "customer": "cus_1",
        "amount_due": 10000,
        "currency": "usd",
        "created": ts(date(2025, 3, 1)),
        "subscription": "sub_1",
    }
    send(client, event("invoice.payment_failed", invoice))
    send(client, event("invoice.payment_failed", invoice))  # Stripe retries the webhook: one record
    account.refresh_from_db()
    assert "stripe_payment_failed_at" in account.custom_fields
    failure = PaymentFailure.objects.get(account=account)
    assert (failure.amount, failure.currency, failure.source, failure.recovered_at) == (
        Decimal("100.00"),
        "USD",
        "stripe",
        None,
    )
    send(client, event("invoice.paid", invoice))
    account.refresh_from_db()
    assert "stripe_payment_failed_at" not in account.custom_fields
    failure.refresh_from_db()
    assert failure.recovered_at is not None
    # failed, paid, recovered
    assert Activity.objects.filter(account=account).count() == 3


def test_unconfigured_secret_is_503(client, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    assert send(client, event("invoice.paid", {})).status_code == 503
