"""Intercom against the local Intercom (connectors.fakes.intercom): companies matched by company_id
and by domain, contacts by e-mail, conversations as tickets, search cursors resumed after a
crash, a 429 storm, a revoked token, reruns that change nothing, the commands."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command

from accounts.models import Account, Contact, SupportTicket
from connectors.choices import ConnectionStatus, RunStatus
from connectors.fakes.intercom import IntercomFake
from connectors.services import connection_create

from .helpers import run_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def intercom():
    with IntercomFake() as fake:
        yield fake


@pytest.fixture
def connection(db, intercom):
    return connection_create(kind="intercom", name="Intercom", base_url=intercom.url, token="ic-token")


def _book(fake):
    Account.objects.create(external_id="crm-acme", name="Acme (CRM)", domain="acme.test")
    Account.objects.create(external_id="crm-beta", name="Beta (CRM)", domain="beta.test")
    Contact.objects.create(
        external_id="crm-ann", email="ann@acme.test", account=Account.objects.get(external_id="crm-acme")
    )
    acme = fake.add_company("Acme", company_id="crm-acme")
    beta = fake.add_company("Beta", website="https://www.beta.test/")
    gamma = fake.add_company("Gamma", website="gamma.test")
    ann = fake.add_contact("Ann", "Ann@Acme.test", company=acme)
    bob = fake.add_contact("Bob", "bob@gamma.test", company=gamma)
    lead = fake.add_contact("Lee", "lee@beta.test", company=beta, role="lead")
    conversations = [
        fake.add_conversation("Login fails", contact=ann, state="closed", first_reply=600, closed=3600),
        fake.add_conversation("Billing", contact=bob, state="snoozed", first_reply=60),
        fake.add_conversation("Hello", contact=lead),
    ]
    return {
        "acme": acme,
        "beta": beta,
        "gamma": gamma,
        "ann": ann,
        "bob": bob,
        "lead": lead,
        "conversations": conversations,
    }


def test_first_sync_matches_and_creates_then_a_rerun_changes_nothing(intercom, connection):
    book = _book(intercom)
    run = run_sync(connection)
    assert run.status == RunStatus.SUCCEEDED, run.reason
    connection.refresh_from_db()
    links = connection.options["links"]["companies"]
    assert links[book["acme"]] == "crm-acme" and links[book["beta"]] == "crm-beta"
    assert Account.objects.get(external_id=f"intercom:{book['gamma']}").domain == "gamma.test"
    assert not Contact.objects.filter(external_id=f"intercom:{book['ann']}").exists()  # matched by e-mail
    lee = Contact.objects.get(external_id=f"intercom:{book['lead']}")
    assert lee.account.external_id == "crm-beta"
    first = SupportTicket.objects.get(external_id=f"intercom:{book['conversations'][0]}")
    assert first.account.external_id == "crm-acme" and first.contact.external_id == "crm-ann"
    assert first.first_response_at == first.opened_at + timedelta(minutes=10)
    assert first.resolved_at == first.opened_at + timedelta(hours=1) and first.status == "closed"
    billing = SupportTicket.objects.get(external_id=f"intercom:{book['conversations'][1]}")
    assert (billing.status, billing.resolved_at, billing.account.external_id) == (
        "pending",
        None,
        f"intercom:{book['gamma']}",
    )
    again = run_sync(connection)
    assert (again.created, again.updated, again.failed) == (0, 0, 0)
    assert SupportTicket.objects.count() == 3


def test_incremental_pull_takes_what_changed(intercom, connection):
    book = _book(intercom)
    run_sync(connection)
    conversation = book["conversations"][1]
    created = intercom.records["conversations"][conversation]["created_at"]
    intercom.update(
        "conversations",
        conversation,
        state="closed",
        statistics={"first_admin_reply_at": created + 60, "last_close_at": created + 120},
    )
    run = run_sync(connection)
    assert run.updated == 1, run.log
    ticket = SupportTicket.objects.get(external_id=f"intercom:{conversation}")
    assert ticket.status == "closed" and ticket.resolved_at == ticket.opened_at + timedelta(minutes=2)
    search = [b for m, b in intercom.requests if m == "POST" and b == "/conversations/search"]
    assert len(search) == 2


def test_a_crash_resumes_from_the_search_cursor(intercom, connection, monkeypatch):
    book = _book(intercom)
    for i in range(5):
        intercom.add_conversation(f"More {i}", contact=book["bob"])
    intercom.page_size = 2
    from connectors.vendors import helpdesk

    real = helpdesk.tickets_write
    pages = []

    def crash(ctx, records, **kwargs):
        pages.append(1)
        if len(pages) == 3:
            raise RuntimeError("worker killed")
        return real(ctx, records, **kwargs)

    monkeypatch.setattr(helpdesk, "tickets_write", crash)
    with pytest.raises(RuntimeError):
        run_sync(connection)
    assert SupportTicket.objects.count() == 4
    monkeypatch.setattr(helpdesk, "tickets_write", real)
    run = run_sync(connection)
    assert run.status == RunStatus.SUCCEEDED, run.reason
    assert SupportTicket.objects.count() == 8


def test_429_storm_and_revoked_token(intercom, connection):
    _book(intercom)
    intercom.rate_limited = 3
    assert run_sync(connection).status == RunStatus.SUCCEEDED
    intercom.rate_limited = 100
    run = run_sync(connection, full=True)
    assert run.status == RunStatus.FAILED and "429" in run.reason
    intercom.rate_limited = 0
    intercom.tokens = set()
    run = run_sync(connection)
    assert run.status == RunStatus.FAILED and "Access Token Invalid" in run.reason
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.NEEDS_AUTH


def test_commands_add_and_sync(intercom):
    _book(intercom)
    call_command(
        "connector_add",
        "--kind",
        "intercom",
        "--name",
        "IC",
        "--token",
        "ic-token",
        "--base-url",
        intercom.url,
        stdout=io.StringIO(),
    )
    out = io.StringIO()
    call_command("connector_sync", "IC", stdout=out)
    assert "created" in out.getvalue() and SupportTicket.objects.count() == 3
