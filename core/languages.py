"""Facts about languages, from Django's own tables rather than hand-kept sets."""

from django.conf import settings
from django.utils.translation import get_language_info, get_supported_language_variant


def language_is_bidi(code: str | None) -> bool:
    """True for a right-to-left language (Arabic, Persian, Hebrew, Urdu ...): Django's
    `get_language_info(code)["bidi"]`; an unknown or empty code is left to right."""
    if not code:
        return False
    try:
        return bool(get_language_info(code)["bidi"])
    except KeyError:
        return False


def supported_language(*candidates: str | None, default: str | None = None) -> str:
    """The first candidate the site speaks, as its code in settings.LANGUAGES: the exact code or
    its variant by Django's rules ("ar-EG" -> "ar", "fa_IR" -> "fa", "zh", "zh-CN" -> "zh-hans");
    else `default` (settings.LANGUAGE_CODE). For `translation.override()` of a customer's page."""
    for candidate in candidates:
        if not candidate:
            continue
        try:
            return get_supported_language_variant(str(candidate).strip().lower().replace("_", "-"))
        except LookupError:
            continue
    return default or settings.LANGUAGE_CODE
