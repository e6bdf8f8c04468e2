"""What English a page still shows in another language: the visible text of its content (and the
placeholder, title and aria-label a person reads) that has two English words in a row, once the data the test
put there (names, titles) is taken out. Shared by the pages' "in Arabic" tests."""

import re
from html.parser import HTMLParser

from django.utils import translation

__all__ = ["english_left", "get_in"]

_WORDS = re.compile(r"\b[A-Za-z]{2,}[’']?[a-z]*\s+[A-Za-z]{2,}\b")
_READ_ATTRS = ("placeholder", "title", "aria-label")
# Not chrome: product and technical names kept in every language.
_KEPT = ("Django template", "Slack", "CSV", "PDF", "UTC", "docs/metrics.md", "DESIGN.md", "seed_demo")


class _Text(HTMLParser):
    """The text read inside `<main>` (the page's own content; the shell around it is core's), or
    the whole document when it has no `<main>`."""

    def __init__(self, whole: bool):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0
        self._in_main = 1 if whole else 0

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self._in_main += 1
        if tag in ("script", "style", "code", "pre", "template"):
            self._skip += 1
        if self._in_main:
            self.parts.extend(value for name, value in attrs if name in _READ_ATTRS and value)

    def handle_endtag(self, tag):
        if tag == "main" and self._in_main:
            self._in_main -= 1
        if tag in ("script", "style", "code", "pre", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if self._in_main and not self._skip and data.strip():
            self.parts.append(data.strip())


def english_left(html: str, data: list[str] = ()) -> list[str]:
    """The pieces of text with English left in them (empty when the page is all translated)."""
    parser = _Text(whole="<main" not in html)
    parser.feed(html)
    left = []
    for part in parser.parts:
        text = part
        for value in sorted((str(d) for d in data if d), key=len, reverse=True):
            text = text.replace(value, " ")
        for kept in _KEPT:
            text = text.replace(kept, " ")
        if _WORDS.search(text):
            left.append(part)
    return left


def get_in(client, url: str, language: str):
    """GET `url` as a person whose language is `language` (Accept-Language, and the request's
    language activated as the locale middleware does)."""
    with translation.override(language):
        return client.get(url, HTTP_ACCEPT_LANGUAGE=language)
