"""Translate and format once per distinct value, for one request (issue 22: the pages' server CPU).

The long tables written in Python (accounts.portfolio_table, onboarding.board_cards,
reports.cohort_table, playbooks.team_rows) and the select widgets (core.form_rendering) show the
same few labels, dates and figures on many rows: a page has 4 tiers, 7 stages and a few dozen
distinct day counts. `TranslateOnce` keeps what a row translates or formats by a key for the
life of one object (one request, hence one language); `value_html()` writes a value as
`{{ value }}` does; `url_parts()` reverses a URL once for every row's id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

__all__ = ["TranslateOnce", "url_parts", "value_html"]

_ID = 987654321


def value_html(value: Any) -> str:
    """A value as `{{ value }}` writes it in a template: local time, localised, escaped."""
    value = localize(template_localtime(value))
    return conditional_escape(value if isinstance(value, str) else str(value))


def url_parts(name: str) -> tuple[str, str]:
    """A URL that takes one id, reversed once, as the text before and after the id."""
    head, tail = reverse(name, args=[_ID]).split(str(_ID))
    return head, tail


class TranslateOnce:
    """What rows translate or format, once per distinct value: make one per request (the texts
    are in the language active when they are first asked for)."""

    def __init__(self) -> None:
        self.memo: dict[tuple, str] = {}
        self.texts: dict[str, str] = {}

    def get(self, key: tuple, make: Callable[[], str]) -> str:
        """The text for `key`, made by `make()` the first time it is asked for."""
        text = self.memo.get(key)
        if text is None:
            text = self.memo[key] = make()
        return text

    def gettext(self, message: str) -> str:
        """`gettext(message)`, looked up once."""
        text = self.texts.get(message)
        if text is None:
            text = self.texts[message] = gettext(message)
        return text
