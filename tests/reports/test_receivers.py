"""reports.receivers: a change stamps the data version, and with a worker queues one refresh of
the pre-aggregates a few minutes later (core.deferral.queue_once), however many changes come."""

from unittest import mock

import pytest
from django.core.cache import cache

from accounts.models import Subscription, SupportTicket
from accounts.signals import subscription_changed, ticket_changed
from reports.freshness import data_changed_at
from reports.receivers import REFRESH_DELAY_SECONDS, REFRESH_KEY
from reports.tasks import reports_refresh_task as real_refresh_task
from surveys.signals import response_recorded

pytestmark = pytest.mark.django_db


@pytest.fixture
def refresh_task():
    with mock.patch("reports.tasks.reports_refresh_task") as task:
        yield task


def test_changes_queue_one_refresh_after_commit(settings, refresh_task, django_capture_on_commit_callbacks):
    # given: a real broker
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # when
    with django_capture_on_commit_callbacks(execute=True):
        subscription_changed.send(sender=Subscription, account_id=1, subscription_id=1, change="upgrade")
        ticket_changed.send(sender=SupportTicket, account_id=1, ticket_id=1, created=True)
    # then
    refresh_task.apply_async.assert_called_once_with(args=[], kwargs={}, countdown=REFRESH_DELAY_SECONDS)
    assert cache.get(REFRESH_KEY) == 1


def test_the_refresh_frees_the_key_when_it_starts(settings, refresh_task, django_capture_on_commit_callbacks):
    # given
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with django_capture_on_commit_callbacks(execute=True):
        subscription_changed.send(sender=Subscription, account_id=1, subscription_id=1, change="upgrade")
    # when: the queued run starts
    with mock.patch("reports.services.reports_refresh"):
        real_refresh_task.run()
    with django_capture_on_commit_callbacks(execute=True):
        subscription_changed.send(sender=Subscription, account_id=1, subscription_id=1, change="renewed")
    # then
    assert refresh_task.apply_async.call_count == 2


def test_embedded_mode_queues_nothing_but_moves_the_data_version(settings, refresh_task):
    # given
    settings.CELERY_TASK_ALWAYS_EAGER = True
    before = data_changed_at()
    # when
    ticket_changed.send(sender=SupportTicket, account_id=1, ticket_id=1, created=False)
    # then
    refresh_task.apply_async.assert_not_called()
    assert data_changed_at() >= before


def test_a_survey_answer_only_moves_the_data_version(settings, refresh_task):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response_recorded.send(sender=None, account_id=1, response_id=1)
    refresh_task.apply_async.assert_not_called()
