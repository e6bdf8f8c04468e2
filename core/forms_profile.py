"""A team member's own display choices: language, time zone, digits, calendar (docs/i18n.md)."""

import zoneinfo
from functools import lru_cache

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import User


@lru_cache(maxsize=1)
def _zones() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name or name == "UTC"]


class ProfileForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("Language"), required=False)
    timezone = forms.ChoiceField(label=_("Time zone"), help_text=_("Dates and times are shown in it."))

    class Meta:
        model = User
        fields = ["language", "timezone", "digits", "calendar"]
        labels = {"digits": _("Digits"), "calendar": _("Calendar")}
        widgets = {"digits": forms.RadioSelect, "calendar": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("The browser's language")), *settings.LANGUAGES]
        self.fields["language"].help_text = _("Pages and the e-mails you receive are written in it.")
        self.fields["timezone"].choices = _zones()
