from django import forms

from .choices import ActivityKind
from .models import Contact

NOTE_KINDS = [
    (ActivityKind.NOTE, "Note"),
    (ActivityKind.CALL, "Call"),
    (ActivityKind.MEETING, "Meeting"),
    (ActivityKind.EMAIL, "Email"),
]


class ActivityForm(forms.Form):
    """The "add to timeline" form on the account page (a CSM's own touches only)."""

    kind = forms.ChoiceField(choices=NOTE_KINDS, initial=ActivityKind.NOTE)
    subject = forms.CharField(max_length=255, required=False, widget=forms.TextInput(attrs={"placeholder": "Subject"}))
    body = forms.CharField(
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What happened? Decisions, risks, next steps…"}),
    )
    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), required=False, empty_label="No contact")

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        if account is not None:
            self.fields["contact"].queryset = Contact.objects.filter(account=account).order_by("name")

    def clean(self):
        data = super().clean()
        if not (data.get("subject", "").strip() or data.get("body", "").strip()):
            raise forms.ValidationError("Write a subject or a note.")
        return data
