import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .choices import NotificationKind


def _timezones() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name or name == "UTC"]


class NotificationSettingsForm(forms.Form):
    """Which kinds come by e-mail too (in-app is always on), and the language and time zone the
    e-mails and the daily digest use."""

    email_kinds = forms.MultipleChoiceField(
        choices=NotificationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Also by e-mail"),
    )
    digest = forms.BooleanField(
        label=_("The daily digest"),
        required=False,
        help_text=_("Tasks due, health drops, renewals, new detractors and your notifications, each morning."),
    )
    language = forms.ChoiceField(label=_("Language of your e-mails"), required=False)
    timezone = forms.ChoiceField(label=_("Your time zone"), help_text=_("Your daily digest comes in your morning."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("The site's language"))] + list(settings.LANGUAGES)
        self.fields["timezone"].choices = _timezones()
