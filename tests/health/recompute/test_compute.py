"""One day's snapshots in chunks (health.recompute.compute): the read / score / write
pipeline gives what one chunk after the other gives."""

from datetime import timedelta

import pytest

from accounts.models import Account
from health.models import HealthScore
from health.services import (
    health_recompute,
    scorecard_default_ensure,
    today,
)
from tests.factories.accounts import AccountFactory, SubscriptionFactory, SupportTicketFactory
from tests.factories.health import at
from tests.factories.usage import UsageEventFactory
from tests.health.history.test_compute import book  # noqa: F401  (the seeded book)
from usage.rollups import usage_rollup_rebuild

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_chunks_read_ahead_on_a_second_connection_give_the_same_snapshots(monkeypatch):
    """Several chunks on PostgreSQL: a worker thread reads chunk k+1 while chunk k is scored
    and written. The snapshots match the one-after-the-other run (chunk size patched)."""
    from django.db import connection

    from health.recompute import compute, inputs

    day = today()
    scorecard_default_ensure()
    accounts = [AccountFactory(external_id=f"pipe-{i}") for i in range(7)]
    for i, account in enumerate(accounts):
        SubscriptionFactory(account=account, seats=3, start_date=day - timedelta(days=120))
        for offset in range(i * 3):
            UsageEventFactory(account=account, occurred_at=at(day - timedelta(days=offset), 2))
        if i % 2:
            SupportTicketFactory(account=account)
    usage_rollup_rebuild()
    monkeypatch.setattr(inputs, "CHUNK_SIZE", 3)

    def snapshots():
        return list(HealthScore.objects.order_by("account_id").values_list("account_id", "score", "band", "measures"))

    monkeypatch.setattr(compute, "_pipelined", lambda ids: False)
    health_recompute(as_of=day)
    sequential = snapshots()
    HealthScore.objects.all().delete()
    monkeypatch.undo()
    monkeypatch.setattr(inputs, "CHUNK_SIZE", 3)
    assert compute._pipelined(None) == (connection.vendor == "postgresql")
    result = health_recompute(as_of=day)
    assert sorted(result.scored) == sorted(a.id for a in accounts)
    assert snapshots() == sequential
    assert len(sequential) == 7


def test_array_scoring_of_one_day_gives_what_score_rows_gives(book):  # noqa: F811
    """The nightly scores a chunk as arrays (score_blocks: health.history's score_days with
    one day); per account, score_rows gives the same snapshots: scores, bands, sources,
    overrides, accounts without a snapshot, every measure's detail."""
    from health.history.store import blocks_rows
    from health.recompute.compute import score_blocks
    from health.services import backfill_days, plans_load, score_rows
    from health.services import chunk_inputs as read

    plans = plans_load()
    accounts = sorted(Account.objects.values_list("id", "tier", "segment"))
    ids = [a[0] for a in accounts]
    compared = set()
    for day in backfill_days(days=70, end=today(), daily=5):
        chunk_in = read(as_of=day, account_ids=ids, plans=plans)
        expected = score_rows(as_of=day, accounts=accounts, plans=plans, account_ids=ids, inputs=chunk_in)
        got = blocks_rows(score_blocks(as_of=day, accounts=accounts, plans=plans, inputs=chunk_in), [day])
        assert sorted(got, key=lambda r: r["account_id"]) == expected, day
        compared |= {(r["source"], r["scorecard_id"]) for r in expected}
    # Both sources and several scorecards were compared, and some accounts had none.
    assert {s for s, _ in compared} == {"measures", "override"}
    assert len({p for _, p in compared}) >= 3
    assert len(expected) < len(accounts)


@pytest.mark.django_db(transaction=True)
def test_pipelined_run_computes_the_population_once_on_the_writer_thread(monkeypatch):
    """A run over every account starts the day's population on the writer thread (idle until
    the first chunk is scored); the first chunk's ranked measures wait for it rather than
    computing it again."""
    import threading

    from django.db import connection

    from health import measures_activity
    from health.recompute import inputs

    if connection.vendor != "postgresql":
        pytest.skip("the read / score / write pipeline runs on PostgreSQL")
    day = today()
    scorecard_default_ensure()
    for i in range(5):
        account = AccountFactory(external_id=f"pop-{i}")
        for offset in range(i * 2):
            UsageEventFactory(account=account, occurred_at=at(day - timedelta(days=offset), 2))
    usage_rollup_rebuild()
    monkeypatch.setattr(inputs, "CHUNK_SIZE", 2)
    computed_on = []
    population = measures_activity._population

    def counting(*args):
        computed_on.append(threading.current_thread().name)
        return population(*args)

    monkeypatch.setattr(measures_activity, "_population", counting)
    result = health_recompute(as_of=day)
    assert len(result.scored) == 5
    assert computed_on == ["health-write"]
    assert measures_activity._PREFETCHED == {}
    levels = HealthScore.objects.filter(day=day).values_list("measures", flat=True)
    assert all("activity_level" in m for m in levels)
