"""Forms for the admin's integration pages: API keys and outbound webhook endpoints."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import APIKeyScope
from .outbound_http import OutboundRefused, outbound_url_check
from .webhooks import webhook_event_choices


class APIKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, help_text=_("What uses it, e.g. “Segment production”."))
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=APIKeyScope.choices,
        initial=APIKeyScope.INGEST,
        help_text=_(
            "Read: GET only. Read and write: the whole API. Ingest only: events and /v1 tracking. "
            "SCIM provisioning: only /scim/v2/, for your identity provider (Okta, Microsoft Entra ID)."
        ),
    )


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(max_length=500, label=_("URL"), assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=webhook_event_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    secret = forms.CharField(
        label=_("Signing secret"),
        max_length=128,
        required=False,
        help_text=_("Signs each delivery (HMAC-SHA256). Leave empty to generate one (or keep the current one)."),
    )
    is_active = forms.BooleanField(required=False, initial=True, label=_("Active"))

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            outbound_url_check(url)
        except OutboundRefused as exc:
            raise forms.ValidationError(str(exc), code="internal_address") from exc
        return url
