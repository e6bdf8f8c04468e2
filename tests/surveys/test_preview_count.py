"""The confirm page of "Email the audience" never waits for the audience to be counted: it
renders at once from the count's cache entry, a background task counts (with progress) and the
page polls until the counts are known (surveys.preview_count)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from surveys import preview_count
from surveys.models import FatigueTouch
from surveys.preview_count import survey_preview_request, survey_preview_state
from surveys.sending import SendPreview, survey_send_preview
from surveys.sending.preview import _budget_key
from surveys.tasks import survey_send_preview_task
from tests.factories import AccountFactory, ContactFactory
from tests.factories.surveys import SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_cached_counts():
    cache.clear()
    yield
    cache.clear()


def add_contacts(n: int, *, start: int = 0) -> None:
    accounts = [AccountFactory() for _ in range(3)]
    for i in range(start, start + n):
        contact = ContactFactory(account=accounts[i % 3], email=f"c{i}@x.io" if i % 5 else "")
        if i % 4 == 0:
            FatigueTouch.objects.create(
                contact=contact,
                account_id=contact.account_id,
                channel="email",
                kind="asked",
                occurred_at=timezone.now() - timedelta(days=40),
            )


def start_count(survey) -> str:
    """Start a count without running its task (as when a worker picks it up later)."""
    with mock.patch.object(survey_send_preview_task, "delay") as delay:
        with TestCase.captureOnCommitCallbacks(execute=True):
            state = survey_preview_request(survey=survey)
        assert state.status == "counting" and delay.call_args.args == (survey.id, state.run)
    return state.run


def test_the_page_renders_without_counting_whatever_the_audience_size(admin_client, django_capture_on_commit_callbacks):
    survey = SurveyFactory(kind="nps")
    url = reverse("surveys:survey_send", args=[survey.pk])
    admin_client.get(url)  # sessions, permissions: warm
    queries = []
    for size, start in ((3, 0), (60, 3)):
        add_contacts(size, start=start)
        cache.clear()
        with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks() as callbacks:
            page = admin_client.get(url)
        html = page.content.decode()
        assert page.status_code == 200 and "data-counting" in html and "Counting the audience… 0%" in html
        assert 'hx-trigger="every 1s"' in html and "data-send-counting" in html and "data-send " not in html
        assert 'data-count="audience"' not in html
        assert len(callbacks) == 1  # the count is queued for after the request, not done in it
        queries.append(len(captured))
    assert queries[0] == queries[1] <= 6, [q["sql"] for q in captured.captured_queries]


def test_the_task_counts_and_stores_the_preview_with_progress():
    add_contacts(10)
    survey = SurveyFactory(kind="nps")
    run = start_count(survey)
    stored = []
    real_set = cache.set

    def spy(key, value, *args, **kwargs):
        if key == _budget_key(survey):
            stored.append((value.status, value.scanned, value.total, value.percent))
        return real_set(key, value, *args, **kwargs)

    with mock.patch.object(preview_count, "PREVIEW_CHUNK", 4), mock.patch.object(cache, "set", spy):
        survey_send_preview_task.apply(args=[survey.id, run])
    # progress after each chunk of four contacts, then the result
    counting = [s for s in stored if s[0] == "counting"]
    assert [(s[1], s[2]) for s in counting] == [(0, 10), (4, 10), (8, 10), (10, 10)]
    assert [s[3] for s in counting] == [0, 40, 80, 99] and stored[-1][0] == "done"
    state = survey_preview_state(survey=survey)
    cache.clear()
    expected = survey_send_preview(survey=survey)
    assert state.done and state.run == run
    assert (state.audience, state.will_ask, state.skipped) == (expected.audience, expected.will_ask, expected.skipped)
    assert (state.audience, state.will_ask) == (10, 6)
    assert state.skipped == {"recently_asked": 3, "no_email": 1}


def test_the_poll_shows_the_progress_then_the_counts_and_stops(admin_client):
    add_contacts(10)
    survey = SurveyFactory(kind="nps")
    url = reverse("surveys:survey_send", args=[survey.pk])
    page = admin_client.get(url)  # the whole page, counting (the task is not run here)
    assert b"<html" in page.content and b'id="send-preview"' in page.content
    run = survey_preview_state(survey=survey).run
    # the worker has checked 4 of the 10 contacts
    partial = SendPreview(status="counting", run=run, scanned=4, total=10, audience=4, will_ask=2)
    partial.computed_at = partial.updated_at = timezone.now()
    cache.set(_budget_key(survey), partial)
    poll = admin_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in poll and 'id="send-preview"' in poll
    assert "Counting the audience… 40%" in poll and "4 of 10 contacts checked" in poll
    assert 'hx-trigger="every 1s"' in poll and 'aria-valuenow="40"' in poll and "data-send-counting" in poll
    assert "data-budget-flag" not in admin_client.get(reverse("surveys:survey_list")).content.decode()
    # and when it is done, the poll shows the counts and the send button, and stops
    survey_send_preview_task.apply(args=[survey.id, run])
    done = admin_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done and 'data-status="done"' in done
    assert 'data-count="audience">10<' in done and 'data-count="will-ask">6<' in done
    assert 'data-reason="recently_asked"' in done and "Send 6 e-mails" in done and "data-counting" not in done


def test_a_recent_count_is_reused_and_a_stale_one_counted_again():
    add_contacts(5)
    survey = SurveyFactory(kind="nps")
    run = start_count(survey)
    survey_send_preview_task.apply(args=[survey.id, run])
    now = timezone.now()
    with mock.patch.object(survey_send_preview_task, "delay") as delay, TestCase.captureOnCommitCallbacks(execute=True):
        # nine minutes later: reused, nothing queued
        assert survey_preview_request(survey=survey, now=now + timedelta(minutes=9)).run == run
        # eleven minutes later: counted again, under a new run
        again = survey_preview_request(survey=survey, now=now + timedelta(minutes=11))
    assert again.status == "counting" and again.run != run
    assert delay.call_args.args == (survey.id, again.run)
    # a count whose worker died (no progress for minutes) is started again too
    with mock.patch.object(survey_send_preview_task, "delay") as delay, TestCase.captureOnCommitCallbacks(execute=True):
        later = survey_preview_request(survey=survey, now=now + timedelta(minutes=14))
    assert later.run not in (run, again.run) and delay.call_count == 1
    # the replaced task stops without storing anything; the current one stores the result
    assert preview_count.survey_preview_count(survey_id=survey.id, run=again.run) is None
    assert survey_preview_state(survey=survey).run == later.run
    survey_send_preview_task.apply(args=[survey.id, later.run])
    assert survey_preview_state(survey=survey).done


def test_a_change_to_the_survey_counts_again():
    add_contacts(5)
    survey = SurveyFactory(kind="nps")
    run = start_count(survey)
    survey_send_preview_task.apply(args=[survey.id, run])
    survey.tiers = ["enterprise"]
    survey.save()
    with mock.patch.object(survey_send_preview_task, "delay") as delay, TestCase.captureOnCommitCallbacks(execute=True):
        assert survey_preview_request(survey=survey).status == "counting"
    assert delay.call_count == 1


def test_the_task_run_twice_stores_one_result():
    add_contacts(6)
    survey = SurveyFactory(kind="nps")
    run = start_count(survey)
    first = preview_count.survey_preview_count(survey_id=survey.id, run=run)
    with mock.patch.object(preview_count, "survey_send_preview") as recount:
        assert preview_count.survey_preview_count(survey_id=survey.id, run=run) is None
    assert not recount.called
    state = survey_preview_state(survey=survey)
    assert state.done and (state.run, state.audience, state.will_ask, state.skipped) == (
        first.run,
        first.audience,
        first.will_ask,
        first.skipped,
    )
    # a second request for the page meanwhile starts no second count
    with mock.patch.object(survey_send_preview_task, "delay") as delay, TestCase.captureOnCommitCallbacks(execute=True):
        assert survey_preview_request(survey=survey).run == run
    assert not delay.called


def test_two_requests_at_once_start_one_count():
    add_contacts(3)
    survey = SurveyFactory(kind="nps")
    first = start_count(survey)
    with mock.patch.object(survey_send_preview_task, "delay") as delay, TestCase.captureOnCommitCallbacks(execute=True):
        assert survey_preview_request(survey=survey).run == first
    assert not delay.called
