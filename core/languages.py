"""Facts about languages, from Django's own tables rather than hand-kept sets."""

from django.utils.translation import get_language_info


def language_is_bidi(code: str | None) -> bool:
    """True for a right-to-left language (Arabic, Persian, Hebrew, Urdu ...): Django's
    `get_language_info(code)["bidi"]`; an unknown or empty code is left to right."""
    if not code:
        return False
    try:
        return bool(get_language_info(code)["bidi"])
    except KeyError:
        return False
