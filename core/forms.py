from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.utils.translation import gettext_lazy as _

from .choices import Role
from .models import User


class UserForm(forms.ModelForm):
    """Create or edit a team member (admins only). Password: required to create, optional to edit."""

    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        required=False,
        help_text=password_validators_help_text_html(),
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "title", "role", "manager", "is_active"]
        help_texts = {
            "role": _(
                "Read-only sees everything and changes nothing; CSMs work accounts; managers also "
                "see team views; admins configure the platform."
            ),
            "manager": _("Tasks can be escalated to the owner's manager."),
            "is_active": _("Inactive users cannot log in; their accounts and history stay."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        managers = User.objects.filter(is_active=True, role__in=[Role.MANAGER, Role.ADMIN]).order_by("first_name")
        if self.instance.pk:
            managers = managers.exclude(pk=self.instance.pk)
            self.fields["username"].disabled = True
            self.fields["password"].label = _("New password")
            self.fields["password"].help_text = _("Leave empty to keep the current password.")
        else:
            self.fields["password"].required = True
        self.fields["manager"].queryset = managers
        self.fields["manager"].required = False
        self.fields["manager"].empty_label = _("No manager")
        self.fields["email"].required = True

    def clean_password(self):
        password = self.cleaned_data.get("password")
        if password:
            validate_password(password, self.instance)
        return password
