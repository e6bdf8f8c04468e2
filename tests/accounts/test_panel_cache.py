"""The account 360 page's cached panels (accounts.panel_cache, issue 23): the health card and the
survey answers come from the cache on the second visit, the same markup in every language as when
rendered live, and a write they show drops them."""

import dataclasses
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import panels as account_panels
from accounts.models import Activity
from health.models import HealthOverride, HealthScore, Scorecard, ScorecardMeasure
from health.services import csm_sentiment_record, health_override_clear, health_override_create
from health.signals import scores_recomputed
from tests.factories import AccountFactory, ContactFactory
from tests.factories.health import HealthScoreFactory
from tests.factories.surveys import ResponseThemeFactory, SurveyResponseFactory
from tests.html_tokens import html_tokens
from tests.page_language import get_as

pytestmark = pytest.mark.django_db

CACHED = ("health", "surveys")
_CSRF = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


@pytest.fixture
def account(csm_user):
    """An account with 20 days of health history, an override, a sentiment and themed answers."""
    account = AccountFactory(name="Nordwind", owner=csm_user)
    scorecard = Scorecard.objects.create(name="Standard", is_default=True, red_below=40, green_from=70)
    ScorecardMeasure.objects.create(
        scorecard=scorecard, measure_key="usage_frequency", weight=30, points=[[0, 0], [20, 100]]
    )
    ScorecardMeasure.objects.create(scorecard=scorecard, measure_key="open_tickets", weight=10, points=[[0, 100]])
    today = timezone.now().date()
    for offset in range(20):
        HealthScoreFactory(
            account=account, scorecard=scorecard, day=today - timedelta(days=offset), score=40 + offset, band="yellow"
        )
    health_override_create(
        account=account, score=80, reason="Renewal signed", expires_at=timezone.now() + timedelta(days=5), author=None
    )
    csm_sentiment_record(account=account, value=2, note="Champion left", author=csm_user)
    contact = ContactFactory(account=account, name="Leila Ahmadi", language="fa")
    theme = ResponseThemeFactory(label="Onboarding")
    for score, comment in ((3, "Too slow to set up"), (9, ""), (10, "Great support")):
        SurveyResponseFactory(account=account, contact=contact, score=score, comment=comment, theme=theme)
    # the timeline (not cached) says "N seconds ago" of its entries: none, so two renders compare equal
    Activity.objects.filter(account=account).delete()
    return account


def _page(client, user, language, account) -> str:
    response = get_as(client, user, language, reverse("accounts:detail", args=[account.pk]))
    assert response.status_code == 200
    return _CSRF.sub(r"\1…", response.content.decode())


def _live_page(client, user, language, account, monkeypatch) -> str:
    """The page with the cached panels rendered live, as before the cache."""
    with monkeypatch.context() as patch:
        patch.setattr(account_panels, "PANELS", dict(account_panels.PANELS))
        for key in CACHED:
            patch.setitem(account_panels.PANELS, key, dataclasses.replace(account_panels.PANELS[key], cache_vary=None))
        return _page(client, user, language, account)


@pytest.mark.parametrize("language", ["en", "ar", "fa", "zh-hans"])
def test_cached_panels_are_the_live_markup_in_every_language(client, csm_user, account, monkeypatch, language):
    # given the page as rendered live
    expected = _live_page(client, csm_user, language, account, monkeypatch)

    # when it is rendered with the panels stored, then read back from the cache
    stored = _page(client, csm_user, language, account)
    with CaptureQueriesContext(connection) as hit:
        served = _page(client, csm_user, language, account)

    # then the same markup each time, the CSRF tokens the request's own
    assert 'id="health-card"' in served and "Great support" in served
    assert html_tokens(stored) == html_tokens(expected)
    assert html_tokens(served) == html_tokens(expected)
    assert not any("health_healthscore" in q["sql"] for q in hit.captured_queries)


def test_a_cached_card_holds_the_readers_csrf_token(csm_client, account):
    csm_client.get(reverse("accounts:detail", args=[account.pk]))

    html = csm_client.get(reverse("accounts:detail", args=[account.pk])).content.decode()

    assert "acct360csrfplaceholder" not in html
    tokens = re.findall(r'csrfmiddlewaretoken" value="([^"]+)"', html)
    assert tokens and all(len(token) == 64 for token in tokens)


def test_the_second_visit_skips_the_cached_panels_queries(csm_client, csm_user, account, rf, monkeypatch):
    # given the queries of the two panels' data, and of the page rendered live
    request = rf.get("/")
    request.user = csm_user
    connection.queries_log.clear()  # the fixture's writes filled the log (a bounded deque): counts by index
    with CaptureQueriesContext(connection) as panels:
        for key in CACHED:
            account_panels.PANELS[key].get_context(request, account)
    panel_queries = len(panels.captured_queries)  # now: captured_queries indexes the log
    url = reverse("accounts:detail", args=[account.pk])
    with monkeypatch.context() as patch:
        patch.setattr(account_panels, "PANELS", dict(account_panels.PANELS))
        for key in CACHED:
            patch.setitem(account_panels.PANELS, key, dataclasses.replace(account_panels.PANELS[key], cache_vary=None))
        csm_client.get(url)  # warm-up
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as live:
            csm_client.get(url)
        live_queries = len(live.captured_queries)

    # when the page is visited twice with the cache
    csm_client.get(url)
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as served:
        csm_client.get(url)

    # then the second visit runs all the page's queries but those
    tables = ('FROM "health_', 'JOIN "health_', 'FROM "surveys_', 'JOIN "surveys_')
    assert not [q["sql"] for q in served.captured_queries if any(table in q["sql"] for table in tables)]
    assert len(served.captured_queries) == live_queries - panel_queries


def test_readers_who_may_not_write_get_the_card_without_its_actions(client, csm_user, readonly_user, account):
    url = reverse("health:account_action", args=[account.pk, "recompute"])
    assert url in _page(client, csm_user, "en", account)  # stored for a writer

    assert url not in _page(client, readonly_user, "en", account)


def test_writes_drop_the_cached_panels(client, csm_user, account, django_capture_on_commit_callbacks, monkeypatch):
    def cached_is_live() -> bool:
        Activity.objects.filter(account=account).delete()  # the writes' timeline entries say "N seconds ago"
        served = _page(client, csm_user, "en", account)
        return html_tokens(served) == html_tokens(_live_page(client, csm_user, "en", account, monkeypatch))

    before = _page(client, csm_user, "en", account)
    assert "Champion left" in before

    # a sentiment, an answer, an override cleared, a recompute (scores_recomputed), each after its commit
    with django_capture_on_commit_callbacks(execute=True):
        csm_sentiment_record(account=account, value=1, note="Late invoices", author=csm_user)
    assert "Late invoices" in _page(client, csm_user, "en", account) and cached_is_live()
    with django_capture_on_commit_callbacks(execute=True):
        SurveyResponseFactory(account=account, score=2, comment="Billing is confusing")
    assert "Billing is confusing" in _page(client, csm_user, "en", account) and cached_is_live()
    assert "Renewal signed" in _page(client, csm_user, "en", account)
    with django_capture_on_commit_callbacks(execute=True):
        health_override_clear(override=HealthOverride.objects.get(account=account), user=csm_user)
    assert "Renewal signed" not in _page(client, csm_user, "en", account) and cached_is_live()
    HealthScore.objects.filter(account=account).update(score=7)  # as the recompute's bulk writes: no post_save
    with django_capture_on_commit_callbacks(execute=True):
        scores_recomputed.send(sender=HealthScore, account_ids=[account.pk], day=timezone.now().date())
    assert cached_is_live()


def test_without_a_commit_the_cached_panels_stay(csm_client, csm_user, account):
    """The version moves after commit: a write rolled back leaves the cached panels as they were."""
    url = reverse("accounts:detail", args=[account.pk])
    csm_client.get(url)

    SurveyResponseFactory(account=account, score=2, comment="Billing is confusing")  # never committed

    assert "Billing is confusing" not in csm_client.get(url).content.decode()
