"""The account page's timeline filter: by kind, by author, by date range (UTC days).

Survey answers are timeline entries of kind "system" that carry `metadata.survey_response_id`
(surveys writes them); the filter offers them as their own kind, and "System" as the other
system entries, so a CSM can look for answers without a separate kind in the data.

Reads stay on the (account, kind, occurred_at) and (account, occurred_at) indexes: every filter is
an extra condition on one account's rows, paged newest first by a keyset on (occurred_at, id)."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import reduce

from django import forms
from django.db.models import Q
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core.models import User

from .choices import ActivityKind
from .models import Activity

__all__ = ["SURVEY", "TIMELINE_KINDS", "TimelineFilter", "TimelineFilterForm", "timeline_authors"]

SURVEY = "survey"
SURVEY_KEY = "survey_response_id"
TIMELINE_KINDS = [
    (ActivityKind.NOTE.value, _("Notes")),
    (ActivityKind.CALL.value, _("Calls")),
    (ActivityKind.MEETING.value, _("Meetings")),
    (ActivityKind.EMAIL.value, _("E-mails")),
    (SURVEY, _("Survey answers")),
    (ActivityKind.TASK.value, _("Tasks")),
    (ActivityKind.CHANGE.value, _("Changes")),
    (ActivityKind.SYSTEM.value, _("System")),
]
AUTOMATED = "none"


@dataclass(frozen=True)
class TimelineFilter:
    kinds: tuple[str, ...] = ()
    author: str = ""  # "" anyone, "none" automated (no author), else a user id
    since: date | None = None
    until: date | None = None  # inclusive

    @property
    def is_empty(self) -> bool:
        return not (self.kinds or self.author or self.since or self.until)

    def q(self) -> Q:
        q = Q()
        if self.kinds:
            survey = Q(kind=ActivityKind.SYSTEM, metadata__has_key=SURVEY_KEY)
            parts = []
            plain = [k for k in self.kinds if k not in (SURVEY, ActivityKind.SYSTEM)]
            if plain:
                parts.append(Q(kind__in=plain))
            if SURVEY in self.kinds and ActivityKind.SYSTEM in self.kinds:
                parts.append(Q(kind=ActivityKind.SYSTEM))
            elif SURVEY in self.kinds:
                parts.append(survey)
            elif ActivityKind.SYSTEM in self.kinds:
                parts.append(Q(kind=ActivityKind.SYSTEM) & ~survey)
            q &= reduce(operator.or_, parts)
        if self.author == AUTOMATED:
            q &= Q(author__isnull=True)
        elif self.author:
            q &= Q(author_id=int(self.author))
        if self.since:
            q &= Q(occurred_at__gte=datetime.combine(self.since, time.min, tzinfo=UTC))
        if self.until:
            q &= Q(occurred_at__lt=datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=UTC))
        return q

    def querystring(self) -> str:
        """The filter as GET parameters, for "Show older entries" and the CSV of the view."""
        params: list[tuple[str, str]] = [("kind", k) for k in self.kinds]
        for name, value in (("author", self.author), ("since", self.since), ("until", self.until)):
            if value:
                params.append((name, str(value)))
        return urlencode(params)


class TimelineFilterForm(forms.Form):
    kind = forms.MultipleChoiceField(
        choices=TIMELINE_KINDS, required=False, widget=forms.CheckboxSelectMultiple, label=_("Kind")
    )
    author = forms.CharField(required=False, max_length=20, label=_("Author"))
    since = forms.DateField(
        required=False,
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )
    until = forms.DateField(
        required=False,
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )

    def clean_author(self) -> str:
        value = (self.cleaned_data.get("author") or "").strip()
        if value and value != AUTOMATED and not (value.isdigit() and int(value) < 2**31):
            raise forms.ValidationError(_("Choose someone from the list."))
        return value

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end comes before the start."))
        return data

    def filter(self) -> TimelineFilter:
        """The valid filter (call after is_valid())."""
        data = self.cleaned_data
        return TimelineFilter(
            kinds=tuple(data.get("kind") or ()),
            author=data.get("author") or "",
            since=data.get("since"),
            until=data.get("until"),
        )

    def error_text(self) -> str:
        return "; ".join(
            f"{self.fields[name].label if name in self.fields else ''}: {' '.join(errors)}".lstrip(": ")
            for name, errors in self.errors.items()
        )


def timeline_authors(*, account_id: int) -> list[User]:
    """The people who wrote on this account's timeline (one query)."""
    ids = Activity.objects.filter(account_id=account_id, author__isnull=False).values("author_id")
    return list(User.objects.filter(pk__in=ids).order_by("first_name", "last_name", "username"))
