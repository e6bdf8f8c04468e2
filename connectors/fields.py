"""Our side of a field mapping: the fields of each target a remote field may fill (pull) or
be filled from (push), their types, and the conversion of a vendor's value into ours.

Custom fields are "custom:<key>" (accounts.custom_fields; validated by its one validator).
Computed fields (health score, band, churn risk, last NPS) are push-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Tier
from accounts.custom_fields.definitions import custom_field_definitions

__all__ = ["CUSTOM_PREFIX", "TARGET_LABELS", "LocalField", "field_convert", "local_fields"]

CUSTOM_PREFIX = "custom:"


@dataclass(frozen=True)
class LocalField:
    name: str
    label: str | Promise
    kind: str = "text"  # text, email, domain, choice, decimal, date, kind, stage, custom, computed
    max_length: int = 255
    choices: tuple[str, ...] = ()
    pull: bool = True
    push: bool = True


_ACCOUNT = [
    LocalField("name", gettext_lazy("Name")),
    LocalField("domain", gettext_lazy("Domain"), kind="domain"),
    LocalField("industry", gettext_lazy("Industry"), max_length=120),
    LocalField("tier", gettext_lazy("Tier"), kind="choice", choices=tuple(Tier.values)),
    LocalField("segment", gettext_lazy("Segment"), max_length=64),
    LocalField("currency", gettext_lazy("Currency"), max_length=3),
    LocalField("health_score", gettext_lazy("Health score"), kind="computed", pull=False),
    LocalField("health_band", gettext_lazy("Health band"), kind="computed", pull=False),
    LocalField("churn_risk", gettext_lazy("Churn risk (60 days)"), kind="computed", pull=False),
    LocalField("last_nps", gettext_lazy("Last NPS answer"), kind="computed", pull=False),
]
_CONTACT = [
    LocalField("name", gettext_lazy("Name")),
    LocalField("email", gettext_lazy("E-mail"), kind="email", max_length=254),
    LocalField("title", gettext_lazy("Title")),
    LocalField("language", gettext_lazy("Language"), max_length=16),
    LocalField("timezone", gettext_lazy("Time zone"), max_length=64),
]
_OPPORTUNITY = [
    LocalField("amount", gettext_lazy("Amount (ARR)"), kind="decimal"),
    LocalField("currency", gettext_lazy("Currency"), max_length=3),
    LocalField("close_date", gettext_lazy("Close date"), kind="date"),
    LocalField("stage", gettext_lazy("Stage"), kind="stage"),
    LocalField("kind", gettext_lazy("Type (renewal / expansion)"), kind="kind"),
    LocalField("next_step", gettext_lazy("Next step")),
]
_OWNER = [LocalField("email", gettext_lazy("E-mail"), kind="email", max_length=254, push=False)]
TARGET_LABELS = {
    "account": gettext_lazy("Accounts"),
    "contact": gettext_lazy("Contacts"),
    "opportunity": gettext_lazy("Opportunities"),
    "owner": gettext_lazy("Links to our users (by e-mail)"),
    "ticket": gettext_lazy("Tickets"),
}
_BUILT_IN = {"account": _ACCOUNT, "contact": _CONTACT, "opportunity": _OPPORTUNITY, "owner": _OWNER}


def local_fields(target: str) -> dict[str, LocalField]:
    """Our fields of a target by name, custom fields included."""
    fields = {f.name: f for f in _BUILT_IN.get(target, [])}
    if target in ("account", "contact"):
        for definition in custom_field_definitions(entity=target):
            name = CUSTOM_PREFIX + definition.key
            fields[name] = LocalField(name, definition.labels.get("en") or definition.key, kind="custom")
    return fields


def _text(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


def field_convert(field: LocalField, value):
    """A vendor's value as ours; ValueError with a reason people read when it cannot be."""
    if field.kind == "domain":  # a website as a domain: "https://www.Acme.com/about" → "acme.com"
        text = _text(value).lower()
        host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
        return host.removeprefix("www.")[: field.max_length]
    if field.kind in ("text", "email", "choice", "kind", "stage"):
        text = _text(value)[: field.max_length]
        if field.kind == "email" and text:
            try:
                validate_email(text)
            except ValidationError:
                raise ValueError(_("%(value)r is not an e-mail address") % {"value": text}) from None
            return text.lower()
        if field.kind == "choice" and text:
            lowered = text.lower().replace("-", "_").replace(" ", "_")
            if lowered not in field.choices:
                raise ValueError(
                    _("%(value)r is not one of: %(choices)s") % {"value": text, "choices": ", ".join(field.choices)}
                )
            return lowered
        if field.kind == "kind":
            lowered = text.lower()
            if not lowered:
                return None
            if "renew" in lowered or "existing" in lowered:
                return "renewal"
            if any(word in lowered for word in ("expan", "upsell", "upgrade", "new")):
                return "expansion"
            if "down" in lowered:
                return "downsell"
            return "renewal"
        return text
    if field.kind == "decimal":
        if value in (None, ""):
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(_("%(value)r is not a number") % {"value": value}) from None
        if not number.is_finite():
            raise ValueError(_("%(value)r is not a number") % {"value": value})
        return number.quantize(Decimal("0.01"))
    if field.kind == "date":
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value)
        parsed = parse_date(text[:10]) if len(text) >= 10 else None
        if parsed is None and text.isdigit():  # epoch milliseconds (HubSpot date properties)
            parsed = datetime.fromtimestamp(int(text) / 1000, tz=UTC).date()
        if parsed is None:
            parsed_dt = parse_datetime(text)
            parsed = parsed_dt.date() if parsed_dt else None
        if parsed is None:
            raise ValueError(_("%(value)r is not a date") % {"value": value})
        return parsed
    return value  # custom: the custom-field validator checks it
