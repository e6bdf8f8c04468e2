"""The recompute service on the database: each measure's raw value, idempotency, overrides
and their expiry, parents' roll-up, the Account columns, band changes and the command."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Account, Activity
from accounts.rollups import usage_rollup_rebuild
from health import signals
from health.measures import (
    breadth,
    csm_sentiment,
    days_to_renewal,
    depth,
    escalated_tickets,
    mrr_change,
    open_tickets,
    usage_frequency,
    usage_trend,
)
from health.models import CsmSentiment, HealthScore, HealthSettings, Scorecard, ScorecardMeasure
from health.services import (
    health_override_clear,
    health_override_create,
    health_recompute,
    scorecard_default_ensure,
    today,
)
from tests.factories.accounts import (
    AccountFactory,
    ContactFactory,
    SubscriptionFactory,
    SupportTicketFactory,
    UsageEventFactory,
)

pytestmark = pytest.mark.django_db

D = date(2026, 3, 31)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_usage_measures():
    account, idle = AccountFactory(), AccountFactory()
    SubscriptionFactory(account=account, seats=4, start_date=D - timedelta(days=200))
    c1, c2 = ContactFactory(account=account), ContactFactory(account=account)
    for offset in (0, 1, 1, 5, 29):  # 4 active days in the last 30, 5 events
        UsageEventFactory(
            account=account,
            contact=c1 if offset else c2,
            event="export" if offset == 5 else "view",
            occurred_at=at(D - timedelta(days=offset)),
        )
    for offset in (30, 31, 40, 59, 60, 61, 70, 80, 90, 100):  # 4 of these in the 30 days before
        UsageEventFactory(account=account, occurred_at=at(D - timedelta(days=offset)))
    usage_rollup_rebuild()
    ids = [account.id, idle.id]
    assert usage_frequency(D, ids) == {account.id: 4.0, idle.id: 0.0}
    assert usage_trend(D, ids) == {account.id: 25.0}  # 5 vs 4; idle has no data
    assert breadth(D, ids) == {account.id: 50.0}  # 2 contacts of 4 seats; idle has neither
    assert depth(D, ids) == {}  # no key features configured
    HealthSettings.objects.update_or_create(pk=1, defaults={"key_features": ["export", "share", "import", "view"]})
    assert depth(D, ids) == {account.id: 50.0, idle.id: 0.0}


def test_trend_capped_when_nothing_before():
    account = AccountFactory()
    UsageEventFactory(account=account, occurred_at=at(D))
    usage_rollup_rebuild()
    assert usage_trend(D, None) == {account.id: 100.0}


def test_ticket_renewal_mrr_and_sentiment_measures():
    a, b = AccountFactory(), AccountFactory()
    SupportTicketFactory(account=a, opened_at=at(D - timedelta(days=3)))
    SupportTicketFactory(account=a, opened_at=at(D - timedelta(days=3)), escalated=True)
    SupportTicketFactory(account=a, opened_at=at(D - timedelta(days=9)), resolved_at=at(D - timedelta(days=1)))
    SupportTicketFactory(account=a, opened_at=at(D + timedelta(days=1)))  # after as-of
    SupportTicketFactory(
        account=b, opened_at=at(D - timedelta(days=9)), resolved_at=at(D + timedelta(days=2)), escalated=True
    )
    assert open_tickets(D, [a.id, b.id]) == {a.id: 2.0, b.id: 1.0}
    assert escalated_tickets(D, [a.id, b.id]) == {a.id: 1.0, b.id: 1.0}

    SubscriptionFactory(
        account=a, mrr=Decimal("1000"), start_date=D - timedelta(days=200), end_date=D + timedelta(days=45)
    )
    SubscriptionFactory(
        account=a, mrr=Decimal("500"), start_date=D - timedelta(days=20), end_date=D + timedelta(days=100)
    )
    SubscriptionFactory(account=b, mrr=Decimal("800"), start_date=D - timedelta(days=200), end_date=None)
    SubscriptionFactory(
        account=b, mrr=Decimal("200"), start_date=D - timedelta(days=200), end_date=D - timedelta(days=10)
    )
    SubscriptionFactory(
        account=b, mrr=Decimal("999"), start_date=D - timedelta(days=200), is_trial=True, end_date=D + timedelta(days=3)
    )
    assert days_to_renewal(D, None) == {a.id: 45.0}
    assert mrr_change(D, None) == {a.id: 50.0, b.id: -20.0}

    stale_days = HealthSettings.load().sentiment_stale_days
    CsmSentiment.objects.create(account=a, value=2, recorded_at=at(D - timedelta(days=5)))
    CsmSentiment.objects.create(account=a, value=4, recorded_at=at(D - timedelta(days=1)))
    CsmSentiment.objects.create(account=a, value=1, recorded_at=at(D + timedelta(days=1)))  # future
    CsmSentiment.objects.create(account=b, value=5, recorded_at=at(D - timedelta(days=stale_days + 1)))  # stale
    assert csm_sentiment(D, None) == {a.id: 4.0}


@pytest.fixture
def book():
    """Three accounts with usage up to today, a plain scorecard on usage + tickets."""
    day = today()
    scorecard = Scorecard.objects.create(name="Test", is_default=True, red_below=40, green_from=70)
    ScorecardMeasure.objects.create(
        scorecard=scorecard, measure_key="usage_frequency", weight=30, points=[[0, 0], [20, 100]]
    )
    ScorecardMeasure.objects.create(
        scorecard=scorecard, measure_key="open_tickets", weight=10, points=[[0, 100], [10, 0]]
    )
    ScorecardMeasure.objects.create(scorecard=scorecard, measure_key="nps", weight=10, points=[[-100, 0], [100, 100]])
    busy, quiet, empty = (
        AccountFactory(external_id="busy"),
        AccountFactory(external_id="quiet"),
        AccountFactory(external_id="empty"),
    )
    for offset in range(20):
        UsageEventFactory(account=busy, occurred_at=at(day - timedelta(days=offset), 1))
    for offset in range(4):
        UsageEventFactory(account=quiet, occurred_at=at(day - timedelta(days=offset), 1))
    usage_rollup_rebuild()
    return scorecard, busy, quiet, empty


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


def test_override_and_expiry(book, csm_user):
    scorecard, busy, quiet, empty = book
    health_recompute()
    expires = timezone.now() + timedelta(days=3)
    override = health_override_create(
        account=quiet, score=85, reason="Exec sponsor confirmed renewal", expires_at=expires, author=csm_user
    )
    snap = HealthScore.objects.get(account=quiet, day=today())
    assert (snap.score, snap.band, snap.source, snap.computed_score) == (85, "green", "override", 40)
    quiet.refresh_from_db()
    assert quiet.health_score == 85
    audit = Activity.objects.get(account=quiet, metadata__health_override_id=override.id)
    assert audit.author == csm_user and "85" in audit.subject
    # Expired: the next recompute drops it.
    type(override).objects.filter(id=override.id).update(
        expires_at=timezone.now() - timedelta(seconds=1), created_at=timezone.now() - timedelta(days=1)
    )
    health_recompute()
    assert HealthScore.objects.get(account=quiet, day=today()).score == 40
    # Cleared by hand.
    again = health_override_create(account=quiet, score=10, reason="Champion left", expires_at=expires, author=csm_user)
    assert HealthScore.objects.get(account=quiet, day=today()).score == 10
    health_override_clear(override=again, user=csm_user)
    assert HealthScore.objects.get(account=quiet, day=today()).score == 40


def test_override_validation(book, csm_user):
    with pytest.raises(ValueError):
        health_override_create(
            account=book[2], score=101, reason="x", expires_at=timezone.now() + timedelta(days=1), author=csm_user
        )
    with pytest.raises(ValueError):
        health_override_create(
            account=book[2], score=50, reason=" ", expires_at=timezone.now() + timedelta(days=1), author=csm_user
        )
    with pytest.raises(ValueError):
        health_override_create(
            account=book[2], score=50, reason="x", expires_at=timezone.now() - timedelta(days=1), author=csm_user
        )


def test_parent_rolls_up_children_by_arr(book):
    scorecard, busy, quiet, empty = book
    parent = AccountFactory(external_id="parent")
    Account.objects.filter(id__in=[busy.id]).update(parent=parent, mrr=Decimal("3000"))
    Account.objects.filter(id__in=[quiet.id]).update(parent=parent, mrr=Decimal("1000"))
    health_recompute()
    snap = HealthScore.objects.get(account=parent, day=today())
    # parent's own computed score (25, mrr 0) weighs nothing: (100*3000 + 40*1000) / 4000 = 85
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


def test_default_scorecard_has_registered_measures():
    scorecard = scorecard_default_ensure()
    keys = set(scorecard.measures.values_list("measure_key", flat=True))
    assert {
        "usage_frequency",
        "breadth",
        "depth",
        "usage_trend",
        "open_tickets",
        "escalated_tickets",
        "days_to_renewal",
        "mrr_change",
        "csm_sentiment",
    } <= keys
    assert scorecard_default_ensure() == scorecard


def test_command(book, capsys):
    call_command("recompute_health", "--backfill", "5")
    assert HealthScore.objects.filter(account=book[1]).count() == 5
    call_command("recompute_health", "--as-of", (today() - timedelta(days=2)).isoformat())
    assert HealthScore.objects.filter(account=book[1]).count() == 5
    call_command("recompute_health", "--account", "quiet")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("recompute_health", "--as-of", "31/03/2026")
    with pytest.raises(CommandError, match="future"):
        call_command("recompute_health", "--as-of", (today() + timedelta(days=1)).isoformat())
    with pytest.raises(CommandError, match="unknown"):
        call_command("recompute_health", "--account", "nope")


def test_snapshot_upsert_bulk_paths():
    """Many rows: COPY straight in on a new day, then the upsert path replaces them."""
    from health.services import snapshots_upsert

    accounts = Account.objects.bulk_create(Account(external_id=f"bulk-{i}", name=f"Bulk {i}") for i in range(250))
    day = today()

    def rows(score):
        return [
            {
                "account_id": a.id,
                "day": day,
                "scorecard_id": None,
                "score": score,
                "band": "yellow",
                "computed_score": score,
                "source": "measures",
                "measures": {"x": {"value": 1, "score": score}},
            }
            for a in accounts
        ]

    snapshots_upsert(rows(50))
    assert HealthScore.objects.filter(day=day, score=50).count() == 250
    snapshots_upsert(rows(60))
    assert HealthScore.objects.filter(day=day).count() == 250
    assert HealthScore.objects.filter(day=day, score=60).count() == 250


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
