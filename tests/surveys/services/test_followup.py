"""What follows an answer (surveys.services.followup): one sweep queued for many answers
(core.deferral.queue_once behind a one-second local throttle), released when the sweep starts;
the sweep follows each answer up once, and again after the answer changed."""

from unittest import mock

import pytest
from django.core.cache import cache

from surveys.models import SurveyResponse
from surveys.services import FOLLOWUP_KEY
from tests.factories import AccountFactory, ContactFactory
from tests.factories.surveys import SurveyFactory, SurveyWorkspaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    workspace = SurveyWorkspaceFactory()
    survey = SurveyFactory(workspace=workspace, kind="nps")
    contact = ContactFactory(account=AccountFactory(), external_id="user-1")
    return workspace, survey, contact


@pytest.fixture
def broker():
    """Celery as with a broker (not eager), the throttle and the queued key reset."""
    from celery import current_app

    from surveys.services import followup

    eager = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = False
    followup._followup_checked_at = 0.0
    cache.delete(FOLLOWUP_KEY)
    yield followup
    current_app.conf.task_always_eager = eager
    followup._followup_checked_at = 0.0
    cache.delete(FOLLOWUP_KEY)


def test_followup_soon_queues_once_until_the_sweep_releases_the_key(broker, django_capture_on_commit_callbacks):
    from surveys.tasks import responses_followup_task

    # given: a sweep queued
    with (
        mock.patch.object(responses_followup_task, "apply_async") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        broker.followup_soon()
        broker._followup_checked_at = 0.0  # another process, or a second later
        broker.followup_soon()
    # then: one message, two seconds later, and the key held meanwhile
    assert queued.call_count == 1
    assert queued.call_args.kwargs["countdown"] == broker.FOLLOWUP_DELAY_SECONDS
    assert cache.get(FOLLOWUP_KEY) == 1
    # when: the sweep starts it releases the key, so the next answer queues the next sweep
    with mock.patch("surveys.services.responses_followup", return_value=0):
        responses_followup_task.run()
    assert cache.get(FOLLOWUP_KEY) is None
    broker._followup_checked_at = 0.0
    with (
        mock.patch.object(responses_followup_task, "apply_async") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        broker.followup_soon()
    assert queued.call_count == 1


def test_followup_soon_asks_the_cache_at_most_once_a_second(broker, django_capture_on_commit_callbacks):
    with (
        mock.patch("surveys.services.followup.queue_once") as queue_once,
        django_capture_on_commit_callbacks(execute=True),
    ):
        for _ in range(5):
            broker.followup_soon()
    assert queue_once.call_count == 1


def test_followup_soon_runs_the_sweep_inline_when_eager(setup, django_capture_on_commit_callbacks):
    from surveys.services import response_upsert

    _, _, contact = setup
    with django_capture_on_commit_callbacks(execute=True):
        response_upsert(dedupe_key="k", kind="nps", score=9, channel="link", account_id=contact.account_id)
    assert SurveyResponse.objects.get().followup_pending is False


def test_followup_sweep_is_batched_idempotent_and_follows_changes(setup, django_capture_on_commit_callbacks):
    """With a broker, answers queue one sweep (not a message each); the sweep follows each
    answer up once, and again (created=False) after the answer changed."""
    from celery import current_app

    from surveys.services import followup, response_upsert, responses_followup

    workspace, survey, contact = setup
    followup._followup_checked_at = 0.0
    eager = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = False
    try:
        with (
            mock.patch("surveys.tasks.responses_followup_task.apply_async") as queued,
            django_capture_on_commit_callbacks(execute=True),
        ):
            for n in range(5):
                response_upsert(dedupe_key=f"k{n}", kind="nps", score=2, channel="link", account_id=contact.account_id)
    finally:
        current_app.conf.task_always_eager = eager
    assert queued.call_count == 1
    with mock.patch("surveys.signals.response_recorded.send") as sent:
        with django_capture_on_commit_callbacks(execute=True):
            assert responses_followup(batch=2) == 5
            assert responses_followup() == 0  # nothing pending: a retried sweep does nothing
        assert [c.kwargs["created"] for c in sent.call_args_list] == [True] * 5
        with django_capture_on_commit_callbacks(execute=False):
            response_upsert(dedupe_key="k0", kind="nps", score=9, channel="link", account_id=contact.account_id)
        with django_capture_on_commit_callbacks(execute=True):
            assert responses_followup() == 1
        assert sent.call_args_list[-1].kwargs["created"] is False
        assert sent.call_args_list[-1].kwargs["category"] == "promoter"
    assert SurveyResponse.objects.filter(followup_pending=True).count() == 0
