"""usage.ingest's per-process cache of account and contact ids (PostgreSQL): it saves the
lookups of a batch, and a delete, truncate or external-id change empties it (migration 0013's
generation token), so an event never names an account or contact that is gone."""

import orjson
import pytest
from django.db import connection, transaction

from accounts.models import Account, Contact
from tests.factories import AccountFactory, ContactFactory
from usage.ingest.decoded import events_decode, events_store_decoded
from usage.models import UsageEvent
from usage.sql import idcache
from usage.sql import lookups as sql_lookups

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the cache only serves reads outside a transaction
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the id cache is PostgreSQL's"),
]


def _store(rows):
    decoded = events_decode(orjson.dumps(rows))
    return events_store_decoded(decoded)


def _row(n, account="acme", contact="u1"):
    return {
        "account": account,
        "contact": contact,
        "event": "e",
        "occurred_at": "2026-01-01T10:00:00Z",
        "message_id": f"c{n}",
    }


@pytest.fixture
def lookups(monkeypatch):
    seen: list[tuple[str, list]] = []
    real = sql_lookups.ids_by

    def counting(model, column, values):
        if values:
            seen.append((model.__name__, list(values)))
        return real(model, column, values)

    monkeypatch.setattr(sql_lookups, "ids_by", counting)
    return seen


def test_a_second_batch_takes_its_ids_from_the_cache(lookups):
    account = AccountFactory(external_id="acme")
    ContactFactory(account=account, external_id="u1")
    assert _store([_row(1)]).stored == 1
    assert lookups == [("Account", ["acme"]), ("Contact", ["u1"])]
    lookups.clear()
    assert _store([_row(2), _row(3)]).stored == 2
    assert lookups == []
    AccountFactory(external_id="beta")
    assert _store([_row(4, account="beta", contact=None)]).stored == 1
    assert lookups == [("Account", ["beta"])]  # only what the cache has not seen


def test_a_deleted_contact_or_account_is_not_served_from_the_cache(lookups):
    account = AccountFactory(external_id="acme")
    contact = ContactFactory(account=account, external_id="u1")
    assert _store([_row(1)]).stored == 1
    contact.delete()
    assert _store([_row(2)]) is None  # unknown contact: handed back, nothing written
    assert _store([_row(3, contact=None)]).stored == 1
    Account.objects.filter(pk=account.pk).delete()
    assert _store([_row(4, contact=None)]) is None
    assert set(UsageEvent.objects.values_list("message_id", flat=True)) == set()  # cascaded with the account


def test_a_changed_external_id_empties_the_cache(lookups):
    account = AccountFactory(external_id="acme")
    ContactFactory(account=account, external_id="u1")
    assert _store([_row(1)]).stored == 1
    Contact.objects.filter(external_id="u1").update(external_id="u2")
    assert _store([_row(2)]) is None
    assert _store([_row(3, contact="u2")]).stored == 1
    account.name = "Acme renamed"  # a save that keeps the external id keeps the cache
    account.save()
    lookups.clear()
    assert _store([_row(4, contact="u2")]).stored == 1
    assert lookups == []


def test_reads_inside_a_transaction_are_not_cached(lookups):
    with transaction.atomic():
        account = AccountFactory(external_id="ghost")
        ContactFactory(account=account, external_id="g1")
        assert _store([_row(1, account="ghost", contact="g1")]).stored == 1
        transaction.set_rollback(True)  # the account never existed
    assert _store([_row(2, account="ghost", contact="g1")]) is None
    assert not UsageEvent.objects.exists()


def test_a_full_cache_starts_again(lookups, monkeypatch):
    monkeypatch.setattr(idcache, "ID_CACHE_MAX", 3)
    account = AccountFactory(external_id="acme")
    contacts = {n: ContactFactory(account=account, external_id=f"u{n}").pk for n in range(4)}
    assert _store([_row(n, contact=f"u{n}") for n in range(3)]).stored == 3
    cache = idcache._id_caches[connection.settings_dict["NAME"]]
    assert cache.contacts == {f"u{n}": contacts[n] for n in range(3)}
    assert _store([_row(3, contact="u3")]).stored == 1
    assert cache.contacts == {"u3": contacts[3]}  # 4 would pass the cap: emptied, then filled
