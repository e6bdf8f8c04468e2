"""The playbooks app's database seam (playbooks/sql.py): both implementations write the same
outcomes; the PostgreSQL one in one statement."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.db import is_postgresql
from playbooks import sql
from playbooks.evaluation import playbook_evaluate
from playbooks.models import Enrolment
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _enrolments(make_playbook, n=3):
    accounts = [AccountFactory(renewal_date=None) for _ in range(n)]
    playbook = make_playbook("renewal_due", {"days": 30})
    for account in accounts:
        Enrolment.objects.create(playbook=playbook, account=account, occurrence_key=f"k{account.pk}")
    return list(Enrolment.objects.filter(playbook=playbook).order_by("pk"))


@pytest.mark.parametrize("store", ["_outcomes_store_portable", "enrolment_outcomes_store"])
def test_outcomes_are_written_per_enrolment(make_playbook, store):
    # given
    enrolments = _enrolments(make_playbook)
    for i, e in enumerate(enrolments):
        e.outcome = [{"type": "task", "n": i, "text": 'é "quoted"'}]
    # when
    getattr(sql, store)(enrolments)
    # then
    assert [e.outcome for e in Enrolment.objects.filter(pk__in=[e.pk for e in enrolments]).order_by("pk")] == [
        [{"type": "task", "n": i, "text": 'é "quoted"'}] for i in range(len(enrolments))
    ]


def test_postgresql_writes_every_outcome_in_one_statement(make_playbook):
    if not is_postgresql():
        pytest.skip("PostgreSQL only")
    enrolments = _enrolments(make_playbook, n=5)
    for e in enrolments:
        e.outcome = [{"ok": True}]
    with CaptureQueriesContext(connection) as queries:
        sql.enrolment_outcomes_store(enrolments)
    assert len(queries) == 1 and queries[0]["sql"].startswith("UPDATE")


def test_evaluation_stores_outcomes_through_the_seam(make_playbook, monkeypatch):
    calls = []
    monkeypatch.setattr("playbooks.evaluation.enrolment_outcomes_store", lambda rows: calls.append(len(rows)))
    today = timezone.now().date()
    AccountFactory(renewal_date=today + timedelta(days=10))
    playbook = make_playbook("renewal_due", {"days": 30})
    playbook_evaluate(playbook=playbook, as_of=today)
    assert calls == [1]


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_bookkeeping_writes_skip_the_wal_flush_only_in_their_own_transaction():
    """A run record's own transaction commits without waiting for the WAL flush; inside a caller's
    transaction the setting would reach the caller's commit, so it is left alone there."""
    if not is_postgresql():
        pytest.skip("PostgreSQL only")
    from django.db import transaction

    # when / then
    with sql.bookkeeping_writes():
        assert _synchronous_commit() == "off"
    assert _synchronous_commit() == "on"
    with transaction.atomic():
        with sql.bookkeeping_writes():
            assert _synchronous_commit() == "on"
        assert _synchronous_commit() == "on"


def test_the_badge_count_is_the_orms_actionable_count(csm_user, manager_user):
    """sql.actionable_task_count (the sidebar's badge) counts what Task...actionable(today) does:
    open tasks, and snoozed ones due back today or earlier, of that assignee only."""
    from playbooks.choices import TaskStatus
    from playbooks.models import Task
    from tests.factories.playbooks import TaskFactory

    # given tasks of every status, snoozed ones on either side of today, and another CSM's
    today = timezone.now().date()
    account = AccountFactory(owner=csm_user)
    for status in (TaskStatus.OPEN, TaskStatus.DONE, TaskStatus.CANCELLED):
        TaskFactory(account=account, assignee=csm_user, status=status)
    for days in (-3, 0, 1, 5):
        TaskFactory(account=account, assignee=csm_user, status=TaskStatus.SNOOZED,
                    snoozed_until=today + timedelta(days=days))  # fmt: skip
    TaskFactory(account=account, assignee=manager_user, status=TaskStatus.OPEN)
    # when counted both ways, on a few days, then the counts agree (and one query each)
    for day in (today - timedelta(days=4), today, today + timedelta(days=2)):
        expected = Task.objects.filter(assignee=csm_user).actionable(day).count()
        with CaptureQueriesContext(connection) as queries:
            assert sql.actionable_task_count(assignee_id=csm_user.pk, today=day) == expected
        assert len(queries.captured_queries) == 1
    assert sql.actionable_task_count(assignee_id=csm_user.pk, today=today) == 3
