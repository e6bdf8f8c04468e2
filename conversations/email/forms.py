"""Forms of the inbound e-mail settings page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import ImapMailbox


class InboundSettingsForm(forms.Form):
    keep_body = forms.BooleanField(
        label=_("Keep the whole text of e-mails"),
        required=False,
        help_text=_("Off: only the subject, people and a 200-character snippet are kept."),
    )
    tracking_default = forms.BooleanField(
        label=_("Track opens and clicks of e-mails written here, unless the writer turns it off"), required=False
    )
    team_domains = forms.CharField(
        label=_("Your team's domains"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "E-mails only between these addresses are internal and ignored. The domains of your users' "
            "e-mail addresses count too."
        ),
    )
    excluded_domains = forms.CharField(
        label=_("Excluded domains"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Mail with these domains (vendors, newsletters) never goes on a timeline."),
    )


class ImapMailboxForm(forms.ModelForm):
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(render_value=False), max_length=255)

    class Meta:
        model = ImapMailbox
        fields = ["name", "host", "port", "security", "username", "password", "folder"]
        labels = {
            "name": _("Name"),
            "host": _("Server"),
            "port": _("Port"),
            "security": _("Security"),
            "username": _("User name"),
            "folder": _("Folder"),
        }
