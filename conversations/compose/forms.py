"""The compose form (the account's contacts with an e-mail address are the choices)."""

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_CHOICES = 300


class ComposeForm(forms.Form):
    recipients = forms.TypedMultipleChoiceField(
        label=_("To"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one contact.")},
    )
    subject = forms.CharField(label=_("Subject"), max_length=255)
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=20000,
        help_text=_(
            "Placeholders such as {{ contact.first_name }} or {{ account.renewal_date }} are filled in "
            "for each contact."
        ),
    )
    marketing = forms.BooleanField(
        label=_("Marketing-like (counts against each contact's fatigue budget; contacts asked recently are skipped)"),
        required=False,
    )
    tracking = forms.BooleanField(label=_("Track opens and clicks"), required=False)

    def __init__(self, *args, contacts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = [
            (
                c.pk,
                f"{c.name or c.email} <{c.email}>" + (f" · {c.language}" if c.language and c.language != "en" else ""),
            )
            for c in list(contacts)[:MAX_CHOICES]
        ]
