"""Theme tags: group comments on the same topic, whatever language they are written in, and
name each group in its members' language.

1. Vectors: the multilingual model (surveys.embeddings_multilingual, multilingual-e5-small);
   without it the English-only MiniLM (surveys.embeddings); without either, character n-gram
   TF-IDF, which still separates topics within each language.
2. Each language's own offset is taken out: a model places all Arabic comments nearer each
   other than to the Chinese ones whatever they say, so the mean vector of each language with
   at least MIN_LANGUAGE_GROUP comments (by script, surveys.comment_language) is subtracted
   from its comments (the rest lose the overall mean). What is left is mostly the topic.
3. Agglomerative clustering (average linkage on cosine distance) into k groups.
4. Names: surveys.theme_labels.

Comments of the last 365 days (the newest MAX_COMMENTS) are grouped. The work runs in the
background (surveys.theme_runs, never in a request) and reports progress as it embeds;
recomputing replaces every theme in one short transaction at the end.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone

from core.db import chunked

from .comment_language import comment_language
from .models import ResponseTheme, SurveyResponse
from .theme_labels import theme_names

__all__ = [
    "MAX_COMMENTS",
    "METHODS",
    "MIN_COMMENTS",
    "Progress",
    "theme_groups",
    "theme_method",
    "theme_vectors",
    "themes_compute",
]

MAX_COMMENTS = 5000
MIN_COMMENTS = 6
MIN_LANGUAGE_GROUP = 5
MULTILINGUAL, ENGLISH, TFIDF = "multilingual-e5-small", "all-MiniLM-L6-v2", "TF-IDF"
METHODS = (MULTILINGUAL, ENGLISH, TFIDF)

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def theme_method() -> str:
    """The best method installed here."""
    from . import embeddings, embeddings_multilingual

    if embeddings_multilingual.available():
        return MULTILINGUAL
    if embeddings.available():
        return ENGLISH
    return TFIDF


def _centre_by_language(vectors: np.ndarray, languages: list[str]) -> np.ndarray:
    centred = vectors - vectors.mean(0)
    codes = np.array(languages)
    for language in set(languages):
        rows = codes == language
        if rows.sum() >= MIN_LANGUAGE_GROUP:
            centred[rows] = vectors[rows] - vectors[rows].mean(0)
    return centred / np.maximum(np.linalg.norm(centred, axis=1, keepdims=True), 1e-12)


def theme_vectors(
    texts: list[str], languages: list[str], *, method: str, progress: Progress | None = None
) -> np.ndarray:
    """Unit vectors for `texts`, each language's offset removed (see the module docstring)."""
    total = len(texts)

    def report(done: int) -> None:
        if progress is not None:
            progress("embedding", done, total)

    if method == MULTILINGUAL:
        from . import embeddings_multilingual

        vectors = embeddings_multilingual.encode(texts, progress=report)
    elif method == ENGLISH:
        from . import embeddings

        vectors = embeddings.encode(texts)
        report(total)
    else:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import normalize

        matrix = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, max_features=20000
        ).fit_transform(texts)
        report(total)
        return normalize(matrix).toarray()  # sparse words of one language: no shared offset to remove
    return _centre_by_language(np.asarray(vectors, dtype=np.float64), languages)


def _cluster_count(n: int) -> int:
    return max(2, min(12, round(math.sqrt(n / 2))))


def theme_groups(vectors: np.ndarray, *, k: int | None = None) -> np.ndarray:
    """A cluster number per row (0..k-1)."""
    from sklearn.cluster import AgglomerativeClustering

    k = k or _cluster_count(len(vectors))
    return AgglomerativeClustering(n_clusters=k, metric="cosine", linkage="average").fit_predict(vectors)


def themes_compute(*, now: datetime | None = None, progress: Progress | None = None, method: str = "") -> int:
    """Recompute theme tags for recent comments. Returns the number of themes."""
    now = now or timezone.now()
    rows = list(
        SurveyResponse.objects.filter(submitted_at__gte=now - timedelta(days=365))
        .exclude(comment="")
        .order_by("-submitted_at", "-id")
        .values_list("id", "comment")[:MAX_COMMENTS]
    )
    if len(rows) < MIN_COMMENTS:
        with transaction.atomic():
            _clear()
        return 0
    ids = [r[0] for r in rows]
    texts = [r[1][:1000] for r in rows]
    languages = [comment_language(t) for t in texts]
    method = method or theme_method()
    vectors = theme_vectors(texts, languages, method=method, progress=progress)
    if progress is not None:
        progress("grouping", len(texts), len(texts))
    k = _cluster_count(len(texts))
    assignment = theme_groups(vectors, k=k)
    names = theme_names(texts, languages, vectors, assignment, k)
    if progress is not None:
        progress("saving", len(texts), len(texts))
    created = 0
    with transaction.atomic():
        _clear()
        for cluster, name in enumerate(names):
            members = [i for i, c in zip(ids, assignment, strict=True) if c == cluster]
            if not members:
                continue
            theme = ResponseTheme.objects.create(
                label=name["label"][:120] or f"#{cluster + 1}",
                keywords=name["keywords"],
                example=name["example"],
                language=name["language"][:16],
                languages=name["languages"],
                size=len(members),
                method=method,
                computed_at=now,
            )
            for part in chunked(members):
                SurveyResponse.objects.filter(id__in=part).update(theme=theme)
            created += 1
    return created


def _clear() -> None:
    from accounts.panel_cache import account_panels_changed

    SurveyResponse.objects.filter(theme__isnull=False).update(theme=None)
    account_panels_changed(account_ids=None, keys=["surveys"])  # the account page shows the themes
    ResponseTheme.objects.all().delete()
