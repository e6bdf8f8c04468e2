from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.choices import NotificationKind


class SlackSettingsForm(forms.Form):
    bot_token = forms.CharField(
        label=_("Bot token"), required=False, widget=forms.PasswordInput, help_text=_("Empty: keep the stored one.")
    )
    signing_secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        widget=forms.PasswordInput,
        help_text=_("Empty: keep the stored one."),
    )
    default_channel = forms.CharField(
        label=_("Default channel"), required=False, max_length=80, widget=forms.TextInput(attrs={"dir": "ltr"})
    )
    api_url = forms.URLField(
        label=_("Web API URL"),
        required=False,
        help_text=_("Slack's own: https://slack.com/api/"),
        widget=forms.URLInput(attrs={"dir": "ltr"}),
    )


class SlackChoicesForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("Send me these in Slack"),
        choices=NotificationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class TeamsWebhookForm(forms.Form):
    name = forms.CharField(label=_("Channel name"), max_length=80)
    url = forms.URLField(label=_("Incoming webhook URL"), max_length=1000, widget=forms.URLInput(attrs={"dir": "ltr"}))
