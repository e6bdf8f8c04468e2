"""Why a task exists, said in each reader's language.

A trigger's reason is stored twice over: `reason` holds the English sentence (search, the API,
exports, webhooks and the `{{ reason }}` of admins' templates read it, as before) and
`reason_data` holds what it takes to say it again in any language: the English message (marked
with `gettext_noop`, so it is in the catalogues) and its values, typed so each is formatted for
the reader (numbers and dates through `core.formats`, words the catalogue translates through
gettext, names as they are):

    say(gettext_noop("health fell from %(then)s to %(now)s in %(days)s days"),
           then=number(72), now=number(41), days=number(7))

A trigger passes the `Reason` as its match's reason (`Match(reason=say(...))`); pages show
`reason_text(reason, reason_data)` (`{{ task|reason }}`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.dates import format_skeleton
from django.utils.translation import get_language, gettext, ngettext, override, pgettext

from core.choices import Calendar
from core.formats import babel_locale, format_date, format_number, localize_digits
from core.i18n import display_prefs

__all__ = ["Reason", "day", "label", "money", "number", "say", "say_plural", "reason_text"]

# The English strftime patterns the triggers use, and the CLDR skeleton that says the same in
# other languages in their own order ("6 يناير 2027", "2027年1月6日").
DATE_PATTERNS = {"%d %b": "MMMd", "%d %b %Y": "yMMMd", "%d %B": "MMMMd"}


@dataclass(frozen=True)
class Reason:
    text: str  # English
    data: dict  # {"msgid": ..., "params": {name: typed value}}


def number(value) -> dict:
    return {"n": int(value)}


def money(value) -> dict:
    return {"m": str(Decimal(value or 0))}


def day(value: dt.date, pattern: str = "%d %b") -> dict:
    """A day (a moment counts as its UTC day, as the triggers' sentences always took it)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if pattern not in DATE_PATTERNS:
        raise ValueError(f"unknown date pattern {pattern!r}: add it to DATE_PATTERNS")
    return {"d": value.isoformat(), "p": pattern}


def label(value, *, lower: bool = False) -> dict:
    """A word the catalogue translates: a choice's label (lazy) or a `gettext_noop` msgid;
    `lower` when the English sentence writes it in lower case ("entered segment ...")."""
    args = getattr(value, "_args", ())  # a lazy translation's own arguments: (msgid,) or (context, msgid)
    context = args[0] if len(args) == 2 else None
    with override("en"):
        msgid = str(value)
    data = {"l": msgid} | ({"c": context} if context else {})
    return data | ({"e": msgid.lower()} if lower and msgid.lower() != msgid else {})


def _english(value) -> str:
    if not isinstance(value, dict):
        return str(value)
    if "n" in value:
        return f"{value['n']:,}"
    if "m" in value:
        return f"{Decimal(value['m']):,.0f}"
    if "d" in value:
        return dt.date.fromisoformat(value["d"]).strftime(value["p"])
    if "l" in value:
        return value.get("e", value["l"])
    raise ValueError(f"unknown reason value {value!r}")


def _local_day(value: dt.date, pattern: str) -> str:
    if display_prefs().calendar == Calendar.SOLAR_HIJRI and (get_language() or "").startswith("fa"):
        return format_date(value, "medium")  # the reader's Solar Hijri calendar
    return localize_digits(format_skeleton(DATE_PATTERNS[pattern], value, locale=babel_locale()))


def _local(value) -> str:
    if not isinstance(value, dict):
        return str(value)
    if "n" in value:
        return format_number(value["n"])
    if "m" in value:
        return format_number(Decimal(value["m"]), 0)
    if "d" in value:
        return _local_day(dt.date.fromisoformat(value["d"]), value["p"])
    if "l" in value:
        return pgettext(value["c"], value["l"]) if "c" in value else gettext(value["l"])
    raise ValueError(f"unknown reason value {value!r}")


def say(msgid: str, **params) -> Reason:
    """The English sentence and its data. Plain strings (names, plans, quotes) stay as written."""
    return Reason(msgid % {k: _english(v) for k, v in params.items()}, {"msgid": msgid, "params": params})


def say_plural(message, **params) -> Reason:
    """As `say`, for a message with plural forms, given as `ngettext_lazy(singular, plural,
    "<the count's param name>")` (so `makemessages` extracts both forms); each language's plural
    rules choose the form when it is shown."""
    _unpickle, (_func, _cls, count, forms) = message.__reduce__()
    singular, plural = forms["singular"], forms["plural"]
    n = params[count]["n"]
    text = (singular if n == 1 else plural) % {k: _english(v) for k, v in params.items()}
    return Reason(text, {"msgid": singular, "plural": plural, "count": count, "params": params})


def reason_text(text: str, data: dict | None) -> str:
    """The reason in the active language; the stored English when there is no data (a task made
    by hand, or before reasons had data) or the data no longer reads."""
    if not data or (get_language() or "en").startswith("en"):
        return text
    try:
        params = data.get("params", {})
        if "plural" in data:
            message = ngettext(data["msgid"], data["plural"], params[data["count"]]["n"])
        else:
            message = gettext(data["msgid"])
        return message % {k: _local(v) for k, v in params.items()}
    except (KeyError, TypeError, ValueError, InvalidOperation):
        return text
