"""Incremental rollups (usage.rollups.usage_rollup_apply_deltas): random batches through the
ingest paths, deltas added at random moments, runs repeated and rolled back, pair refreshes in
between: the rollups always end equal to a full recompute from the raw events (the nightly
rebuild), on SQLite and PostgreSQL."""

import random
from datetime import date

import pytest
from django.db import transaction

from tests.factories.accounts import AccountFactory, ContactFactory
from usage.ingest import IngestError, events_store
from usage.models import AccountDailyContact, AccountDailyUsage, RollupDelta
from usage.rollups import usage_rollup_apply_deltas, usage_rollup_rebuild, usage_rollup_refresh

pytestmark = pytest.mark.django_db

EVENTS = ["login", "export", "report_viewed", 'say "hi"', "back\\slash", "tab\there", "été"]
DAYS = [date(2026, 3, 30), date(2026, 3, 31), date(2026, 4, 1)]


def _snapshot() -> tuple:
    rollups = sorted(
        (r.account_id, r.day, r.events, r.active_contacts, tuple(sorted(r.contact_ids)), sorted(r.features.items()))
        for r in AccountDailyUsage.objects.all()
    )
    contacts = sorted(AccountDailyContact.objects.values_list("account_id", "day", "contact_id"))
    return rollups, contacts


def _batch(rng: random.Random, accounts, contacts, pool: list[str]) -> list[dict]:
    rows = []
    for _ in range(rng.randint(1, 40)):
        account = rng.choice(accounts)
        day = rng.choice(DAYS)
        row = {
            "account": account.external_id,
            "event": rng.choice(EVENTS),
            "occurred_at": f"{day}T{rng.choice(['00:00:00', '12:30:00', '23:59:59'])}Z",
        }
        own = contacts[account.id]
        if rng.random() < 0.7:
            row["contact"] = rng.choice(own).external_id
        if rng.random() < 0.5:
            row["message_id"] = rng.choice(pool)  # repeats across and within batches: stored once
        rows.append(row)
    return rows


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_equals_a_full_recompute_on_random_batches(seed):
    rng = random.Random(seed)
    accounts = [AccountFactory() for _ in range(4)]
    contacts = {a.id: [ContactFactory(account=a) for _ in range(3)] for a in accounts}
    pool = [f"m-{seed}-{i}" for i in range(60)]
    for step in range(25):
        try:
            events_store(_batch(rng, accounts, contacts, pool))
        except IngestError:
            pass
        roll = rng.random()
        if roll < 0.35:
            usage_rollup_apply_deltas(wait=True)
        elif roll < 0.45:
            # A run that fails after adding: rolled back with its deletes, done again later.
            with transaction.atomic():
                usage_rollup_apply_deltas(wait=True)
                transaction.set_rollback(True)
        elif roll < 0.55:
            account = rng.choice(accounts)
            usage_rollup_refresh(pairs=[(account.id, rng.choice(DAYS))])  # consumes those days' deltas
        if step % 7 == 6:
            usage_rollup_apply_deltas(wait=True)
            assert usage_rollup_apply_deltas(wait=True) == 0  # a repeated run adds nothing
    usage_rollup_apply_deltas(wait=True)
    assert not RollupDelta.objects.exists()
    incremental = _snapshot()
    assert incremental[0], "nothing was rolled up"
    usage_rollup_rebuild()
    assert _snapshot() == incremental


def test_a_deleted_accounts_deltas_are_dropped():
    kept, gone = AccountFactory(), AccountFactory()
    events_store(
        [
            {"account": kept.external_id, "event": "login", "occurred_at": "2026-03-31T10:00:00Z"},
            {"account": gone.external_id, "event": "login", "occurred_at": "2026-03-31T10:00:00Z"},
        ]
    )
    RollupDelta.objects.create(account_id=gone.id + 1000, day=DAYS[1], event="login", events=1)  # no such account
    gone.delete()
    assert usage_rollup_apply_deltas(wait=True) == 1
    assert list(AccountDailyUsage.objects.values_list("account_id", "events")) == [(kept.id, 1)]
    assert not RollupDelta.objects.exists()


def test_the_rebuild_consumes_the_pending_deltas_of_its_range():
    account = AccountFactory()
    events_store([{"account": account.external_id, "event": "login", "occurred_at": "2026-03-31T10:00:00Z"}])
    assert RollupDelta.objects.count() == 1
    usage_rollup_rebuild(start=DAYS[1], end=DAYS[1])
    assert not RollupDelta.objects.exists()
    assert usage_rollup_apply_deltas(wait=True) == 0
    assert AccountDailyUsage.objects.get(account=account, day=DAYS[1]).events == 1
