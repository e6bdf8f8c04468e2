"""Writes of value reports (QBR / EBR): create and edit a report (period, title, the customer's
outcomes), its headings per language, and the customer's links (core.signed_links: signed,
revocable, expiring, like shared success plans). Read-only users change nothing."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account
from core.choices import Role
from core.signed_links import signed_link_revoke, signed_link_token, signed_link_viewed

from .models import VALUE_SECTIONS, ValueReport, ValueReportLink

__all__ = [
    "VALUE_LINK_SALT",
    "value_report_create",
    "value_report_headings_set",
    "value_report_link_create",
    "value_report_link_revoke",
    "value_report_link_token",
    "value_report_link_viewed",
    "value_report_update",
]

VALUE_LINK_SALT = "reports.value-report-share"
MAX_PERIOD_DAYS = 3 * 366
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def _require_worker(user) -> None:
    if not (user is not None and user.is_authenticated and user.is_active and user.has_role(Role.CSM)):
        raise PermissionDenied(_("Read-only users cannot change value reports."))


def _check(*, title: str, start: date | None, end: date | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors["title"] = _("Give the report a title.")
    elif len(title) > 200:
        errors["title"] = _("At most 200 characters.")
    if start is None:
        errors["start"] = _("Choose the first day.")
    if end is None:
        errors["end"] = _("Choose the day after the last.")
    if start and end:
        if end <= start:
            errors["end"] = _("The end must be after the start.")
        elif (end - start).days > MAX_PERIOD_DAYS:
            errors["end"] = _("A report covers at most three years.")
    return errors


@transaction.atomic
def value_report_create(*, user, account: Account, title: str, start: date, end: date) -> ValueReport:
    _require_worker(user)
    errors = _check(title=title, start=start, end=end)
    if errors:
        raise ValidationError(errors)
    return ValueReport.objects.create(account=account, title=title.strip(), start=start, end=end, created_by=user)


@transaction.atomic
def value_report_update(
    *, user, report: ValueReport, title: str, start: date, end: date, outcomes: str = ""
) -> ValueReport:
    _require_worker(user)
    errors = _check(title=title, start=start, end=end)
    if len(outcomes or "") > 20000:
        errors["outcomes"] = _("At most 20,000 characters.")
    if errors:
        raise ValidationError(errors)
    report.title, report.start, report.end, report.outcomes = title.strip(), start, end, (outcomes or "").strip()
    report.save(update_fields=["title", "start", "end", "outcomes", "updated_at"])
    return report


@transaction.atomic
def value_report_headings_set(*, user, report: ValueReport, language: str, headings: dict[str, str]) -> ValueReport:
    """Write the section headings for one language; an empty one falls back to the default."""
    _require_worker(user)
    if language not in LANGUAGES:
        raise ValidationError({"language": _("Choose one of the site's languages.")})
    unknown = set(headings) - set(VALUE_SECTIONS)
    if unknown:
        raise ValidationError({"headings": _("Unknown sections: %(names)s") % {"names": ", ".join(sorted(unknown))}})
    too_long = [key for key, text in headings.items() if len(text or "") > 120]
    if too_long:
        raise ValidationError({too_long[0]: _("At most 120 characters.")})
    current = dict(report.headings or {})
    clean = {key: text.strip() for key, text in headings.items() if (text or "").strip()}
    if clean:
        current[language] = clean
    else:
        current.pop(language, None)
    report.headings = current
    report.save(update_fields=["headings", "updated_at"])
    return report


@transaction.atomic
def value_report_link_create(*, user, report: ValueReport, language: str, days: int = 30) -> ValueReportLink:
    _require_worker(user)
    errors = {}
    if language not in LANGUAGES:
        errors["language"] = _("Choose one of the site's languages.")
    if not isinstance(days, int) or not 1 <= days <= 365:
        errors["days"] = _("A link lasts between 1 and 365 days.")
    if errors:
        raise ValidationError(errors)
    return ValueReportLink.objects.create(
        report=report, language=language, created_by=user, expires_at=timezone.now() + timedelta(days=days)
    )


def value_report_link_revoke(*, user, link: ValueReportLink) -> ValueReportLink:
    _require_worker(user)
    return signed_link_revoke(link)


def value_report_link_token(link: ValueReportLink) -> str:
    return signed_link_token(link, salt=VALUE_LINK_SALT)


def value_report_link_viewed(*, link: ValueReportLink) -> None:
    signed_link_viewed(link)
