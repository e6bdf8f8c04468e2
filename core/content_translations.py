"""Content that admins write and customers read, per language, with a fallback to the default
language: success-map stages, milestones and vehicles, checklist items (onboarding) and playbook
e-mail templates (playbooks). Value-report headings (reports) and survey wording (surveys) keep
their own built-in texts per language, so they fall back within a language instead.

The shape is the one survey wording uses (`Survey.translations`): the model's own fields hold the
text in the default language (settings.LANGUAGE_CODE), and a JSON column `translations` holds the
others, one object per language code of settings.LANGUAGES:

    {"ar": {"name": "...", "description": "..."}, "zh-hans": {"name": "..."}}

A text in language L is L's translation of that field when written, else the default-language
text (a stage name is never left out: the customer reads it in the default language rather than
not at all). Models take `TranslatedContent`, name their `TRANSLATED_FIELDS`, and call
`obj.text("name", language)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .languages import supported_language

__all__ = [
    "TranslatedContent",
    "TranslationStatus",
    "content_language",
    "content_languages",
    "translated_text",
    "translation_status",
    "translations_clean",
    "translations_merge",
]


def content_languages() -> dict[str, str]:
    """{code: name} of the languages content may be written in (settings.LANGUAGES), default first."""
    languages = dict(settings.LANGUAGES)
    default = settings.LANGUAGE_CODE
    return {default: languages.get(default, default), **{c: n for c, n in languages.items() if c != default}}


def content_language(code: str | None) -> str:
    """Our code for a language tag ("ar-EG" -> "ar", "zh" -> "zh-hans"); the default for anything else."""
    return supported_language(code)


def translated_text(translations: dict | None, field_name: str, language: str | None, default: str) -> str:
    """`field_name` in `language` from a `translations` object, else `default` (the default-language text)."""
    lang = content_language(language)
    if lang == settings.LANGUAGE_CODE:
        return default
    entry = (translations or {}).get(lang)
    value = entry.get(field_name) if isinstance(entry, dict) else None
    return value if isinstance(value, str) and value.strip() else default


def translations_merge(
    current: dict | None, *, language: str, values: dict, fields: tuple[str, ...], max_lengths: dict | None = None
) -> dict:
    """`current` with `language`'s texts replaced by `values` ({field: text}); an empty text removes that
    field's translation (the default shows again). Raises ValidationError naming the field for an unknown
    language or field, a text that is not a string, or one longer than its column."""
    if language == settings.LANGUAGE_CODE or language not in dict(settings.LANGUAGES):
        raise ValidationError(
            {
                "language": _("“%(code)s” is not a language to translate into; use one of %(codes)s.")
                % {"code": language, "codes": ", ".join(c for c in content_languages() if c != settings.LANGUAGE_CODE)}
            }
        )
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ValidationError({"translations": _("Unknown fields: %(names)s") % {"names": ", ".join(unknown)}})
    entry = dict((current or {}).get(language) or {})
    for name, text in values.items():
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise ValidationError({name: _("Write the translation as text.")})
        text = text.strip()
        limit = (max_lengths or {}).get(name)
        if limit and len(text) > limit:
            message = _("At most %(limit)s characters (this one has %(count)s).")
            raise ValidationError({name: message % {"limit": limit, "count": len(text)}})
        if text:
            entry[name] = text
        else:
            entry.pop(name, None)
    merged = {code: dict(texts) for code, texts in (current or {}).items() if code != language}
    if entry:
        merged[language] = entry
    return merged


def translations_clean(value, *, fields: tuple[str, ...], max_lengths: dict | None = None) -> dict:
    """A whole `translations` object from the API, checked: {language: {field: text}}."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise ValidationError({"translations": _("Give an object of languages, each an object of texts.")})
    result: dict = {}
    for language, texts in value.items():
        if not isinstance(texts, dict):
            raise ValidationError({"translations": _("“%(code)s” must be an object of texts.") % {"code": language}})
        result = translations_merge(result, language=language, values=texts, fields=fields, max_lengths=max_lengths)
    return result


@dataclass
class TranslationStatus:
    """One language in the editor's language tabs: which texts are not yet written in it."""

    code: str
    name: str
    is_default: bool
    missing: int = 0
    total: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.missing


def translation_status(objects, *, current: str | None = None) -> list[TranslationStatus]:
    """Per content language: how many of `objects`' non-empty default texts lack a translation."""
    objects = list(objects)
    result = []
    for code, name in content_languages().items():
        status = TranslationStatus(code=code, name=name, is_default=code == settings.LANGUAGE_CODE)
        for obj in objects:
            for name_ in obj.TRANSLATED_FIELDS:
                if not getattr(obj, name_):
                    continue
                status.total += 1
                if not status.is_default and not ((obj.translations or {}).get(code) or {}).get(name_):
                    status.missing += 1
        status.extra["current"] = code == current
        result.append(status)
    return result


class TranslatedContent(models.Model):
    """Abstract: texts written in the default language in the model's own fields, the others in
    `translations` (see the module docstring)."""

    TRANSLATED_FIELDS: tuple[str, ...] = ()

    translations = models.JSONField(
        default=dict,
        blank=True,
        help_text=gettext_lazy("Texts in other languages: {language: {field: text}}; a missing one shows the default."),
    )

    class Meta:
        abstract = True

    def text(self, field_name: str, language: str | None) -> str:
        """`field_name` in `language`, else in the default language."""
        return translated_text(self.translations, field_name, language, getattr(self, field_name))

    def max_lengths(self) -> dict:
        return {name: self._meta.get_field(name).max_length for name in self.TRANSLATED_FIELDS}
