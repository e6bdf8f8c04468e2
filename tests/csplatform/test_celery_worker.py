"""A worker's per-task overhead (issue 23, bench/celery_overhead.py): the frequent tasks nobody reads
store no result, and a worker keeps its database connection from task to task, dropping one that is
broken or too old (as Django does around a request), never one an inline (eager) task shares with
its caller's transaction."""

from types import SimpleNamespace
from unittest import mock

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from csplatform import celery as pulse_celery


def _task(eager: bool):
    return SimpleNamespace(request=SimpleNamespace(is_eager=eager))


def test_frequent_unread_tasks_store_no_result_the_nightly_chord_does_and_connections_are_reused():
    """Results are stored by default: the nightly chord's callers read the start and the finish
    (tests/health/test_celery_workers.py, tests/multihost); the frequent tasks nobody reads skip the
    backend's SET and PUBLISH."""
    from health import tasks as health_tasks
    from onboarding.tasks import onboarding_events_apply_task
    from playbooks.tasks import playbooks_evaluate_task, playbooks_event_task
    from usage.tasks import contacts_seen_update_task, usage_rollup_refresh_task

    assert not pulse_celery.app.conf.task_ignore_result
    for task in (
        health_tasks.health_nightly_task,
        health_tasks.health_recompute_chunk_task,
        health_tasks.health_recompute_finish_task,
        playbooks_evaluate_task,
    ):
        assert not task.ignore_result, task.name
    for task in (
        health_tasks.accounts_health_refresh_soon_task,
        health_tasks.accounts_health_refresh_task,
        health_tasks.accounts_health_refresh_gathered_task,
        health_tasks.account_health_refresh_task,
        playbooks_event_task,
        onboarding_events_apply_task,
        usage_rollup_refresh_task,
        contacts_seen_update_task,
    ):
        assert task.ignore_result, task.name
    assert pulse_celery.app.conf.get("CELERY_DB_REUSE_MAX") == 1000


def test_around_a_worker_task_old_or_broken_connections_are_closed_not_around_an_eager_one():
    with mock.patch.object(pulse_celery, "close_old_connections") as close_old:
        pulse_celery._close_unusable_connections(sender=_task(eager=False))
        assert close_old.call_count == 1
        pulse_celery._close_unusable_connections(sender=_task(eager=True))
        pulse_celery._close_unusable_connections(sender=None)
        assert close_old.call_count == 1


@pytest.mark.django_db(transaction=True)
def test_a_usable_connection_is_kept_and_a_broken_one_closed():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    kept = connection.connection
    pulse_celery._close_unusable_connections(sender=_task(eager=False))
    assert connection.connection is kept  # the next task reuses it: no new backend

    connection.errors_occurred = True  # a query failed: is the connection still good?
    real = connections[DEFAULT_DB_ALIAS]
    with (
        mock.patch.object(real, "is_usable", return_value=False),
        mock.patch.object(real, "close", wraps=real.close) as close,
    ):
        pulse_celery._close_unusable_connections(sender=_task(eager=False))
    assert close.call_count == 1  # closed (an in-memory SQLite keeps it): the retry opens a new one
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def test_a_message_shows_its_arguments_cut_to_celerys_limit():
    assert pulse_celery._brief_repr([[1, 2, 3]]) == "[[1, 2, 3]]"
    assert pulse_celery._brief_repr(None) == "()"
    assert pulse_celery._brief_repr({"as_of": "2026-12-07"}) == "{'as_of': '2026-12-07'}"
    assert len(pulse_celery._brief_repr([list(range(100_000))])) == pulse_celery.REPR_MAX


def test_a_published_message_carries_the_brief_repr():
    from health.tasks import accounts_health_refresh_task

    sent = {}

    def capture(self, name, args=None, kwargs=None, **options):
        sent.update(options)

    conf = pulse_celery.app.conf
    eager = conf.task_always_eager
    conf.task_always_eager = False
    try:
        with mock.patch.object(type(pulse_celery.app), "send_task", capture):
            accounts_health_refresh_task.apply_async(args=[[7, 8]])
    finally:
        conf.task_always_eager = eager
    assert sent["argsrepr"] == "[[7, 8]]" and sent["kwargsrepr"] == "{}"
