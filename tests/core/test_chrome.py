"""The language menu kept per language and kind of reader (core.templatetags.chrome) reads as the
template it renders once (templates/htmx/language_menu.html), for every language and reader."""

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.utils import translation

from core.templatetags import chrome
from tests.html_tokens import html_tokens as _tokens

INCLUDED = '{% include "htmx/language_menu.html" %}'  # what base.html and auth_base.html did before
KEPT = "{% load chrome %}{% language_menu %}"


class _SignedIn:
    is_authenticated = True


def _render(source: str, language: str, user) -> str:
    context = {"html_lang": language, "site_languages": settings.LANGUAGES, "user": user}
    return Template(source).render(Context(context))


@pytest.mark.parametrize("language", ["en", "ar", "fa", "zh-hans"])
@pytest.mark.parametrize("user", [AnonymousUser(), _SignedIn()], ids=["anonymous", "signed-in"])
def test_menu_reads_as_the_include_did(language, user):
    # given a page in a language, for a visitor or a signed-in user, and no menu kept yet
    chrome._MENUS.clear()
    with translation.override(language):
        # when the menu is drawn by the include and by the tag (twice: written, then kept)
        expected = _render(INCLUDED, language, user)
        first = _render(KEPT, language, user)
        kept = _render(KEPT, language, user)
    # then all three give the reader the same tags, attributes and text
    assert _tokens(first) == _tokens(expected)
    assert kept == first
    assert ('href="/me/"' in first) == user.is_authenticated


def test_each_language_and_reader_gets_its_own_menu():
    # given menus drawn in English and Arabic, for a visitor and for a signed-in user
    chrome._MENUS.clear()
    drawn = {}
    for language in ("en", "ar"):
        for user in (AnonymousUser(), _SignedIn()):
            with translation.override(language):
                drawn[language, user.is_authenticated] = _render(KEPT, language, user)
    # then each is different and each marks its own language as the current one
    assert len(set(drawn.values())) == 4
    assert 'value="ar" role="menuitem" lang="ar" dir="rtl" aria-current="true"' in drawn["ar", False]
    assert 'value="en" role="menuitem" lang="en" dir="ltr" aria-current="true"' in drawn["en", True]
