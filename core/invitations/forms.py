from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.models import User

from .models import Invitation


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "first_name", "last_name", "role", "manager", "language"]
        labels = {
            "email": _("E-mail"),
            "first_name": _("First name"),
            "last_name": _("Last name"),
            "role": _("Role"),
            "manager": _("Manager"),
            "language": _("Language"),
        }
        help_texts = {
            "role": _(
                "Read-only sees everything and changes nothing; CSMs work accounts; managers also "
                "see team views; admins configure the platform."
            ),
            "language": _("The invitation is written in it, and their pages will be."),
            "email": _("They get a link to choose their own user name and password; it works once, for 7 days."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["manager"].queryset = User.objects.filter(
            is_active=True, role__in=[Role.MANAGER, Role.ADMIN]
        ).order_by("first_name")
        self.fields["manager"].required = False
        self.fields["language"] = forms.ChoiceField(
            label=_("Language"),
            required=False,
            choices=[("", _("Mine")), *settings.LANGUAGES],
            help_text=self._meta.help_texts["language"],
        )


class InvitationAcceptForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
