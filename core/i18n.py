"""Whose language, time zone, digits and calendar a piece of output is written in (docs/i18n.md).

Two places decide it:

- a staff page: `core.middleware.UserLanguageMiddleware` calls `activate_for_user()` with the
  signed-in user (their profile's language wins over the cookie and the browser's
  Accept-Language, which Django's LocaleMiddleware already chose between);
- anything sent to a team member outside their request (password reset, invitations,
  notification e-mails, the daily digest): `with recipient_language(user):` around the rendering.

Digits, calendar and time zone are display choices only (`core.formats` reads them): stored
numbers and dates never change, and Django's active time zone stays UTC ("days are UTC",
DESIGN.md), so `timezone.localdate()` and the `|date` filter mean what they always meant; only
`fmt_date` / `fmt_datetime` show a moment in the reader's zone. The choices live in a context
variable, set per request or per `with` block, so a template filter can read them without the
request.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

from .choices import Calendar, Digits
from .languages import supported_language

__all__ = [
    "DisplayPrefs",
    "activate_for_user",
    "display_override",
    "display_prefs",
    "display_reset",
    "prefs_for",
    "recipient_language",
    "user_language",
    "user_timezone",
]

# Languages written with their own digits, and those whose users may choose the Solar Hijri calendar.
NATIVE_DIGIT_LANGUAGES = frozenset({"ar", "fa"})
SOLAR_HIJRI_LANGUAGES = frozenset({"fa"})


@dataclass(frozen=True)
class DisplayPrefs:
    """How numbers and dates are shown: `digits` (Digits), `calendar` (Calendar) and `zone` (an IANA
    time zone for moments; empty: Django's current time zone)."""

    digits: str = Digits.WESTERN
    calendar: str = Calendar.GREGORIAN
    zone: str = ""


_DEFAULT = DisplayPrefs()
_prefs: ContextVar[DisplayPrefs] = ContextVar("pulse_display_prefs", default=_DEFAULT)


def display_prefs() -> DisplayPrefs:
    """The digits and calendar of whoever the current output is for (Western, Gregorian by default)."""
    return _prefs.get()


@contextmanager
def display_override(prefs: DisplayPrefs) -> Iterator[DisplayPrefs]:
    token = _prefs.set(prefs)
    try:
        yield prefs
    finally:
        _prefs.reset(token)


def user_language(user) -> str | None:
    """The user's chosen language as a code of settings.LANGUAGES, or None when they chose none
    (or a code the site does not speak)."""
    code = getattr(user, "language", "") or ""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code.strip().lower().replace("_", "-"))
    except LookupError:
        return None


def user_timezone(user) -> zoneinfo.ZoneInfo | None:
    name = getattr(user, "timezone", "") or ""
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def prefs_for(user, language: str | None = None) -> DisplayPrefs:
    """The user's digits and calendar, as far as the language in use has them: Arabic-Indic digits
    only in Arabic and Persian, the Solar Hijri calendar only in Persian."""
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).lower()
    base = language.split("-")[0]
    digits = getattr(user, "digits", Digits.WESTERN) if base in NATIVE_DIGIT_LANGUAGES else Digits.WESTERN
    calendar = getattr(user, "calendar", Calendar.GREGORIAN) if base in SOLAR_HIJRI_LANGUAGES else Calendar.GREGORIAN
    zone = user_timezone(user)
    return DisplayPrefs(
        digits=digits or Digits.WESTERN, calendar=calendar or Calendar.GREGORIAN, zone=zone.key if zone else ""
    )


def activate_for_user(user) -> str:
    """For a request: the signed-in user's language (if they chose one) and display choices (time
    zone, digits, calendar); an anonymous request gets the defaults. Returns the active language.
    Set at the start of every request, so nothing leaks from the previous one."""
    if user is not None and getattr(user, "is_authenticated", False):
        language = user_language(user)
        if language:
            translation.activate(language)
        _prefs.set(prefs_for(user))
    else:
        _prefs.set(_DEFAULT)
    return translation.get_language()


def display_reset() -> None:
    """Back to the default display (the end of a request: nothing leaks to the thread's next work)."""
    _prefs.set(_DEFAULT)


@contextmanager
def recipient_language(user, *, default: str | None = None) -> Iterator[str]:
    """Render something for `user` (an e-mail, a notification) in their language and display
    choices (time zone, digits, calendar); without a language of their own, `default` or
    settings.LANGUAGE_CODE. Yields the language code (for `<html lang>` and `dir` in the e-mail)."""
    language = user_language(user) or supported_language(default)
    with translation.override(language), display_override(prefs_for(user, language)):
        yield language
