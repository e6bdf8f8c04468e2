"""Names for theme tags, in the language most of a theme's comments are written in.

A theme's keywords are the words (for Chinese and Japanese, two-character runs: they write no
spaces) that tell its comments apart from the other themes' comments in the same language
(class-based TF-IDF), and its example is the comment of that language nearest the theme's
centre. A CSM reading the report sees "price · expensive · money" or "السعر · غالٍ" and one
real comment, not a label made from the script.
"""

from collections import Counter

import numpy as np

__all__ = ["ThemeName", "theme_names"]

# Words too common to name anything; the TF-IDF weighting removes most of the rest.
STOP_WORDS = {
    "ar": set(
        "في من على إلى عن مع هذا هذه ذلك التي الذي الذين كان كانت لا ما لم لن قد كل بعد قبل عند أن إن أو ثم "
        "هو هي نحن هم أنا لنا لكم لها له بها به فيه فيها منذ حتى غير بين كما أي لقد جدا جد مرة أخرى".split()
    ),
    "fa": set(
        "و در به از که این آن با را برای است هست هم یا ما من تا هر شد شده می نمی خیلی بود کرد کند کنیم "
        "کنند باید ولی اما چون همه هیچ دیگر روی بعد قبل خود ها های".split()
    ),
}
CHARACTER_LANGUAGES = {"zh", "ja"}


class ThemeName(dict):
    """{"label", "keywords", "example", "language", "languages"} for one theme."""


def _vectorizer(language: str):
    from sklearn.feature_extraction.text import CountVectorizer

    if language in CHARACTER_LANGUAGES:
        return CountVectorizer(analyzer="char", ngram_range=(2, 2), token_pattern=None, preprocessor=_han_only)
    if language == "latin":
        return CountVectorizer(stop_words="english", token_pattern=r"(?u)\b[^\W\d_]{3,}\b")
    return CountVectorizer(
        stop_words=sorted(STOP_WORDS.get(language, ())) or None, token_pattern=r"(?u)\b[^\W\d_]{2,}\b"
    )


def _han_only(text: str) -> str:
    """Chinese / Japanese text with everything but letters turned into breaks (no bigram spans a
    comma or a Latin word)."""
    return "".join(c if c.isalpha() and ord(c) > 0x2E80 else " " for c in text)


def _keywords(language: str, docs: list[str], limit: int = 4) -> list[list[str]]:
    """Top terms of each doc (one doc per theme, its comments in `language`) against the others."""
    try:
        counts = _vectorizer(language).fit(docs)
    except ValueError:  # nothing left to count (only stop words, digits)
        return [[] for _ in docs]
    matrix = counts.transform(docs).toarray().astype(float)
    vocab = np.array(counts.get_feature_names_out())
    tf = matrix / np.maximum(matrix.sum(1, keepdims=True), 1)
    idf = np.log(1 + matrix.sum() / np.maximum(matrix.sum(0), 1))
    scores = tf * idf
    return [[str(vocab[j]).strip() for j in np.argsort(-row)[:limit] if row[j] > 0] for row in scores]


def theme_names(
    texts: list[str], languages: list[str], vectors: np.ndarray, assignment: np.ndarray, k: int
) -> list[ThemeName]:
    """One name per cluster 0..k-1 (an empty cluster gets empty keywords)."""
    members = [np.flatnonzero(assignment == c) for c in range(k)]
    majority = [Counter(languages[i] for i in rows).most_common(1)[0][0] if len(rows) else "latin" for rows in members]
    keywords: dict[int, list[str]] = {}
    for language in set(majority):
        clusters = [c for c in range(k) if majority[c] == language]
        # every cluster's comments in this language, so a word shared by all themes scores low
        docs = [" \n ".join(texts[i] for i in members[c] if languages[i] == language) for c in range(k)]
        words = _keywords(language, docs)
        for c in clusters:
            keywords[c] = words[c]
    names = []
    for c in range(k):
        rows = members[c]
        own = [i for i in rows if languages[i] == majority[c]] or list(rows)
        example = ""
        if own:
            centre = vectors[rows].mean(0)
            example = texts[max(own, key=lambda i: float(vectors[i] @ centre))]
        words = keywords.get(c, [])
        names.append(
            ThemeName(
                label=" · ".join(words[:3]) or example[:60],
                keywords=words,
                example=example[:500],
                language=majority[c],
                languages=dict(Counter(languages[i] for i in rows).most_common()),
            )
        )
    return names
