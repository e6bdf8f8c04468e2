"""The nightly finish checks completeness (issue 23): accounts no chunk scored (a worker lost
mid-chunk, a chunk that failed for good) are recomputed before the roll-up; the finish runs once
per night, and the morning check finishes a night whose chord never completed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Account
from health import signals
from health.models import HealthScore, NightlyRun
from health.services import health_recompute, today
from health.tasks import (
    health_nightly_check_task,
    health_nightly_task,
    health_recompute_chunk_task,
    health_recompute_finish_task,
)
from tests.factories.accounts import AccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def recomputed(monkeypatch):
    """The account ids of each scores_recomputed the finish sends."""
    sent = []

    def receiver(sender, account_ids, day, **kwargs):
        sent.append(sorted(account_ids))

    signals.scores_recomputed.connect(receiver, dispatch_uid="test-nightly-completeness")
    yield sent
    signals.scores_recomputed.disconnect(dispatch_uid="test-nightly-completeness")


def _state():
    return sorted(HealthScore.objects.filter(day=today()).values_list("account_id", "score", "band", "source"))


def test_finish_recomputes_what_a_lost_chunk_left_and_rolls_parents_up(book, recomputed):
    _, busy, quiet, empty = book
    Account.objects.filter(pk__in=[busy.pk, quiet.pk]).update(mrr=Decimal("100"))
    parent = AccountFactory(external_id="parent")
    Account.objects.filter(pk__in=[busy.pk, quiet.pk]).update(parent=parent)
    expected = health_recompute().scored
    full = _state()
    HealthScore.objects.all().delete()
    recomputed.clear()

    day = today().isoformat()
    NightlyRun.objects.create(day=today(), chunks=2)
    health_recompute_chunk_task(sorted([busy.id, empty.id]), day)  # the other chunk's worker died
    assert HealthScore.objects.filter(day=today()).count() == 2
    recovered = health_recompute_finish_task(day)

    assert recovered == 2  # quiet, and the parent (scored by the roll-up, missing until then)
    assert _state() == full and len(full) == len(expected)
    assert HealthScore.objects.get(account=parent, day=today()).source == "rollup"
    run = NightlyRun.objects.get(day=today())
    assert run.finished_at is not None and run.finished_by == "chord" and run.recovered == 2
    assert len(recomputed) == 1 and len(recomputed[0]) == 4


def test_the_finish_runs_once_per_night(book, recomputed):
    day = today().isoformat()
    health_nightly_task(day)  # eager in tests: chunks, then the finish
    assert len(recomputed) == 1
    assert health_recompute_finish_task(day) == 0  # a second finish (the morning check) adds nothing
    assert health_nightly_check_task(0) == []
    assert len(recomputed) == 1


def test_a_rerun_of_the_night_starts_it_again(book, recomputed):
    day = today().isoformat()
    health_nightly_task(day)
    health_nightly_task(day)
    assert len(recomputed) == 2
    assert NightlyRun.objects.get(day=today()).finished_by == "chord"


def test_the_morning_check_finishes_a_night_whose_chord_never_did(book, recomputed):
    _, busy, quiet, empty = book
    stale = timezone.now() - timedelta(hours=1)
    NightlyRun.objects.create(day=today(), chunks=3, started_at=stale)
    health_recompute_chunk_task([busy.id], today().isoformat())  # two chunks failed for good
    yesterday = NightlyRun.objects.create(day=today() - timedelta(days=1), started_at=stale, finished_at=stale)

    assert health_nightly_check_task() == [today().isoformat()]

    assert sorted(a for a, *_ in _state()) == sorted([busy.id, quiet.id, empty.id])
    run = NightlyRun.objects.get(day=today())
    assert (run.finished_by, run.recovered) == ("check", 2)
    assert len(recomputed) == 1
    yesterday.refresh_from_db()
    assert yesterday.finished_by == ""  # a finished night is left alone


def test_the_check_waits_for_a_night_still_running(book):
    NightlyRun.objects.create(day=today(), chunks=3, started_at=timezone.now())
    assert health_nightly_check_task(30) == []
    assert NightlyRun.objects.get(day=today()).finished_at is None


def test_chunks_go_back_to_the_queue_when_their_worker_dies():
    from django.conf import settings

    assert health_recompute_chunk_task.acks_late and health_recompute_chunk_task.reject_on_worker_lost
    assert health_recompute_finish_task.acks_late and health_recompute_finish_task.reject_on_worker_lost
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] == settings.CELERY_VISIBILITY_TIMEOUT
    assert "nightly-health-check" in settings.CELERY_BEAT_SCHEDULE
