"""The recompute runs (health.recompute.run) on the database: snapshots and the Account
columns, idempotency, the 7-day change and band-change news, band edges, parents' roll-up,
a past day."""

from datetime import timedelta
from decimal import Decimal

import pytest

from accounts.models import Account
from health import signals
from health.models import HealthScore
from health.services import (
    health_recompute,
    today,
)
from tests.factories.accounts import AccountFactory
from tests.factories.health import at
from tests.factories.usage import UsageEventFactory
from usage.rollups import usage_rollup_rebuild

pytestmark = pytest.mark.django_db


def test_recompute_scores_snapshots_and_account_columns(book):
    scorecard, busy, quiet, empty = book
    result = health_recompute()
    assert sorted(result.scored) == sorted([busy.id, quiet.id, empty.id])
    snap = HealthScore.objects.get(account=busy, day=today())
    # usage 100 (w30), tickets 100 (w10), nps not registered in this app = no data.
    assert (snap.score, snap.band, snap.source) == (100, "green", "measures")
    assert snap.measures["nps"]["value"] is None
    assert snap.measures["usage_frequency"] == {"value": 20.0, "score": 100.0, "weight": 30, "contribution": 75.0}
    quiet_snap = HealthScore.objects.get(account=quiet, day=today())
    assert quiet_snap.score == 40 and quiet_snap.band == "yellow"  # (30*20 + 10*100) / 40
    assert HealthScore.objects.get(account=empty, day=today()).score == 25  # only the tickets count
    busy.refresh_from_db()
    assert (busy.health_score, busy.health_band, busy.health_change_7d) == (100, "green", None)


def test_recompute_twice_is_idempotent(book):
    health_recompute()
    first = list(
        HealthScore.objects.order_by("account_id").values_list("account_id", "day", "score", "band", "measures")
    )
    health_recompute()
    health_recompute(account_ids=[book[1].id])
    again = list(
        HealthScore.objects.order_by("account_id").values_list("account_id", "day", "score", "band", "measures")
    )
    assert first == again
    assert HealthScore.objects.count() == 3


def test_change_7d_and_band_change_signal(book, django_capture_on_commit_callbacks):
    scorecard, busy, quiet, empty = book
    HealthScore.objects.create(account=quiet, day=today() - timedelta(days=7), score=90, band="green", measures={})
    Account.objects.filter(id=quiet.id).update(health_score=90, health_band="green")
    seen = []
    handler = lambda sender, **kw: seen.append(kw)  # noqa: E731
    signals.band_changed.connect(handler)
    try:
        result = health_recompute()
    finally:
        signals.band_changed.disconnect(handler)
    quiet.refresh_from_db()
    assert quiet.health_change_7d == 40 - 90
    assert [c["account_id"] for c in result.band_changes] == [quiet.id]
    assert seen[0]["old_band"] == "green" and seen[0]["new_band"] == "yellow"


def test_band_change_queues_the_webhook(book):
    from core.models import WebhookDelivery, WebhookEndpoint

    scorecard, busy, quiet, empty = book
    WebhookEndpoint.objects.create(url="https://hooks.example.com/cs", events=["health.band_changed"], secret="s")
    Account.objects.filter(id=quiet.id).update(health_score=90, health_band="green")
    health_recompute()
    delivery = WebhookDelivery.objects.get(event="health.band_changed")
    assert delivery.payload["account"] == "quiet"
    assert (delivery.payload["old_band"], delivery.payload["new_band"]) == ("green", "yellow")
    health_recompute()  # no change now: nothing more is sent
    assert WebhookDelivery.objects.count() == 1


def test_band_edges_follow_the_scorecard(book):
    scorecard, busy, quiet, empty = book
    scorecard.red_below, scorecard.green_from = 41, 90
    scorecard.save()
    health_recompute()
    assert HealthScore.objects.get(account=quiet, day=today()).band == "red"


def test_parent_rolls_up_children_by_arr(book):
    scorecard, busy, quiet, empty = book
    parent = AccountFactory(external_id="parent")
    Account.objects.filter(id__in=[busy.id]).update(parent=parent, mrr=Decimal("3000"), mrr_base=Decimal("3000"))
    # a EUR child: 500 EUR a month worth 1,000 in the base currency (rate 2): it weighs 1,000
    Account.objects.filter(id__in=[quiet.id]).update(
        parent=parent, mrr=Decimal("500"), currency="EUR", mrr_base=Decimal("1000")
    )
    health_recompute()
    snap = HealthScore.objects.get(account=parent, day=today())
    # parent's own computed score (25, mrr 0) weighs nothing: (100*3000 + 40*1000) / 4000 = 85
    # (unconverted euros would give (100*3000 + 40*500) / 3500 = 91)
    assert (snap.score, snap.source, snap.computed_score) == (85, "rollup", 25)
    parent.refresh_from_db()
    assert parent.health_score == 85 and parent.health_band == "green"
    # On-demand recompute of one child refreshes its parent too.
    for offset in range(20):
        UsageEventFactory(account=quiet, occurred_at=at(today() - timedelta(days=offset), 2))
    usage_rollup_rebuild()
    health_recompute(account_ids=[quiet.id])
    assert HealthScore.objects.get(account=parent, day=today()).score == 100


def test_history_as_of_past_day_leaves_account_columns(book):
    scorecard, busy, quiet, empty = book
    past = today() - timedelta(days=10)
    health_recompute(as_of=past)
    assert HealthScore.objects.get(account=busy, day=past).measures["usage_frequency"]["value"] == 10.0
    busy.refresh_from_db()
    assert busy.health_score is None


@pytest.mark.django_db(transaction=True)
def test_chunks_copy_their_account_columns_as_they_are_stored(book, monkeypatch):
    """Every account today: each chunk's Account columns are written right after its
    snapshots (on the writer's thread when pipelined), a parent's after the roll-up. The
    columns and band changes are those of the one-chunk-after-the-other run."""
    from django.db import connection

    from health.recompute import compute, inputs

    scorecard, busy, quiet, empty = book
    parent = AccountFactory(external_id="parent")
    Account.objects.filter(id=busy.id).update(parent=parent, mrr=Decimal("3000"), mrr_base=Decimal("3000"))
    extra = [AccountFactory(external_id=f"extra-{i}") for i in range(5)]
    for i, account in enumerate(extra):
        for offset in range(i * 4):
            UsageEventFactory(account=account, occurred_at=at(today() - timedelta(days=offset), 1))
    usage_rollup_rebuild()
    every = [busy, quiet, empty, parent, *extra]
    week_ago = today() - timedelta(days=7)
    for i, account in enumerate(every):
        HealthScore.objects.create(account=account, day=week_ago, score=10 * i, band="red", measures={})

    def columns():
        return list(Account.objects.order_by("id").values_list("id", "health_score", "health_band", "health_change_7d"))

    def run(pipelined: bool):
        HealthScore.objects.filter(day=today()).delete()
        Account.objects.update(health_score=90, health_band="green", health_change_7d=None)
        monkeypatch.setattr(inputs, "CHUNK_SIZE", 3)
        if not pipelined:
            monkeypatch.setattr(compute, "_pipelined", lambda ids: False)
        assert compute._pipelined(None) == pipelined
        result = health_recompute()
        monkeypatch.undo()
        return columns(), sorted((c["account_id"], c["old_band"], c["new_band"]) for c in result.band_changes)

    sequential = run(pipelined=False)
    assert run(pipelined=connection.vendor == "postgresql") == sequential
    by_id = {row[0]: row for row in sequential[0]}
    assert by_id[parent.id][1:3] == tuple(
        HealthScore.objects.filter(account=parent, day=today()).values_list("score", "band").get()
    )
    assert by_id[parent.id][3] == by_id[parent.id][1] - 30
    assert {c[0] for c in sequential[1]} == {a.id for a in every if by_id[a.id][2] != "green"}
    assert all(row[1] is not None for row in sequential[0])
