"""Writes for task and email templates (their placeholders are checked before saving)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import EmailTemplate, TaskTemplate

__all__ = [
    "email_template_save",
    "email_template_translations_set",
    "task_template_save",
]


def _save_template(model, obj, fields: dict):
    obj = obj or model()
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


def task_template_save(*, template: TaskTemplate | None = None, **fields) -> TaskTemplate:
    for name in ("title", "body"):
        if name in fields:
            _check_template_syntax(name, fields[name])
    return _save_template(TaskTemplate, template, fields)


def email_template_save(*, template: EmailTemplate | None = None, **fields) -> EmailTemplate:
    """Create or change an e-mail template; `translations` ({language: {"subject", "body"}}), when
    given, replaces the texts in other languages, each checked as the default ones are."""
    from core.content_translations import translations_clean

    for name in ("subject", "body"):
        if name in fields:
            _check_template_syntax(name, fields[name])
    if "translations" in fields:
        fields["translations"] = translations_clean(
            fields["translations"], fields=EmailTemplate.TRANSLATED_FIELDS, max_lengths={"subject": 255}
        )
        for language, texts in fields["translations"].items():
            for name, source in texts.items():
                try:
                    _check_template_syntax(name, source)
                except ValidationError as exc:
                    raise ValidationError({"translations": f"{language}.{name}: {exc.messages[0]}"}) from exc
    return _save_template(EmailTemplate, template, fields)


def _check_template_syntax(field: str, source: str) -> None:
    """Compile with the engine that renders it (playbooks.template_context): unknown tags such
    as `{% load %}` or `{% include %}` are refused here, where the admin typed them."""
    import re

    from django.template import TemplateSyntaxError

    from ..template_context import SAFE_TAGS, template_compile

    try:
        template_compile(source or "")
    except TemplateSyntaxError as exc:
        tag = re.search(r"Invalid block tag on line (\d+): '(\w+)'", str(exc))
        if tag and tag.group(2) not in SAFE_TAGS and not tag.group(2).startswith("end"):
            message = _(
                "template error: {%% %(tag)s %%} (line %(line)s) cannot be used in these templates; "
                "the tags that can are %(tags)s."
            ) % {"tag": tag.group(2), "line": tag.group(1), "tags": ", ".join(SAFE_TAGS)}
        else:
            message = _("template error: %(error)s") % {"error": exc}
        raise ValidationError({field: message}) from exc


def email_template_translations_set(
    *, template: EmailTemplate, language: str, subject: str, body: str
) -> EmailTemplate:
    """Write the template's subject and body in `language` (an empty one shows the default
    language's); each is checked by the engine that renders it, as the default texts are."""
    from core.content_translations import translations_merge

    for name, source in (("subject", subject), ("body", body)):
        if source:
            _check_template_syntax(name, source)
    template.translations = translations_merge(
        template.translations,
        language=language,
        values={"subject": subject, "body": body},
        fields=EmailTemplate.TRANSLATED_FIELDS,
        max_lengths=template.max_lengths(),
    )
    template.save(update_fields=["translations", "updated_at"])
    return template
