"""The page chrome's parts that are the same for every reader of a language: written once per
language and kind of reader, then reused (issue 22: the cost every page pays).

`{% language_menu %}`: templates/htmx/language_menu.html (the top bar's and the sign-in card's
language switch). It reads only `html_lang`, `site_languages` and `user.is_authenticated`, and
renders ~30 template nodes, four `{% get_language_info %}` and a `{% url %}` per page; its text
depends only on the language, the kind of reader and the URL prefix, so it is rendered with
those alone and kept per (language, signed in, URL prefix, URLconf).

`{% sidebar_nav %}`: the sidebar's items, written in Python (below).
"""

from django import template
from django.conf import settings
from django.template.base import render_value_in_context
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation
from django.utils.html import conditional_escape
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


_ITEMS: dict[tuple, tuple[str, str]] = {}


def _item_parts(item: dict) -> tuple[str, str]:
    """The escaped markup of a sidebar item around its active class and its badge, kept per
    (label, URL, slug, icon): the same for every reader of a language."""
    key = (item["label"], item["url"], item["slug"], item["icon"])
    parts = _ITEMS.get(key)
    if parts is None:
        label, url, slug, icon = (conditional_escape(value) for value in key)
        parts = (f'" href="{url}">\n          <svg><use href="#i-{icon}"/></svg>{label}\n          ', slug)
        if len(_ITEMS) > 1024:
            _ITEMS.clear()
        _ITEMS[key] = parts
    return parts


@register.simple_tag(takes_context=True)
def sidebar_nav(context) -> SafeString:
    """The sidebar's sections and items (`nav_sections`, core.context_processors.navigation), the
    markup base.html's two loops wrote: ~40 template nodes an item (escaping, lookups, the
    badge's two tests) on every page. An item's fixed markup is escaped once; its active class
    and badge (lazy: the count's query runs here) are put in per page, the badge's number
    localised as `{{ }}` does."""
    out = []
    for section, items in (context.get("nav_sections") or {}).items():
        out.append(f'\n      <div class="section">{conditional_escape(section)}</div>\n      ')
        for item in items:
            middle, slug = _item_parts(item)
            out.append('\n        <a class="nav active' if item["active"] else '\n        <a class="nav')
            out.append(middle)
            badge = item["badge"]
            if badge:
                number = render_value_in_context(badge, context)
                out.append(f'<span class="badge-count" id="nav-badge-{slug}">{number}</span>')
            elif badge is not None and badge == 0:
                out.append(f'<span class="badge-count" id="nav-badge-{slug}" hidden></span>')
            out.append("\n        </a>\n      ")
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above
