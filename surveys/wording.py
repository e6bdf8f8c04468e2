"""Wording of the three survey kinds in the supported languages, and the per-language fallback.

Built-in texts are gettext messages (English below, translations in locale/). An
admin's own wording is data on the survey, per language (`Survey.translations`):

    {"ar": {"question": "...", "follow_ups": {"q1": {"label": "...", "options": ["...", ...]}}}, ...}

Fallback is per language, never across languages: a text in language L is the survey's custom
text for L if written, else L's built-in text. A custom question written in the default language
therefore never shows on the Chinese page. Follow-up questions have no built-in wording: their
text in the survey's default language is `Survey.follow_ups`, and another language shows only
those it has a translation for (an untranslated question is left out rather than shown in a
language the contact did not ask for). `wording_status` tells the builder which languages are
complete.
"""

import functools
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from core.languages import language_is_bidi, supported_language

from .choices import LANGUAGES

TEXT_KEYS = (
    "question",
    "comment_label",
    "placeholder",
    "submit",
    "dismiss",
    "low_label",
    "high_label",
    "thanks_unhappy",
    "thanks_neutral",
    "thanks_happy",
)

# What the builder calls each text.
TEXT_LABELS = {
    "question": gettext_lazy("Question"),
    "comment_label": gettext_lazy("“Why?” prompt"),
    "placeholder": gettext_lazy("Comment placeholder"),
    "submit": gettext_lazy("Send button"),
    "dismiss": gettext_lazy("Close button"),
    "low_label": gettext_lazy("Low end label"),
    "high_label": gettext_lazy("High end label"),
    "thanks_unhappy": gettext_lazy("Thank-you: detractor / low"),
    "thanks_neutral": gettext_lazy("Thank-you: passive / neutral"),
    "thanks_happy": gettext_lazy("Thank-you: promoter / high"),
}

# The built-in wording, in English: these are msgids, their translations are in the gettext
# catalogues (locale/<lang>/LC_MESSAGES/django.po), looked up under the page's language.
_COMMON = {
    "comment_label": gettext_lazy("What is the main reason for your score?"),
    "placeholder": gettext_lazy("Tell us more (optional)"),
    "submit": pgettext_lazy("survey form button", "Send"),
    "dismiss": pgettext_lazy("survey form button", "Close"),
    "thanks_unhappy": gettext_lazy("Thank you. We are sorry we let you down; someone from our team will follow up."),
    "thanks_neutral": gettext_lazy("Thank you for your feedback. We will use it to improve."),
    "thanks_happy": gettext_lazy("Thank you! Would you recommend us with a short review?"),
}

_BY_KIND = {
    "nps": {
        "question": gettext_lazy("How likely are you to recommend us to a friend or colleague?"),
        "low_label": gettext_lazy("Not likely"),
        "high_label": gettext_lazy("Very likely"),
    },
    "csat": {
        "question": gettext_lazy("How satisfied are you with our product?"),
        "low_label": gettext_lazy("Very unsatisfied"),
        "high_label": gettext_lazy("Very satisfied"),
    },
    "ces": {
        "question": gettext_lazy("How easy was it to get done what you wanted today?"),
        "low_label": gettext_lazy("Very difficult"),
        "high_label": gettext_lazy("Very easy"),
    },
}


def site_language(code: str | None) -> str:
    """The site's language (settings.LANGUAGES) for a survey language code, for
    `translation.override()`: "zh" -> "zh-hans"; an unknown code -> settings.LANGUAGE_CODE."""
    return supported_language(code)


def default_texts(kind: str, language: str) -> dict:
    """The built-in wording of a survey kind in one of our languages (LANGUAGES), from the
    gettext catalogues; {} for a language we have no wording for."""
    if language not in LANGUAGES:
        return {}
    return dict(_built_in(kind, language))


@functools.cache
def _built_in(kind: str, language: str) -> tuple[tuple[str, str], ...]:
    # Every widget answer and e-mail reads these: looked up once per process (a dozen pairs),
    # as the catalogues themselves are loaded once (a recompiled catalogue needs a restart).
    with translation.override(site_language(language)):
        return tuple((key, str(text)) for key, text in {**_COMMON, **_BY_KIND.get(kind, {})}.items())


def survey_language(code: str | None) -> str:
    """Our code for a language tag, or "" when we have no wording for it: the exact code, its
    base language ("ar-EG" -> "ar", "fa_IR" -> "fa"), and Django's Chinese codes
    ("zh-hans", settings.LANGUAGES) or a region ("zh-CN") -> "zh"."""
    if not code:
        return ""
    code = str(code).strip().lower().replace("_", "-")
    if code in LANGUAGES:
        return code
    base = code.split("-")[0]
    return base if base in LANGUAGES else ""


def _custom(translations: dict | None, language: str) -> dict:
    value = (translations or {}).get(language)
    return value if isinstance(value, dict) else {}


def survey_texts(*, kind: str, default_language: str, translations: dict | None, language: str | None) -> dict:
    """Every text of TEXT_KEYS in one language, plus "language" and "dir". The requested language
    (if we speak it, else the survey's default language) with its custom texts over its built-in
    ones (a message missing from its catalogue shows in English)."""
    lang = survey_language(language) or survey_language(default_language) or "en"
    texts = default_texts(kind, lang)
    texts.update({k: v for k, v in _custom(translations, lang).items() if k in TEXT_KEYS and isinstance(v, str) and v})
    texts["language"] = lang
    texts["dir"] = "rtl" if language_is_bidi(lang) else "ltr"
    return texts


def follow_up_translation(translations: dict | None, language: str, question: dict) -> dict | None:
    """The translation of one follow-up question into `language`, if it fits the question (same
    number of options), else None."""
    entry = (_custom(translations, language).get("follow_ups") or {}).get(question["id"])
    if not isinstance(entry, dict) or not entry.get("label"):
        return None
    options = entry.get("options") or []
    if len(options) != len(question.get("options") or []):
        return None
    return {"label": entry["label"], "options": list(options)}


def survey_follow_ups(*, default_language: str, translations: dict | None, follow_ups: list | None, language: str):
    """The follow-up questions to show in `language`: each {"id", "type", "label", "options",
    "choices"}, where `options` are the stored values (default-language wording, what answers
    are validated and reported against) and `choices` the (value, label) pairs to show."""
    lang = survey_language(language) or survey_language(default_language) or "en"
    shown = []
    for question in follow_ups or []:
        options = list(question.get("options") or [])
        if lang == default_language:
            label, labels = question["label"], options
        else:
            translated = follow_up_translation(translations, lang, question)
            if translated is None:
                continue
            label, labels = translated["label"], translated["options"]
        shown.append(
            {**question, "label": label, "options": options, "choices": list(zip(options, labels, strict=True))}
        )
    return shown


@dataclass
class LanguageWording:
    code: str
    name: str
    is_default: bool
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing


def wording_status(*, default_language: str, translations: dict | None, follow_ups: list | None) -> list:
    """Per supported language: what the default language has custom wording for and this one
    lacks (it would show its built-in text instead, or leave a follow-up question out)."""
    default_custom = {k for k, v in _custom(translations, default_language).items() if k in TEXT_KEYS and v}
    result = []
    for code, name in LANGUAGES.items():
        status = LanguageWording(code=code, name=name, is_default=code == default_language)
        if not status.is_default:
            custom = _custom(translations, code)
            status.missing = [str(TEXT_LABELS[k]) for k in TEXT_KEYS if k in default_custom and not custom.get(k)]
            for question in follow_ups or []:
                if follow_up_translation(translations, code, question) is None:
                    status.missing.append(_("Follow-up “%(label)s”") % {"label": question["label"]})
        result.append(status)
    return result
