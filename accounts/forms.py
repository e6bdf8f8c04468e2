from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import ActivityKind
from .models import Contact

NOTE_KINDS = [
    (kind.value, kind.label)
    for kind in (ActivityKind.NOTE, ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.EMAIL)
]


class ActivityForm(forms.Form):
    """The "add to timeline" form on the account page (a CSM's own touches only)."""

    kind = forms.ChoiceField(choices=NOTE_KINDS, initial=ActivityKind.NOTE)
    subject = forms.CharField(
        max_length=255, required=False, widget=forms.TextInput(attrs={"placeholder": _("Subject")})
    )
    body = forms.CharField(
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("What happened? Decisions, risks, next steps…")}),
    )
    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), required=False, empty_label=_("No contact"))

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        if account is not None:
            self.fields["contact"].queryset = (
                Contact.objects.filter(account=account).only("id", "name", "email", "external_id").order_by("name")
            )

    def clean(self):
        data = super().clean()
        if not (data.get("subject", "").strip() or data.get("body", "").strip()):
            raise forms.ValidationError(_("Write a subject or a note."))
        return data


class FxRateForm(forms.Form):
    """One exchange rate on the rates page (accounts.currency.fx_rates_upsert checks it)."""

    currency = forms.CharField(
        label=_("Currency"), max_length=3, min_length=3, widget=forms.TextInput(attrs={"placeholder": "EUR"})
    )
    month = forms.CharField(label=_("Month"), max_length=7, widget=forms.TextInput(attrs={"type": "month"}))
    rate = forms.DecimalField(
        label=_("Rate"), max_digits=20, decimal_places=10, min_value=Decimal("0.0000000001"), help_text=""
    )


class FxRateUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Rates file (CSV)"),
        help_text=_("The ECB's eurofxref-hist.csv, or columns currency,month,rate."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload
