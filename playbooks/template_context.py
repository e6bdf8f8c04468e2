"""What an admin-written task or e-mail template can see, and the engine that renders it.

Task titles and bodies, e-mail subjects and bodies and Slack texts are written by admins and
rendered for every enrolled account. They used to receive whole model objects, so
`{{ csm.password }}` printed a password hash into a task or a customer's e-mail and any method
without `alters_data` could be called. Now:

- `template_context(...)` is the one place that builds what a template sees: plain values of
  the fields listed in `PLACEHOLDERS` (docs/playbooks.md shows the same list), wrapped in
  `TemplateFields`, which answers only its own keys: an unknown name, a model attribute or a
  method (`{{ account.delete }}`, `{{ account.keys }}`) renders as nothing.
- `render_text(source, context)` renders with an engine of its own: the everyday tags (`if`,
  `for`, `with`, `firstof`, `now`, ...) and every built-in filter, but no `load`, `include`,
  `extends`, `debug`, `csrf_token` or `url` (they would reach files, settings or the request),
  no template loaders, and no HTML escaping (the output is plain text).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache

from django.template import (
    Context,
    Engine,
    Library,
    Template,
    TemplateDoesNotExist,
    TemplateSyntaxError,
    defaultfilters,
    defaulttags,
)
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.languages import supported_language

__all__ = [
    "PLACEHOLDERS",
    "TemplateFields",
    "render_text",
    "render_text_in",
    "template_compile",
    "template_context",
]

logger = logging.getLogger(__name__)

# Section: the placeholders

PLACEHOLDERS: dict[str, object] = {
    "account.name": _("the account's name"),
    "account.external_id": _("its id in your systems"),
    "account.domain": _("its web domain"),
    "account.industry": _("its industry"),
    "account.tier": _("its tier (e.g. Key)"),
    "account.segment": _("its segment"),
    "account.stage": _("its lifecycle stage (e.g. Onboarding)"),
    "account.mrr": _("monthly recurring revenue"),
    "account.arr": _("annual recurring revenue"),
    "account.currency": _("its currency code"),
    "account.health": _("health score, 0–100"),
    "account.health_band": _("health band (Red, Yellow, Green)"),
    "account.renewal_date": _("next renewal date"),
    "account.days_to_renewal": _("days until the renewal"),
    "account.owner.name / .first_name / .email": _("the account's owner"),
    "csm.name / .first_name / .last_name / .email": _("the account's CSM (its owner)"),
    "contact.name / .first_name / .email / .title": _("the contact an e-mail goes to (e-mails only)"),
    "playbook.name": _("the playbook"),
    "reason": _("why the account was enrolled, e.g. “health fell from 72 to 41”"),
    "signal.<key>": _("the trigger's figures, e.g. signal.score"),
}


class TemplateFields:
    """Read-only named values for a template: `{{ account.name }}` reads key "name"; anything
    else (a missing key, an attribute, a method) is not there and renders empty."""

    __slots__ = ("_values",)

    def __init__(self, values: dict):
        self._values = {k: _plain(v) for k, v in values.items()}

    def __getitem__(self, key):
        return self._values[key]

    def __iter__(self) -> Iterator:
        return iter(())

    def __bool__(self) -> bool:
        return any(v not in (None, "") for v in self._values.values())

    def __str__(self) -> str:
        if "name" in self._values:
            return str(self._values["name"] or "")
        return ", ".join(f"{k}: {v}" for k, v in self._values.items())


def _plain(value):
    if isinstance(value, TemplateFields) or value is None:
        return value
    if isinstance(value, str | int | float | bool | Decimal):
        return value
    if isinstance(value, dict):
        return TemplateFields({str(k): v for k, v in value.items()})
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):  # date, datetime
        return value
    return str(value)


def _user(user) -> TemplateFields:
    if user is None:
        return TemplateFields({"name": "", "first_name": "", "last_name": "", "email": ""})
    return TemplateFields(
        {
            "name": user.get_full_name() or user.get_username(),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
        }
    )


def _account(account) -> TemplateFields:
    owner = _user(account.owner) if account.owner_id else _user(None)
    return TemplateFields(
        {
            "name": account.name,
            "external_id": account.external_id,
            "domain": account.domain,
            "industry": account.industry,
            "tier": account.get_tier_display(),
            "segment": account.segment,
            "stage": account.get_lifecycle_stage_display(),
            "mrr": account.mrr,
            "arr": account.arr,
            "currency": account.currency,
            "health": account.health_score,
            "health_band": account.get_health_band_display() if account.health_band else "",
            "renewal_date": account.renewal_date,
            "days_to_renewal": account.days_to_renewal,
            "owner": owner,
        }
    )


def _contact(contact) -> TemplateFields:
    name = (contact.name or "").strip()
    return TemplateFields(
        {
            "name": name,
            "first_name": name.split()[0] if name else "",
            "email": contact.email,
            "title": contact.title,
            "language": contact.language,
        }
    )


def template_context(*, playbook, account, reason: str = "", signal: dict | None = None, contact=None) -> dict:
    """What a task / e-mail / Slack template sees for one account (and one contact for e-mails):
    plain values only, listed in PLACEHOLDERS."""
    account_fields = _account(account)
    context = {
        "account": account_fields,
        "csm": account_fields["owner"],
        "playbook": TemplateFields({"name": playbook.name}),
        "reason": reason or "",
        "signal": TemplateFields(signal or {}),
    }
    if contact is not None:
        context["contact"] = _contact(contact)
    return context


# Section: the engine

SAFE_TAGS = (
    "autoescape",
    "comment",
    "cycle",
    "filter",
    "firstof",
    "for",
    "if",
    "ifchanged",
    "now",
    "regroup",
    "resetcycle",
    "spaceless",
    "templatetag",
    "verbatim",
    "widthratio",
    "with",
)

register = Library()  # the engine's only built-in library (see _Engine)
register.filters.update(defaultfilters.register.filters)
register.tags.update({name: defaulttags.register.tags[name] for name in SAFE_TAGS})


class _Engine(Engine):
    default_builtins: list[str] = []  # not Django's three libraries: only `register` above


@lru_cache(maxsize=1)
def _engine() -> Engine:
    return _Engine(loaders=[], libraries={}, builtins=["playbooks.template_context"], autoescape=False)


@lru_cache(maxsize=256)
def template_compile(source: str) -> Template:
    """Compile with the restricted engine; raises TemplateSyntaxError (e.g. for `{% load %}`)."""
    return _engine().from_string(source or "")


def render_text_in(obj, field_name: str, language: str | None, context: dict) -> str:
    """`obj`'s text `field_name` (core.content_translations) in `language`, else the default
    language's, rendered under that language (filters such as `date` follow it)."""
    with translation.override(supported_language(language)):
        return render_text(obj.text(field_name, language), context)


def render_text(source: str, context: dict) -> str:
    """Render a template string as plain text. A broken template renders as its source, so a
    typo in a template never stops a playbook. Compiled once per text."""
    try:
        return template_compile(source).render(Context(context, autoescape=False)).strip()
    except (TemplateSyntaxError, TemplateDoesNotExist):
        logger.warning("bad template: %r", source[:80])
        return source
