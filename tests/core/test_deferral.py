"""`core.deferral`: "do this soon, once" - the one helper behind every "refresh within a
minute" (the key lives in the shared cache; the task runs after commit)."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.db import transaction

from core.deferral import MARGIN_SECONDS, claim_many, queue_once, release, release_many

pytestmark = pytest.mark.django_db


@pytest.fixture
def task():
    return mock.Mock(name="task")


def test_queue_once_queues_after_commit(task, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = queue_once("refresh:1", task, args=[1], countdown=60)
    # then: nothing before the commit...
    assert queued is True
    task.apply_async.assert_not_called()
    # ...the task once it commits, `countdown` seconds later
    assert len(callbacks) == 1
    callbacks[0]()
    task.apply_async.assert_called_once_with(args=[1], kwargs={}, countdown=60)


def test_queue_once_queues_a_key_only_once(task, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        first = queue_once("refresh:1", task, args=[1], kwargs={"why": "ticket"}, countdown=30)
        second = queue_once("refresh:1", task, args=[1], countdown=30)
        other = queue_once("refresh:2", task, args=[2], countdown=30)
    # then
    assert (first, second, other) == (True, False, True)
    assert task.apply_async.call_args_list == [
        mock.call(args=[1], kwargs={"why": "ticket"}, countdown=30),
        mock.call(args=[2], kwargs={}, countdown=30),
    ]


def test_release_lets_the_next_signal_queue_again(task, django_capture_on_commit_callbacks):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        queue_once("refresh:1", task, countdown=30)
    # when: the run starts
    release("refresh:1")
    with django_capture_on_commit_callbacks(execute=True):
        again = queue_once("refresh:1", task, countdown=30)
    # then
    assert again is True
    assert task.apply_async.call_count == 2


def test_a_rolled_back_transaction_queues_nothing(task):
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_once("refresh:1", task, countdown=30)
        raise RuntimeError("rolled back")
    task.apply_async.assert_not_called()


@pytest.mark.parametrize("countdown, timeout, expected", [(30, None, 30 + MARGIN_SECONDS), (30, 5, 5), (0, None, 60)])
def test_the_key_expires_on_its_own(task, countdown, timeout, expected):
    """A worker that dies before `release` must not block the key for good."""
    with mock.patch.object(cache, "add", return_value=True) as add:
        queue_once("refresh:1", task, countdown=countdown, timeout=timeout)
    add.assert_called_once_with("refresh:1", 1, timeout=expected)


def test_claim_many_returns_only_the_keys_not_already_queued():
    # given
    cache.set("refresh:2", 1, 60)
    # when
    first = claim_many(["refresh:1", "refresh:2", "refresh:3", "refresh:1"], timeout=60)
    second = claim_many(["refresh:1", "refresh:4"], timeout=60)
    # then
    assert first == ["refresh:1", "refresh:3"]
    assert second == ["refresh:4"]
    assert cache.get_many(["refresh:1", "refresh:3", "refresh:4"]) == {"refresh:1": 1, "refresh:3": 1, "refresh:4": 1}


def test_claim_many_of_nothing_touches_no_cache():
    with mock.patch.object(cache, "get_many") as get_many:
        assert claim_many([], timeout=60) == []
    get_many.assert_not_called()


def test_release_many_frees_the_keys():
    # given
    claim_many(["refresh:1", "refresh:2", "refresh:3"], timeout=60)
    # when
    release_many(["refresh:1", "refresh:2"])
    # then
    assert claim_many(["refresh:1", "refresh:2", "refresh:3"], timeout=60) == ["refresh:1", "refresh:2"]
