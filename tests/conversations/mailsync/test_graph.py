"""Microsoft 365 mail sync against the fake (Graph v1.0 message delta per folder, MIME by
`$value`): inbox and sent items, deltaLink increments, 410 restarts that folder."""

import json

import pytest

from conversations.mailsync.sync import mail_sync
from conversations.models import MailMessage, Provider
from tests.factories import ContactFactory
from tests.factories.conversations import raw_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(inbound):
    return ContactFactory(email="alice@customer.example")


def test_inbox_and_sent_then_delta(fake, connect, contact):
    connection = connect(Provider.MICROSOFT)
    for i in range(3):
        fake.state.put_graph_mail(f"in{i}", raw_email(subject=f"Question {i}"))
    fake.state.put_graph_mail(
        "out0", raw_email(sender="csm@team.example", to="alice@customer.example", subject="Answer"), folder="sentitems"
    )

    first = mail_sync(connection=connection)

    assert first.full and first.fetched == 4
    directions = sorted(MailMessage.objects.values_list("direction", flat=True))
    assert directions == ["in", "in", "in", "out"]
    cursor = json.loads(connection.mail_cursor)
    assert "deltatoken" in cursor["inbox"] and "deltatoken" in cursor["sentitems"]
    fake.state.put_graph_mail("in3", raw_email(subject="Follow-up"))
    second = mail_sync(connection=connection)
    assert second.fetched == 1 and MailMessage.objects.count() == 5


def test_stale_delta_link_restarts_and_stores_nothing_twice(fake, connect, contact):
    connection = connect(Provider.MICROSOFT)
    fake.state.put_graph_mail("a", raw_email(subject="A"))
    mail_sync(connection=connection)
    fake.state.expire_tokens = True
    result = mail_sync(connection=connection)
    assert result.outcomes == {"duplicate": 1}
    assert MailMessage.objects.count() == 1
