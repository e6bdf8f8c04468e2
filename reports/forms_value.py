"""Forms of the value report pages (the services validate again)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .value import DEFAULT_HEADINGS


class ValueReportForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        label=_("To (exclusive)"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day after the last."),
    )


class ValueReportEditForm(ValueReportForm):
    outcomes = forms.CharField(
        label=_("The customer's outcomes"), required=False, widget=forms.Textarea(attrs={"rows": 6, "dir": "auto"})
    )


class HeadingsForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, default in DEFAULT_HEADINGS.items():
            self.fields[key] = forms.CharField(
                label=default, required=False, max_length=120, widget=forms.TextInput(attrs={"dir": "auto"})
            )


class LinkForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    days = forms.IntegerField(label=_("Works for (days)"), min_value=1, max_value=365, initial=30)
