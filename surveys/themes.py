"""Theme tags: group similar comments and name each group by its most telling words.

Comments of the last 365 days (the newest MAX_COMMENTS) are embedded with the local MiniLM
model (surveys.embeddings) and clustered with k-means (scikit-learn); without the model, TF-IDF
vectors are clustered instead. Each cluster's label is its top terms by class-based TF-IDF.
Runs in Celery (`themes_compute_task`), never in a request; recomputing replaces every theme.
"""

import math
from datetime import timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone

from .models import ResponseTheme, SurveyResponse

MAX_COMMENTS = 5000
MIN_COMMENTS = 6


def _vectors(texts: list[str]) -> tuple[np.ndarray, str]:
    from . import embeddings

    if embeddings.available():
        return embeddings.encode(texts), "all-MiniLM-L6-v2"
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    matrix = TfidfVectorizer(
        stop_words="english", sublinear_tf=True, ngram_range=(1, 2), max_features=5000
    ).fit_transform(texts)
    return normalize(matrix).toarray(), "TF-IDF"


def _labels(texts: list[str], assignment: np.ndarray, k: int) -> list[list[str]]:
    """Top words of each cluster against the others (class-based TF-IDF)."""
    from sklearn.feature_extraction.text import CountVectorizer

    docs = [" ".join(t for t, c in zip(texts, assignment, strict=True) if c == i) for i in range(k)]
    try:
        counts = CountVectorizer(stop_words="english", token_pattern=r"(?u)\b[^\W\d_]{3,}\b").fit(texts)
    except ValueError:
        return [[] for _ in range(k)]
    matrix = counts.transform(docs).toarray().astype(float)
    vocab = np.array(counts.get_feature_names_out())
    tf = matrix / np.maximum(matrix.sum(1, keepdims=True), 1)
    idf = np.log(1 + matrix.sum() / np.maximum(matrix.sum(0), 1))
    scores = tf * idf
    return [[str(vocab[j]) for j in np.argsort(-row)[:4] if row[j] > 0] for row in scores]


def themes_compute(*, now=None) -> int:
    """Recompute theme tags for recent comments. Returns the number of themes."""
    from sklearn.cluster import KMeans

    now = now or timezone.now()
    rows = list(
        SurveyResponse.objects.filter(submitted_at__gte=now - timedelta(days=365))
        .exclude(comment="")
        .order_by("-submitted_at", "-id")
        .values_list("id", "comment")[:MAX_COMMENTS]
    )
    with transaction.atomic():
        SurveyResponse.objects.filter(theme__isnull=False).update(theme=None)
        ResponseTheme.objects.all().delete()
        if len(rows) < MIN_COMMENTS:
            return 0
        ids = [r[0] for r in rows]
        texts = [r[1][:1000] for r in rows]
        vectors, method = _vectors(texts)
        k = max(2, min(12, round(math.sqrt(len(texts) / 2))))
        assignment = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(vectors)
        words = _labels(texts, assignment, k)
        created = 0
        for cluster in range(k):
            members = [i for i, c in zip(ids, assignment, strict=True) if c == cluster]
            if not members:
                continue
            label = " · ".join(words[cluster][:3]) or f"Theme {cluster + 1}"
            theme = ResponseTheme.objects.create(
                label=label[:120], keywords=words[cluster], size=len(members), method=method, computed_at=now
            )
            SurveyResponse.objects.filter(id__in=members).update(theme=theme)
            created += 1
    return created
