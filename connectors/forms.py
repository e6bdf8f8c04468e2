"""Forms of the connector pages: a new connection, a connection's settings."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import AuthKind, Deletions
from .registry import vendors

__all__ = ["ConnectionForm", "ConnectionSettingsForm"]


class ConnectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Vendor"), choices=())
    name = forms.CharField(label=_("Name"), max_length=120)
    auth = forms.ChoiceField(label=_("Sign in with"), choices=AuthKind.choices, initial=AuthKind.OAUTH)
    token = forms.CharField(
        label=_("Token"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("A private-app or API token."),
    )
    client_id = forms.CharField(label=_("Client id"), required=False, max_length=255)
    client_secret = forms.CharField(label=_("Client secret"), required=False, widget=forms.PasswordInput())
    base_url = forms.URLField(
        label=_("API URL"), required=False, assume_scheme="https", help_text=_("Empty: the vendor's own.")
    )
    authorize_url = forms.URLField(
        label=_("Authorisation page"),
        required=False,
        assume_scheme="https",
        help_text=_("Empty: the vendor's own (set it for a sandbox)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(v.kind, v.label) for v in vendors()]

    def clean(self):
        data = super().clean()
        kind, auth = data.get("kind"), data.get("auth")
        vendor = next((v for v in vendors() if v.kind == kind), None)
        if auth == AuthKind.OAUTH:
            if vendor is not None and vendor.oauth is None:
                self.add_error("auth", _("This vendor signs in with a token."))
            for name in ("client_id", "client_secret"):
                if not data.get(name):
                    self.add_error(name, _("This field is required."))
        elif auth == AuthKind.TOKEN and not data.get("token"):
            self.add_error("token", _("This field is required."))
        return data


class ConnectionSettingsForm(forms.Form):
    interval_minutes = forms.IntegerField(
        label=_("Sync every (minutes)"), min_value=0, max_value=10_080, help_text=_("0: only by hand.")
    )
    deletions = forms.ChoiceField(label=_("When a record is deleted there"), choices=Deletions.choices)
    options = forms.CharField(
        label=_("Vendor options (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "mono", "dir": "ltr"}),
    )

    def clean_options(self):
        text = (self.cleaned_data.get("options") or "").strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(_("Not valid JSON: %(error)s") % {"error": exc}) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_('Write a JSON object: {"key": value}.'))
        return value
