"""The page chrome's parts that are the same for every reader of a language: written once per
language and kind of reader, then reused (issue 22: the cost every page pays).

`{% language_menu %}`: templates/htmx/language_menu.html (the top bar's and the sign-in card's
language switch). It reads only `html_lang`, `site_languages` and `user.is_authenticated`, and
renders ~30 template nodes, four `{% get_language_info %}` and a `{% url %}` per page; its text
depends only on the language, the kind of reader and the URL prefix, so it is rendered with
those alone and kept per (language, signed in, URL prefix, URLconf).
"""

from django import template
from django.conf import settings
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_MENUS: dict[tuple, SafeString] = {}


@register.simple_tag(takes_context=True)
def language_menu(context) -> SafeString:
    """templates/htmx/language_menu.html for this page's language and reader, rendered once per
    (language, signed in, URL prefix, URLconf)."""
    code = context.get("html_lang") or translation.get_language() or settings.LANGUAGE_CODE
    user = context.get("user")
    signed_in = bool(getattr(user, "is_authenticated", False))
    languages = context.get("site_languages", settings.LANGUAGES)
    key = (code, translation.get_language(), signed_in, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF,
           tuple(languages))  # fmt: skip
    menu = _MENUS.get(key)
    if menu is None:
        html = get_template("htmx/language_menu.html").render(
            {"html_lang": code, "site_languages": languages, "user": {"is_authenticated": signed_in}}
        )
        menu = mark_safe(html)  # noqa: S308 - rendered by the template engine, escaped there
        if len(_MENUS) > 64:
            _MENUS.clear()
        _MENUS[key] = menu
    return menu
