"""What a page says in words, for the tests that check a page is in its reader's language: the
visible text (and the texts people hear or see on hover: title, aria-label, placeholder) of the
parts of a page chosen by id or class, less code, and the English words left in it."""

import re
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "use"}
SPOKEN_ATTRS = ("title", "aria-label", "placeholder")
# Proper names, abbreviations, units and currency symbols ("US$") the product keeps in every language.
KEPT = {
    "US",
    "Pulse",
    "NPS",
    "CSAT",
    "CES",
    "ARR",
    "MRR",
    "UTC",
    "USD",
    "EUR",
    "GBP",
    "CSV",
    "AUC",
    "ROC",
    "API",
    "ID",
    "URL",
    "Stripe",
}
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")


class _Text(HTMLParser):
    def __init__(self, ids: set[str], classes: set[str]):
        super().__init__(convert_charrefs=True)
        self.ids, self.classes = ids, classes
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, opens a part we read, hides what it holds)
        self.reading = 0
        self.skipping = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        chosen = attrs.get("id") in self.ids or bool(self.classes & set((attrs.get("class") or "").split()))
        # not read: scripts, hidden parts, and code (identifiers and snippets are the same in every language)
        hidden = tag in ("script", "style", "template", "code", "pre", "kbd", "samp") or "hidden" in attrs
        if self.reading and not self.skipping:
            self.parts.extend(attrs[a] for a in SPOKEN_ATTRS if attrs.get(a))
        if tag in VOID:
            if chosen and not self.skipping:
                self.parts.extend(attrs[a] for a in SPOKEN_ATTRS if attrs.get(a))
            return
        self.stack.append((tag, chosen, hidden))
        self.reading += chosen
        self.skipping += hidden

    def handle_endtag(self, tag):
        if tag in VOID or tag not in (t for t, _chosen, _hidden in self.stack):
            return  # <use/>, <br>, or a stray end tag: nothing was opened
        while self.stack:
            open_tag, chosen, hidden = self.stack.pop()
            self.reading -= chosen
            self.skipping -= hidden
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self.reading and not self.skipping and data.strip():
            self.parts.append(data.strip())


def page_text(html: str, *, ids=(), classes=()) -> str:
    """The words of the parts of `html` with one of these ids or classes, joined by newlines."""
    parser = _Text(set(ids), set(classes))
    parser.feed(html)
    parser.close()
    return "\n".join(parser.parts)


def english_left(text: str, *, data=()) -> list[str]:
    """Latin-script words in `text` that are neither data (names the test made, given in `data`)
    nor kept as they are (KEPT): what a reader of Arabic, Persian or Chinese would find untranslated."""
    allowed = set(KEPT)
    for value in data:
        allowed.update(WORD.findall(str(value)))
    return sorted({w for w in WORD.findall(text) if w not in allowed and w.strip("'’-") not in allowed})


def get_as(client, user, language: str, url: str, params=None):
    """GET `url` as `user` reading in `language`: their profile's language and their browser's
    (the language middleware picks them), the request also run in it."""
    from django.utils import translation

    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    with translation.override(language):
        return client.get(url, params or {}, HTTP_ACCEPT_LANGUAGE=language)
