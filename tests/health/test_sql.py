"""The database seam (health.sql): storing snapshots, the Account columns, the parents'
roll-up updates and the history's usage rows, on whichever database the suite runs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Account
from core.db import is_postgresql
from health import sql
from health.models import HealthScore
from health.services import today
from tests.factories.accounts import AccountFactory
from tests.factories.health import HealthScoreFactory, at
from tests.factories.usage import UsageEventFactory
from usage.rollups import usage_rollup_rebuild

pytestmark = pytest.mark.django_db


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


def test_account_columns_update_returns_old_and_new_and_clears_the_unscored():
    # given: two accounts with yesterday's figures, one scored today, a week-old snapshot
    day = today()
    scored, unscored = AccountFactory(external_id="scored"), AccountFactory(external_id="unscored")
    Account.objects.filter(id__in=[scored.id, unscored.id]).update(health_score=30, health_band="red")
    HealthScoreFactory(account=scored, day=day, score=80, band="green")
    HealthScoreFactory(account=scored, day=day - timedelta(days=7), score=70, band="yellow")
    # when
    changed = sql.account_columns_update(as_of=day, account_ids=[scored.id, unscored.id])
    # then
    assert [c for c in changed if c[0] == scored.id] == [(scored.id, 30, "red", 80, "green", "scored", "measures")]
    scored.refresh_from_db()
    unscored.refresh_from_db()
    assert (scored.health_score, scored.health_band, scored.health_change_7d) == (80, "green", 10)
    assert (unscored.health_score, unscored.health_band, unscored.health_change_7d) == (None, "", None)


@pytest.mark.parametrize("by_id", [True, False])
def test_rollup_scores_update_by_id_or_by_account_and_day(by_id):
    # given
    day = today()
    snap = HealthScoreFactory(day=day, score=50, band="yellow")
    # when
    sql.rollup_scores_update([(snap.id if by_id else None, 85, "green", snap.account_id, day)], by_id=by_id)
    # then
    snap.refresh_from_db()
    assert (snap.score, snap.band, snap.source) == (85, "green", "rollup")


def test_snapshots_store_copies_or_upserts_the_same_rows():
    # given: rows as dicts and the same rows as COPY text
    day = today()
    accounts = [AccountFactory() for _ in range(3)]
    stamp = timezone.now().isoformat()
    rows = [
        {
            "account_id": a.id,
            "day": day,
            "scorecard_id": None,
            "score": 60,
            "band": "yellow",
            "computed_score": 60,
            "source": "measures",
            "measures": {},
        }
        for a in accounts
    ]

    def write(copy):
        copy.write(
            "".join(f"{a.id}\t{day.isoformat()}\t\\N\t60\tyellow\t60\tmeasures\t{{}}\t{stamp}\n" for a in accounts)
        )

    ids = [a.id for a in accounts]
    # when
    sql.snapshots_store(write, lambda: rows, days=[day], lo=min(ids), hi=max(ids))
    # then
    assert sorted(HealthScore.objects.filter(day=day).values_list("account_id", "score")) == [(i, 60) for i in ids]


def test_usage_rows_days_reads_the_rollups():
    # given: a day of usage with a key feature
    day = today()
    account = AccountFactory()
    UsageEventFactory(account=account, occurred_at=at(day, 2), event="export")
    usage_rollup_rebuild()
    base = day - timedelta(days=59)
    # when
    usage, contacts, masks, groups = sql.usage_rows_days(
        account_ids=[account.id], key_features=["export"], base=base, last=day, contacts_from=base
    )
    # then
    assert usage[:, :3].tolist() == [[account.id, 59, 1]]
    assert groups == [["export"]] and masks[0].tolist() == [1]
    assert contacts.shape[1] == 3


def test_history_copier_only_on_postgresql_with_several_chunks():
    day = today()
    assert sql.history_copier([day], 1) is None
    copier = sql.history_copier([day], 2)
    assert (copier is not None) == is_postgresql()
    if copier is not None:
        copier.close()


@pytest.mark.skipif(not is_postgresql(), reason="PostgreSQL's COPY path")
def test_a_row_written_meanwhile_sends_the_copy_to_the_upsert(monkeypatch):
    """An on-demand refresh can store one of the night's rows between the "is this day new?"
    check and the COPY: the unique violation (raised by psycopg's own cursor) must fall back to
    the upsert, not fail the whole night."""
    from health.services import snapshots_upsert

    accounts = Account.objects.bulk_create(Account(external_id=f"race-{i}", name=f"Race {i}") for i in range(250))
    day = today()
    HealthScoreFactory(account=accounts[5], day=day, score=10)  # the on-demand row
    real_filter = HealthScore.objects.filter

    class NothingYet:  # the check ran before that row was written
        def exists(self):
            return False

    monkeypatch.setattr(
        HealthScore.objects, "filter", lambda *a, **kw: NothingYet() if "day__in" in kw else real_filter(*a, **kw)
    )
    rows = [
        {
            "account_id": a.id,
            "day": day,
            "scorecard_id": None,
            "score": 55,
            "band": "yellow",
            "computed_score": 55,
            "source": "measures",
            "measures": {},
        }
        for a in accounts
    ]
    snapshots_upsert(rows)
    monkeypatch.undo()
    assert HealthScore.objects.filter(day=day, account__in=accounts).count() == 250
    assert HealthScore.objects.get(day=day, account=accounts[5]).score == 55
