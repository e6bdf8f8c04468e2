"""Churn / downgrade reasons from every path: the product's own form stores the reason with the
change (no task); API, CSV and Stripe changes without one give the owner exactly one task per
change, and answering it stores the reason and completes the task."""

import json
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import stripe
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.imports import import_job_create, import_job_queue, import_job_validate
from accounts.models import Subscription
from playbooks.models import Task
from renewals.models import ChurnReason, ReasonCode, ReasonPrompt
from renewals.services import reason_code_save, reason_prompt_answer, subscription_loss_record
from tests.factories import AccountFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.now().date()


@pytest.fixture
def price():
    return ReasonCode.objects.get(code="price")


@pytest.fixture
def paying(csm_user):
    account = AccountFactory(external_id="acme", owner=csm_user, segment="Mid-market", tier="enterprise")
    sub = SubscriptionFactory(
        account=account, external_id="s-1", plan="Growth", mrr=Decimal("1000"), start_date=TODAY - timedelta(days=400)
    )
    return account, sub


def _prompt_tasks():
    return Task.objects.filter(signal__source="renewals.reason_prompt")


def test_product_cancellation_stores_the_reason_and_asks_nothing(
    csm_user, paying, price, django_capture_on_commit_callbacks
):
    account, sub = paying
    end = TODAY + timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        reason = subscription_loss_record(
            user=csm_user, subscription=sub, kind="churn", reason_code=price, note="Budget cut", effective_date=end
        )
    sub.refresh_from_db()
    assert sub.end_date == end and sub.canceled_at is not None
    assert (reason.kind, reason.arr_lost, reason.occurred_on, reason.note) == (
        "churn",
        Decimal("12000"),
        end,
        "Budget cut",
    )
    assert (reason.segment, reason.tier, reason.tenure_days) == (
        "Mid-market",
        "enterprise",
        (end - account.created_at.date()).days,
    )
    assert not ReasonPrompt.objects.exists() and not _prompt_tasks().exists()


def test_product_downgrade_needs_a_lower_mrr_and_a_reason(csm_user, paying, price, django_capture_on_commit_callbacks):
    _, sub = paying
    with pytest.raises(ValidationError) as err:
        subscription_loss_record(user=csm_user, subscription=sub, kind="downgrade", reason_code=None, new_mrr="1200")
    assert set(err.value.message_dict) == {"reason_code", "new_mrr"}
    with django_capture_on_commit_callbacks(execute=True):
        reason = subscription_loss_record(
            user=csm_user, subscription=sub, kind="downgrade", reason_code=price, new_mrr="600"
        )
    assert Subscription.objects.get().mrr == Decimal("600") and reason.arr_lost == Decimal("4800")
    assert not _prompt_tasks().exists()


def test_read_only_users_cannot_record(readonly_user, paying, price):
    _, sub = paying
    with pytest.raises(PermissionDenied):
        subscription_loss_record(user=readonly_user, subscription=sub, kind="churn", reason_code=price)
    assert Subscription.objects.get().end_date is None and not ChurnReason.objects.exists()


def test_api_cancellation_gives_the_owner_one_task_and_answering_stores_the_reason(
    api_write, csm_user, paying, price, django_capture_on_commit_callbacks
):
    account, sub = paying
    end = (TODAY + timedelta(days=15)).isoformat()
    body = {
        "external_id": "s-1",
        "account": "acme",
        "plan": "Growth",
        "mrr": "1000.00",
        "start_date": sub.start_date.isoformat(),
        "end_date": end,
    }
    for _ in range(2):  # the same change delivered twice asks once
        with django_capture_on_commit_callbacks(execute=True):
            response = api_write.post("/api/v1/subscriptions/", body, format="json")
        assert response.status_code in (200, 201), response.content
    task = _prompt_tasks().get()
    prompt = ReasonPrompt.objects.get()
    assert task.assignee == csm_user and task.account == account and prompt.task == task
    assert (prompt.kind, prompt.arr_lost, prompt.occurred_on.isoformat()) == ("churn", Decimal("12000"), end)
    assert "Growth" in task.title

    reason = reason_prompt_answer(user=csm_user, prompt=prompt, reason_code=price, note="Too expensive")
    task.refresh_from_db()
    assert task.status == "done" and task.outcome_note == "Reason: Price / budget. Too expensive"
    assert (reason.kind, reason.arr_lost, reason.change_key) == ("churn", Decimal("12000"), prompt.change_key)
    # answering again keeps the first answer
    assert (
        reason_prompt_answer(user=csm_user, prompt=prompt, reason_code=ReasonCode.objects.get(code="other")) == reason
    )
    assert ChurnReason.objects.count() == 1


def test_api_downgrade_prompt_knows_the_arr_lost(api_write, paying, django_capture_on_commit_callbacks):
    _, sub = paying
    body = {
        "external_id": "s-1",
        "account": "acme",
        "plan": "Growth",
        "mrr": "750.00",
        "start_date": sub.start_date.isoformat(),
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert api_write.post("/api/v1/subscriptions/", body, format="json").status_code in (
            200,
            201,
        )
    prompt = ReasonPrompt.objects.get()
    assert (prompt.kind, prompt.arr_lost) == ("downgrade", Decimal("3000"))
    assert _prompt_tasks().count() == 1


def test_upgrades_and_trials_ask_nothing(api_write, paying, django_capture_on_commit_callbacks):
    _, sub = paying
    SubscriptionFactory(
        account=sub.account, external_id="t-1", is_trial=True, mrr=0, start_date=TODAY - timedelta(days=5)
    )
    bodies = [
        {
            "external_id": "s-1",
            "account": "acme",
            "plan": "Growth",
            "mrr": "1500.00",
            "start_date": sub.start_date.isoformat(),
        },
        {
            "external_id": "t-1",
            "account": "acme",
            "plan": "Growth",
            "mrr": "0",
            "is_trial": True,
            "start_date": (TODAY - timedelta(days=5)).isoformat(),
            "end_date": (TODAY + timedelta(days=2)).isoformat(),
        },
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert api_write.post("/api/v1/subscriptions/", bodies, format="json").status_code in (
            200,
            201,
        )
    assert not ReasonPrompt.objects.exists() and not _prompt_tasks().exists()


def test_csv_cancellation_asks_once(paying, django_capture_on_commit_callbacks):
    _, sub = paying
    end = TODAY + timedelta(days=3)
    csv = (
        "external_id,account,plan,mrr,start_date,end_date,is_trial\n"
        f"s-1,acme,Growth,1000.00,{sub.start_date},{end},false\n"
    )
    for _ in range(2):
        job = import_job_create(kind="subscriptions", file_name="s.csv", content=csv.encode())
        import_job_validate(job=job)
        with django_capture_on_commit_callbacks(execute=True):
            import_job_queue(job=job)
    assert Subscription.objects.get().end_date == end
    assert ReasonPrompt.objects.get().occurred_on == end
    assert _prompt_tasks().count() == 1


def _ts(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, 12, tzinfo=UTC).timestamp())


def _stripe_send(client, event_type: str, obj: dict, created: int):
    payload = {
        "id": f"evt_{time.monotonic_ns()}",
        "object": "event",
        "type": event_type,
        "created": created,
        "data": {"object": obj},
    }
    body = json.dumps(payload)
    header = stripe.WebhookSignature.generate_signature_header(body, "whsec_test")
    return client.post("/webhooks/stripe/", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)


def test_stripe_cancellation_asks_once(client, settings, csm_user, django_capture_on_commit_callbacks):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test"
    account = AccountFactory(stripe_customer_id="cus_1", owner=csm_user)
    sub = {
        "id": "sub_1",
        "object": "subscription",
        "customer": "cus_1",
        "status": "active",
        "currency": "usd",
        "start_date": _ts(TODAY - timedelta(days=200)),
        "created": _ts(TODAY - timedelta(days=200)),
        "trial_start": None,
        "trial_end": None,
        "ended_at": None,
        "cancel_at": None,
        "canceled_at": None,
        "metadata": {},
        "items": {
            "data": [
                {
                    "quantity": 1,
                    "price": {
                        "id": "p",
                        "nickname": "Growth",
                        "unit_amount": 50000,
                        "currency": "usd",
                        "recurring": {"interval": "month", "interval_count": 1},
                    },
                }
            ]
        },
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert _stripe_send(client, "customer.subscription.created", sub, 1000).status_code == 200
    assert not ReasonPrompt.objects.exists()
    leaving = {**sub, "cancel_at": _ts(TODAY + timedelta(days=20)), "canceled_at": _ts(TODAY)}
    for created in (2000, 3000):  # a second delivery of the same cancellation
        with django_capture_on_commit_callbacks(execute=True):
            assert _stripe_send(client, "customer.subscription.updated", leaving, created).status_code == 200
    prompt = ReasonPrompt.objects.get()
    assert prompt.account == account and prompt.arr_lost == Decimal("6000") and prompt.currency == "USD"
    assert _prompt_tasks().get().assignee == csm_user


def test_reason_codes_are_admin_configured(admin_user, csm_user):
    code = reason_code_save(
        user=admin_user, code="Onboarding", label="Poor onboarding", labels={"ar": "تأهيل ضعيف", "fa": ""}
    )
    assert (code.code, code.labels) == ("onboarding", {"ar": "تأهيل ضعيف"})
    with pytest.raises(ValidationError) as err:
        reason_code_save(user=admin_user, code="onboarding", label="", labels={"de": "x"})
    assert set(err.value.message_dict) == {"code", "label", "labels"}
    with pytest.raises(PermissionDenied):
        reason_code_save(user=csm_user, code="x", label="X")
    reason_code_save(user=admin_user, reason_code=code, code="onboarding", label="Poor onboarding", archived=True)
    assert not ReasonCode.objects.filter(archived=False, code="onboarding").exists()


def test_the_reason_task_survives_the_accounts_churn(csm_user, paying, django_capture_on_commit_callbacks):
    """The last paid subscription ends: the account churns and its open tasks are cancelled, but
    not the one asking why it left."""
    from accounts.records import record_update
    from accounts.services import account_revenue_refresh
    from playbooks.services import tasks_cancel_churned
    from tests.factories import TaskFactory

    account, sub = paying
    account_revenue_refresh(account_ids=[account.pk])
    other = TaskFactory(account=account)
    with django_capture_on_commit_callbacks(execute=True):
        record_update(instance=sub, values={"end_date": TODAY - timedelta(days=1)})
    account.refresh_from_db()
    assert account.lifecycle_stage == "churned"
    tasks_cancel_churned(account_ids=[account.pk])
    other.refresh_from_db()
    assert other.status == "cancelled"
    assert _prompt_tasks().get().status == "open"
