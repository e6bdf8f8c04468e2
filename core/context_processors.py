from functools import partial
from typing import NamedTuple

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.text import slugify

from .formats import script_locale
from .languages import language_is_bidi
from .navigation import NAV_BADGES, SECTIONS, menu_items, topbar_items


class _Entry(NamedTuple):
    section: str
    label: str
    url: str
    slug: str
    icon: str
    role: str
    url_name: str


_MENUS: dict[tuple, tuple[_Entry, ...]] = {}


def _menu(language: str) -> tuple[_Entry, ...]:
    """The sidebar's items in the active language, with their URLs, before anyone's role is
    looked at: built once per language, URL prefix, URLconf and registry (reversing ~25 URL names
    and translating their labels on every request cost ~0.5 ms a page)."""
    from . import navigation as registry

    key = (language, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF, id(registry.NAV_ITEMS),
           registry.generation)  # fmt: skip
    menu = _MENUS.get(key)
    if menu is None:
        entries = []
        for item in menu_items():
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            section = str(SECTIONS[item.section])
            entries.append(_Entry(section, str(item.label), url, slugify(url), item.icon, item.role, item.url_name))
        menu = tuple(entries)
        if len(_MENUS) > 64:
            _MENUS.clear()
        _MENUS[key] = menu
    return menu


def navigation(request):
    """The sidebar for every template. Badges are lazy: their query runs only when a template
    renders `item.badge` (base.html does, once), so an htmx partial that draws no sidebar pays
    nothing for them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    path = request.path
    sections: dict[str, list[dict]] = {}
    entries: list[dict] = []
    for item in _menu(translation.get_language() or settings.LANGUAGE_CODE):
        if not user.has_role(item.role):
            continue
        badge_fn = NAV_BADGES.get(item.url_name)
        entry = {
            "label": item.label,
            "url": item.url,
            "slug": item.slug,
            "icon": item.icon,
            "active": False,
            "badge": SimpleLazyObject(partial(badge_fn, request)) if badge_fn else None,
        }
        entries.append(entry)
        sections.setdefault(item.section, []).append(entry)
    # Only the most specific item is highlighted: /success/maps/ lights "Success maps", not "Success plans".
    matches = [e for e in entries if path == e["url"] or (e["url"] != "/" and path.startswith(e["url"]))]
    if matches:
        max(matches, key=lambda e: len(e["url"]))["active"] = True
    return {"nav_sections": sections, "topbar_items": topbar_items()}


def language(request):
    """`<html lang dir>` and the header's switch: the active language, its direction, the choices."""
    code = translation.get_language() or settings.LANGUAGE_CODE
    return {
        "html_lang": code,
        "html_dir": "rtl" if language_is_bidi(code) else "ltr",
        "html_locale": script_locale(code),
        "site_languages": settings.LANGUAGES,
    }
