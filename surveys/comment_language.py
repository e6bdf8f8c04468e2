"""The language of a comment, told by its script: enough to keep each language's own offset out
of the theme vectors (surveys.themes) and to label a theme in its members' language.

Arabic and Persian share a script; Persian is told by the letters Arabic does not use (پ چ ژ گ,
and its own kāf and yā ک ی). Han characters without kana are Chinese. Every Latin-script
comment is "latin": the model places English, French or Spanish alike, and no word list here
is needed to tell them apart.
"""

import unicodedata

from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

__all__ = ["comment_language", "language_label"]

SCRIPT_LABELS = {"latin": _("Latin script"), "cyrillic": _("Cyrillic script"), "other": _("Other")}
LANGUAGE_CODES = {"zh": "zh-hans"}

PERSIAN_LETTERS = frozenset("پچژگکی")


def comment_language(text: str) -> str:
    """ "ar", "fa", "zh", "ja", "ko", "cyrillic", "latin", or "other" (no letters)."""
    counts: dict[str, int] = {}
    persian = False
    for char in text:
        if not char.isalpha():
            continue
        code = ord(char)
        if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0xFB50 <= code <= 0xFEFF:
            script = "arabic"
            persian = persian or char in PERSIAN_LETTERS
        elif 0x3040 <= code <= 0x30FF:
            script = "ja"
        elif 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF:
            script = "ko"
        elif 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF:
            script = "han"
        elif 0x0400 <= code <= 0x04FF:
            script = "cyrillic"
        elif "LATIN" in unicodedata.name(char, ""):
            script = "latin"
        else:
            script = "other"
        counts[script] = counts.get(script, 0) + 1
    if not counts:
        return "other"
    if counts.get("ja"):  # Japanese mixes kana with Han characters
        return "ja"
    script = max(counts, key=lambda s: counts[s])
    if script == "arabic":
        return "fa" if persian else "ar"
    if script == "han":
        return "zh"
    return script


def language_label(code: str) -> str:
    """What a person reads for a code of `comment_language`: the language's own name
    ("العربية", "فارسی", "中文"), or the script's name in the reader's language."""
    if code in SCRIPT_LABELS:
        return str(SCRIPT_LABELS[code])
    try:
        return get_language_info(LANGUAGE_CODES.get(code, code))["name_local"]
    except KeyError:
        return code
