"""REST API contract: shapes, upsert by external id, atomic lists, scopes and roles."""

from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.models import Account, Activity, Contact, CostEntry, Subscription, SupportTicket
from accounts.signals import subscription_changed, ticket_changed
from core.choices import Role
from core.models import WebhookDelivery
from core.webhooks import webhook_endpoint_create
from tests.factories import AccountFactory, SubscriptionFactory, UserFactory
from usage.models import UsageEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def signals():
    """Collect what accounts.signals receivers would hear."""
    heard = []

    def on_sub(sender, **kw):
        heard.append(("subscription", kw["change"], kw["account_id"]))

    def on_ticket(sender, **kw):
        heard.append(("ticket", kw["created"], kw["account_id"]))

    subscription_changed.connect(on_sub, weak=False, dispatch_uid="test-sub")
    ticket_changed.connect(on_ticket, weak=False, dispatch_uid="test-ticket")
    yield heard
    subscription_changed.disconnect(dispatch_uid="test-sub")
    ticket_changed.disconnect(dispatch_uid="test-ticket")


# Section: accounts


def test_create_one_account_then_upsert_by_external_id(api_write):
    # when
    first = api_write.post(
        "/api/v1/accounts/",
        {"external_id": "acme", "name": "Acme", "tier": "key", "created_at": "2021-05-01T09:00:00Z"},
        format="json",
    )
    again = api_write.post("/api/v1/accounts/", {"external_id": "acme", "name": "Acme Inc."}, format="json")
    # then
    assert first.status_code == 201, first.json()
    assert first.json()["created_at"] == "2021-05-01T09:00:00Z"  # historical timestamp kept
    assert again.status_code == 200
    account = Account.objects.get(external_id="acme")
    assert account.name == "Acme Inc." and account.tier == "key"
    assert Account.objects.count() == 1


def test_list_of_accounts_with_parent_in_same_list(api_write):
    items = [
        {"external_id": "child", "name": "Child", "parent": "group"},
        {"external_id": "group", "name": "Group"},
    ]
    response = api_write.post("/api/v1/accounts/", items, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 2
    assert Account.objects.get(external_id="child").parent.external_id == "group"
    # the same list again changes nothing
    again = api_write.post("/api/v1/accounts/", items, format="json").json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)


def test_bad_list_is_refused_whole_listing_each_bad_item(api_write):
    items = [
        {"external_id": "ok-1", "name": "Fine"},
        {"external_id": "bad-1", "name": "Bad tier", "tier": "platinum"},
        {"name": "No id"},
        {"external_id": "ok-1", "name": "Duplicate in list"},
    ]
    response = api_write.post("/api/v1/accounts/", items, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert {(e["index"], e["field"]) for e in body["errors"]} == {(1, "tier"), (2, "external_id"), (3, "external_id")}
    assert not Account.objects.exists()


def test_list_filters_and_cursor_pages(api_read):
    AccountFactory.create_batch(5, segment="SMB")
    AccountFactory.create_batch(3, segment="Enterprise")
    response = api_read.get("/api/v1/accounts/", {"segment": "Enterprise", "page_size": 2})
    body = response.json()
    assert response.status_code == 200
    assert len(body["results"]) == 2 and body["next"]
    rest = api_read.get(body["next"]).json()
    assert len(rest["results"]) == 1 and rest["next"] is None


def test_retrieve_update_delete_by_external_id(api_write):
    AccountFactory(external_id="acme", name="Acme")
    assert api_write.get("/api/v1/accounts/acme/").json()["name"] == "Acme"
    patched = api_write.patch("/api/v1/accounts/acme/", {"segment": "Mid-market"}, format="json")
    assert patched.status_code == 200 and patched.json()["segment"] == "Mid-market"
    assert api_write.delete("/api/v1/accounts/acme/").status_code == 204
    assert not Account.objects.exists()


def test_list_of_10000_accounts_in_few_queries(api_write, django_assert_max_num_queries):
    items = [{"external_id": f"a{i}", "name": f"Account {i}"} for i in range(10_000)]
    with django_assert_max_num_queries(60):
        response = api_write.post("/api/v1/accounts/", items, format="json")
    assert response.status_code == 200
    assert Account.objects.count() == 10_000
    too_many = api_write.post("/api/v1/accounts/", [*items, {"external_id": "x", "name": "x"}], format="json")
    assert too_many.status_code == 400


# Section: contacts, tickets, activities, costs


def test_contacts_refer_to_account_by_external_id(api_write):
    AccountFactory(external_id="acme")
    response = api_write.post(
        "/api/v1/contacts/",
        [
            {"external_id": "u1", "account": "acme", "email": "a@acme.test", "language": "de"},
            {"external_id": "u2", "account": "nope", "email": "b@acme.test"},
        ],
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 1, "field": "account", "reason": "Object with external_id=nope does not exist."}
    ]
    assert not Contact.objects.exists()


def test_tickets_upsert_and_signal(api_write, signals):
    AccountFactory(external_id="acme")
    ticket = {
        "external_id": "T-1",
        "account": "acme",
        "opened_at": "2025-01-01T10:00:00Z",
        "first_response_at": "2025-01-01T11:30:00Z",
        "resolved_at": None,
        "agent_replies": 1,
    }
    assert api_write.post("/api/v1/tickets/", ticket, format="json").status_code == 201
    ticket["resolved_at"] = "2025-01-02T09:00:00Z"
    assert api_write.post("/api/v1/tickets/", ticket, format="json").status_code == 200
    assert SupportTicket.objects.get().resolved_at.day == 2
    assert [s for s in signals if s[0] == "ticket"] == [("ticket", True, Account.objects.get().pk)] + [
        ("ticket", False, Account.objects.get().pk)
    ]
    backwards = {**ticket, "external_id": "T-2", "resolved_at": "2024-12-01T00:00:00Z"}
    response = api_write.post("/api/v1/tickets/", backwards, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "resolved_at"


def test_activity_goes_through_timeline_service(api_write):
    account = AccountFactory(external_id="acme")
    response = api_write.post(
        "/api/v1/activities/",
        {"account": "acme", "kind": "call", "subject": "QBR", "occurred_at": "2026-01-10T15:00:00Z"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    account.refresh_from_db()
    assert account.last_touch_at.isoformat().startswith("2026-01-10")
    assert Activity.objects.get().subject == "QBR"


def test_costs_need_manager_role(client, user_for_role):
    body = {"period_start": "2026-01-01", "period_end": "2026-02-01", "amount": "12000.00", "category": "staff"}
    client.force_login(user_for_role(Role.CSM))
    client.get("/")  # a browser session's API calls carry the token of the page they came from
    assert client.post("/api/v1/costs/", body, content_type="application/json").status_code == 403
    client.force_login(user_for_role(Role.MANAGER))
    client.get("/")
    assert client.post("/api/v1/costs/", body, content_type="application/json").status_code == 201
    # the same entry again updates rather than counting it twice
    body["amount"] = "13000.00"
    assert client.post("/api/v1/costs/", body, content_type="application/json").status_code == 200
    assert CostEntry.objects.get().amount == Decimal("13000.00")


# Section: subscriptions


def test_subscription_writes_refresh_mrr_and_signal_the_change(api_write, signals):
    account = AccountFactory(external_id="acme")
    sub = {"account": "acme", "plan": "Growth", "mrr": "1000.00", "start_date": "2025-01-01", "end_date": None}
    assert api_write.post("/api/v1/subscriptions/", sub, format="json").status_code == 201
    account.refresh_from_db()
    assert account.mrr == Decimal("1000.00")
    # same (account, plan, start_date) without an external id: an upsert, here an upgrade
    assert api_write.post("/api/v1/subscriptions/", {**sub, "mrr": "1500.00"}, format="json").status_code == 200
    account.refresh_from_db()
    assert account.mrr == Decimal("1500.00")
    assert [s[1] for s in signals] == ["created", "upgrade"]
    assert Subscription.objects.count() == 1


def test_cancelling_last_paid_subscription_emits_account_churned(
    api_write, signals, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOWED_INTERNAL_HOSTS = ["127.0.0.1"]  # the listener is on loopback
    webhook_endpoint_create(url="http://127.0.0.1:9/", events=["account.churned"])
    account = AccountFactory(external_id="acme")
    SubscriptionFactory(account=account, external_id="sub_1", mrr=Decimal("500"), start_date=date(2024, 1, 1))
    from accounts.services import account_revenue_refresh

    account_revenue_refresh(account_ids=[account.pk])
    with django_capture_on_commit_callbacks(execute=False):
        response = api_write.patch(
            f"/api/v1/subscriptions/{Subscription.objects.get().pk}/",
            {"end_date": "2025-01-01", "canceled_at": "2024-12-15T10:00:00Z"},
            format="json",
        )
    assert response.status_code == 200, response.json()
    assert signals[-1][1] == "cancelled"
    account.refresh_from_db()
    assert account.mrr == 0
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "account.churned" and delivery.payload["account"] == "acme"


def test_churn_by_billing_sets_the_stage_once_and_only_without_a_paid_subscription(api_write):
    """Ending the last paid subscription (API write) moves the account to Churned with a timeline
    entry; an account still paid by another subscription, or cancelled to its term's end, keeps its stage."""
    # given: three paying accounts
    gone, other_sub, term = (
        AccountFactory(external_id=x, lifecycle_stage="mature") for x in ("gone", "other-sub", "term")
    )
    for account in (gone, other_sub, term):
        SubscriptionFactory(
            account=account, external_id=f"{account.external_id}-1", mrr=Decimal("500"), start_date=date(2024, 1, 1)
        )
    SubscriptionFactory(account=other_sub, external_id="other-sub-2", mrr=Decimal("90"), start_date=date(2024, 1, 1))
    from accounts.services import account_revenue_refresh

    account_revenue_refresh()
    # when: each one's first subscription is cancelled; "term" runs to a later end date
    ended = {"end_date": "2025-01-01", "canceled_at": "2024-12-15T10:00:00Z"}
    for external_id, values in (("gone-1", ended), ("other-sub-1", ended), ("term-1", {"end_date": "2099-01-01"})):
        response = api_write.patch(
            f"/api/v1/subscriptions/{Subscription.objects.get(external_id=external_id).pk}/", values, format="json"
        )
        assert response.status_code == 200, response.json()
    # then
    stages = dict(Account.objects.values_list("external_id", "lifecycle_stage"))
    assert stages == {"gone": "churned", "other-sub": "mature", "term": "mature"}
    moves = Activity.objects.filter(subject__startswith="Lifecycle stage")
    assert [(a.account.external_id, a.subject) for a in moves] == [("gone", "Lifecycle stage Mature → Churned")]
    # when: another write for the churned account (an old, ended plan), no second entry
    api_write.post(
        "/api/v1/subscriptions/",
        {"account": "gone", "plan": "Old", "mrr": "10", "start_date": "2023-01-01", "end_date": "2023-06-01"},
        format="json",
    )
    assert Activity.objects.filter(subject__startswith="Lifecycle stage").count() == 1


def test_churn_by_billing_leaves_an_already_churned_account_alone(api_write):
    account = AccountFactory(external_id="lost", lifecycle_stage="churned")
    SubscriptionFactory(account=account, external_id="lost-1", mrr=Decimal("500"), start_date=date(2024, 1, 1))
    from accounts.services import account_revenue_refresh

    account_revenue_refresh(account_ids=[account.pk])
    sub = Subscription.objects.get()
    response = api_write.patch(f"/api/v1/subscriptions/{sub.pk}/", {"end_date": "2025-01-01"}, format="json")
    assert response.status_code == 200
    assert not Activity.objects.filter(account=account).exists()
    assert Account.objects.get(pk=account.pk).lifecycle_stage == "churned"


def test_subscription_end_before_start_is_400(api_write):
    AccountFactory(external_id="acme")
    response = api_write.post(
        "/api/v1/subscriptions/",
        {"account": "acme", "plan": "P", "mrr": "1", "start_date": "2025-02-01", "end_date": "2025-01-01"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "end_date"


# Section: scopes and roles


def test_read_key_cannot_write(api_read):
    response = api_read.post("/api/v1/accounts/", {"external_id": "x", "name": "x"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_ingest_key_only_ingests(api_ingest):
    account = AccountFactory(external_id="acme")
    assert api_ingest.get("/api/v1/accounts/").status_code == 403
    assert api_ingest.get("/api/v1/events/").status_code == 403
    assert api_ingest.post("/api/v1/accounts/", {"external_id": "x", "name": "x"}, format="json").status_code == 403
    event = {"account": "acme", "event": "e", "occurred_at": "2026-01-01T10:00:00Z"}
    assert api_ingest.post("/api/v1/events/", event, format="json").status_code == 201
    pk = UsageEvent.objects.get(account=account).pk
    assert api_ingest.delete(f"/api/v1/events/{pk}/").status_code == 403


def test_no_key_is_401_and_unknown_key_too():
    assert APIClient().get("/api/v1/accounts/").status_code in (401, 403)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer csk_nope")
    assert client.get("/api/v1/accounts/").status_code == 401


def test_session_roles(client):
    viewer = UserFactory(role=Role.READONLY)
    client.force_login(viewer)
    assert client.get("/api/v1/accounts/").status_code == 200
    body = {"external_id": "x", "name": "x"}
    client.get("/")  # a browser session's API calls carry the token of the page they came from
    assert client.post("/api/v1/accounts/", body, content_type="application/json").status_code == 403
    client.force_login(UserFactory(role=Role.CSM))
    client.get("/")
    assert client.post("/api/v1/accounts/", body, content_type="application/json").status_code == 201


def test_oversized_body_is_413(api_write, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = [{"external_id": f"a{i}", "name": "x" * 50} for i in range(50)]
    response = api_write.post("/api/v1/accounts/", body, format="json")
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    rows = [{"account": "a", "event": "e" * 100, "occurred_at": "2026-01-01T00:00:00Z"}] * 20
    assert api_write.post("/api/v1/events/bulk", rows, format="json").status_code == 413
