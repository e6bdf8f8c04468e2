"""Zendesk against the local Zendesk (connectors.fakes.zendesk): organizations matched by
external id and by domain, users by e-mail, tickets with their metrics, a deleted ticket, cursors
resumed after a crash, a 429 storm, a revoked token, reruns that change nothing, the commands."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils.dateparse import parse_datetime

from accounts.models import Account, Contact, SupportTicket
from connectors.choices import ConnectionStatus, RunStatus
from connectors.fakes.zendesk import ZendeskFake
from connectors.services import connection_create

from .helpers import run_sync

pytestmark = pytest.mark.django_db

TOKEN = "agent@example.com/token:zd-token"


@pytest.fixture
def zendesk():
    with ZendeskFake() as fake:
        yield fake


@pytest.fixture
def connection(db, zendesk):
    return connection_create(kind="zendesk", name="Zendesk", base_url=zendesk.url, token=TOKEN)


def _book(fake):
    """Three organizations (one known to us by external id, one by domain, one new), their
    people (one agent), and tickets."""
    Account.objects.create(external_id="crm-acme", name="Acme (CRM)", domain="acme.test")
    Account.objects.create(external_id="crm-beta", name="Beta (CRM)", domain="beta.test")
    Contact.objects.create(
        external_id="crm-ann", email="ann@acme.test", account=Account.objects.get(external_id="crm-acme")
    )
    acme = fake.add_organization("Acme", domains=["other.test"], external_id="crm-acme")
    beta = fake.add_organization("Beta Inc", domains=["BETA.test"])
    gamma = fake.add_organization("Gamma", domains=["gamma.test"])
    ann = fake.add_user("Ann", "ANN@acme.test", organization=acme)
    bob = fake.add_user("Bob", "bob@gamma.test", organization=gamma)
    fake.add_user("Agent Smith", "smith@support.test", role="agent")
    tickets = [
        fake.add_ticket(
            "Cannot log in",
            requester=ann,
            organization=acme,
            status="solved",
            priority="high",
            reply_minutes=30,
            resolution_minutes=120,
            replies=1,
        ),
        fake.add_ticket("Invoice", requester=bob, organization=gamma, status="open", reply_minutes=5, replies=2),
        fake.add_ticket("No org on ticket", requester=ann, status="pending"),
    ]
    return {"acme": acme, "beta": beta, "gamma": gamma, "ann": ann, "bob": bob, "tickets": tickets}


def test_first_sync_matches_and_creates(zendesk, connection):
    book = _book(zendesk)
    run = run_sync(connection)
    assert run.status == RunStatus.SUCCEEDED, run.reason
    # organizations: matched by external id and by domain (links, nothing changed), one new
    assert Account.objects.get(external_id="crm-acme").name == "Acme (CRM)"
    assert Account.objects.get(external_id=f"zendesk:{book['gamma']}").domain == "gamma.test"
    assert not Account.objects.filter(external_id=f"zendesk:{book['acme']}").exists()
    assert not Account.objects.filter(external_id=f"zendesk:{book['beta']}").exists()
    connection.refresh_from_db()
    links = connection.options["links"]["organizations"]
    assert links[str(book["acme"])] == "crm-acme" and links[str(book["beta"])] == "crm-beta"
    assert any("by domain" in line["message"] for line in run.log)
    # users: Ann matched by e-mail, Bob new on Gamma's account, the agent left out
    assert not Contact.objects.filter(external_id=f"zendesk:{book['ann']}").exists()
    bob = Contact.objects.get(external_id=f"zendesk:{book['bob']}")
    assert (bob.email, bob.account.external_id) == ("bob@gamma.test", f"zendesk:{book['gamma']}")
    assert not Contact.objects.filter(email="smith@support.test").exists()
    # tickets with their metrics
    first = SupportTicket.objects.get(external_id=f"zendesk:{book['tickets'][0]}")
    opened = parse_datetime(zendesk.records["tickets"][book["tickets"][0]]["created_at"])
    assert first.account.external_id == "crm-acme" and first.contact.external_id == "crm-ann"
    assert first.first_response_at == opened + timedelta(minutes=30)
    assert first.resolved_at == opened + timedelta(minutes=120)
    assert (first.status, first.priority, first.agent_replies) == ("resolved", "high", 1)
    second = SupportTicket.objects.get(external_id=f"zendesk:{book['tickets'][1]}")
    assert (second.status, second.resolved_at, second.agent_replies) == ("open", None, 2)
    # a ticket without an organization takes its requester's account
    third = SupportTicket.objects.get(external_id=f"zendesk:{book['tickets'][2]}")
    assert (third.account.external_id, third.status) == ("crm-acme", "pending")
    # a rerun changes nothing
    again = run_sync(connection)
    assert (again.created, again.updated, again.failed) == (0, 0, 0)
    assert SupportTicket.objects.count() == 3 and Account.objects.count() == 3


def test_incremental_update_and_deleted_ticket(zendesk, connection):
    book = _book(zendesk)
    run_sync(connection)
    solved, opened_ticket = book["tickets"][0], book["tickets"][1]
    zendesk.update("tickets", opened_ticket, status="solved")
    zendesk.update_metrics(opened_ticket, full_resolution_time_in_minutes={"calendar": 90, "business": 60})
    zendesk.update("tickets", solved, status="deleted")
    run = run_sync(connection)
    assert run.status == RunStatus.SUCCEEDED, run.reason
    assert run.deleted == 1 and run.updated == 1
    assert not SupportTicket.objects.filter(external_id=f"zendesk:{solved}").exists()
    ticket = SupportTicket.objects.get(external_id=f"zendesk:{opened_ticket}")
    assert ticket.status == "resolved" and ticket.resolved_at == ticket.opened_at + timedelta(minutes=90)
    # the incremental run asked only for what changed since the last one
    assert run_sync(connection).updated == 0


def test_a_crash_mid_export_resumes_from_the_saved_cursor(zendesk, connection, monkeypatch):
    book = _book(zendesk)
    for i in range(5):
        zendesk.add_ticket(f"More {i}", requester=book["bob"], organization=book["gamma"])
    zendesk.page_size = 2
    from connectors.vendors import helpdesk

    real = helpdesk.tickets_write
    pages = []

    def crash_on_third_page(ctx, records, **kwargs):
        pages.append(len(records))
        if len(pages) == 3:
            raise RuntimeError("worker killed")
        return real(ctx, records, **kwargs)

    monkeypatch.setattr(helpdesk, "tickets_write", crash_on_third_page)
    with pytest.raises(RuntimeError):
        run_sync(connection)
    assert SupportTicket.objects.count() == 4  # two pages written, their cursor saved
    monkeypatch.setattr(helpdesk, "tickets_write", real)
    run = run_sync(connection)
    assert run.status == RunStatus.SUCCEEDED, run.reason
    assert any("Resumed" in line["message"] for line in run.log)
    assert SupportTicket.objects.count() == 8
    cursors = [p for m, p in zendesk.requests if m == "GET" and p.endswith("tickets/cursor.json")]
    assert len(cursors) >= 5


def test_a_429_storm_is_waited_out_and_a_longer_one_fails_the_run_cleanly(zendesk, connection):
    _book(zendesk)
    zendesk.rate_limited = 3
    run = run_sync(connection)
    assert run.status == RunStatus.SUCCEEDED, run.reason
    assert SupportTicket.objects.count() == 3
    zendesk.add_ticket("Later", requester=next(iter(zendesk.records["users"])))
    zendesk.rate_limited = 100
    run = run_sync(connection)
    assert run.status == RunStatus.FAILED and "429" in run.reason
    zendesk.rate_limited = 0
    assert run_sync(connection).status == RunStatus.SUCCEEDED


def test_a_revoked_token_fails_the_run_and_writes_nothing(zendesk, connection):
    _book(zendesk)
    zendesk.valid = set()
    run = run_sync(connection)
    assert run.status == RunStatus.FAILED and "authenticate" in run.reason
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.NEEDS_AUTH
    assert not SupportTicket.objects.exists() and Account.objects.count() == 2


def test_commands_add_and_sync(zendesk):
    _book(zendesk)
    out = io.StringIO()
    call_command(
        "connector_add", "--kind", "zendesk", "--name", "ZD", "--base-url", zendesk.url, "--token", TOKEN, stdout=out
    )
    out = io.StringIO()
    call_command("connector_sync", "ZD", stdout=out)
    assert "created" in out.getvalue()
    assert SupportTicket.objects.count() == 3
