from django import forms
from django.utils.translation import gettext_lazy as _


class CalDAVForm(forms.Form):
    url = forms.URLField(label=_("Server address"), max_length=500, assume_scheme="https")
    username = forms.CharField(label=_("User name"), max_length=254)
    password = forms.CharField(label=_("Password"), max_length=500, widget=forms.PasswordInput)
