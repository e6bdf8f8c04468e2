"""The sign-in doors' views: a password reset that cannot be used to flood a mailbox."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.decorators import method_decorator

from core.auth_throttle import password_reset_allowed
from core.client_address import client_ip
from core.i18n import recipient_language

__all__ = ["PasswordResetView", "RecipientLanguagePasswordResetForm", "locked_out"]


class RecipientLanguagePasswordResetForm(PasswordResetForm):
    """Django's form; each mail is written in its recipient's language (their profile), whatever
    the language of the page that asked for it."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        with recipient_language(context.get("user")):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


@method_decorator(login_not_required, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset form; over the hour's limit (per address, per client) it shows the same
    "check your mail" page and sends nothing, so the answer reveals neither the limit nor
    whether the address has an account."""

    form_class = RecipientLanguagePasswordResetForm

    def form_valid(self, form):
        if password_reset_allowed(email=form.cleaned_data["email"], client=client_ip(self.request)):
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a locked-out sign-in (`AXES_LOCKOUT_CALLABLE`): the lock-out page,
    429, the same whether the username or the client address is the one paused."""
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    return render(request, "registration/locked_out.html", {"lockout_minutes": minutes}, status=429)
