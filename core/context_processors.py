from functools import partial

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from .formats import script_locale
from .languages import language_is_bidi
from .navigation import NAV_BADGES, SECTIONS, menu_items, topbar_items


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
    for item in menu_items():
        if not user.has_role(item.role):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        badge_fn = NAV_BADGES.get(item.url_name)
        entry = {
            "label": item.label,
            "url": url,
            "icon": item.icon,
            "active": False,
            "badge": SimpleLazyObject(partial(badge_fn, request)) if badge_fn else None,
        }
        entries.append(entry)
        sections.setdefault(str(SECTIONS[item.section]), []).append(entry)
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
