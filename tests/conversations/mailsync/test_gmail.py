"""Gmail sync against the fake (Gmail API v1): a full pass first, then history from the stored
historyId; each message fetched raw and stored once by the inbound path; drafts skipped; an
expired historyId (404) starts over; a stopped run resumes from its page."""

import json

import pytest

from accounts.models import Activity
from conversations import remote
from conversations.mailsync.sync import mail_sync
from conversations.models import MailMessage, Provider
from conversations.remote import RateLimited
from tests.factories import ContactFactory
from tests.factories.conversations import raw_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(inbound):
    return ContactFactory(email="alice@customer.example")


def test_full_then_history_increment(fake, connect, contact):
    connection = connect(Provider.GOOGLE)
    for i in range(3):
        fake.state.put_gmail(f"g{i}", raw_email(subject=f"Hello {i}"))
    fake.state.put_gmail("draft", raw_email(subject="Unsent"), labels=["DRAFT"])

    first = mail_sync(connection=connection)

    assert first.full and first.fetched == 3
    assert MailMessage.objects.filter(account=contact.account).count() == 3
    assert json.loads(connection.mail_cursor)["history_id"]
    # a new message arrives: only history is asked for, and only the new message fetched
    fake.state.put_gmail("g3", raw_email(subject="Renewal question"))
    fake.state.requests.clear()
    second = mail_sync(connection=connection)
    assert not second.full and second.fetched == 1
    paths = [path for _m, path in fake.state.requests]
    assert any("/history?" in p for p in paths) and not any("/messages?" in p for p in paths)
    assert Activity.objects.filter(account=contact.account, kind="email").count() == 4


def test_the_same_message_twice_is_stored_once(fake, connect, contact):
    connection = connect(Provider.GOOGLE)
    raw = raw_email(subject="Once")
    fake.state.put_gmail("a", raw)
    mail_sync(connection=connection)
    fake.state.put_gmail("a", raw)  # Gmail reports it again (a label change, a re-sync)
    result = mail_sync(connection=connection)
    assert result.outcomes == {"duplicate": 1}
    assert MailMessage.objects.count() == 1


def test_expired_history_id_means_a_full_pass(fake, connect, contact):
    connection = connect(Provider.GOOGLE)
    fake.state.put_gmail("a", raw_email(subject="One"))
    mail_sync(connection=connection)
    fake.state.expire_tokens = True
    fake.state.put_gmail("b", raw_email(subject="Two"))
    result = mail_sync(connection=connection)
    assert result.full and result.outcomes.get("matched") == 1 and result.outcomes.get("duplicate") == 1


def test_a_run_stopped_by_a_rate_limit_resumes_from_its_page(fake, connect, contact, monkeypatch):
    monkeypatch.setattr(remote, "_sleep", lambda s: None)
    connection = connect(Provider.GOOGLE)
    for i in range(5):
        fake.state.put_gmail(f"m{i}", raw_email(subject=f"Message {i}"))
    # the listing's second page is refused for long: the run stops there
    calls = {"n": 0}
    original = remote.api_get

    def flaky(conn, url, **kwargs):
        if url.endswith("/messages") and kwargs.get("params", {}).get("pageToken") == "2" and calls["n"] == 0:
            calls["n"] += 1
            raise RateLimited("slow down", retry_after=60)
        return original(conn, url, **kwargs)

    monkeypatch.setattr("conversations.mailsync.gmail.api_get", flaky)
    with pytest.raises(RateLimited):
        mail_sync(connection=connection)
    connection.refresh_from_db()
    saved = json.loads(connection.mail_cursor)
    assert saved["page"] == "2" and saved["phase"] == "full"
    assert MailMessage.objects.count() == 2
    fake.state.requests.clear()
    mail_sync(connection=connection)  # resumes at page 2: the first two are not fetched again
    assert MailMessage.objects.count() == 5
    fetched = [p for _m, p in fake.state.requests if "format=raw" in p]
    assert len(fetched) == 3


def test_429_from_gmail_is_waited_out(fake, connect, contact, monkeypatch):
    waits = []
    monkeypatch.setattr(remote, "_sleep", waits.append)
    connection = connect(Provider.GOOGLE)
    fake.state.put_gmail("a", raw_email())
    fake.state.fail_next["/messages/a"] = [1, 2]
    mail_sync(connection=connection)
    assert waits == [2.0] and MailMessage.objects.count() == 1
