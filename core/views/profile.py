"""The signed-in user's own page (/me/: language, time zone, digits, calendar) and the header's
language switch (POST /language/), which also serves the signed-out pages through a cookie."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views import View

from core.choices import Role
from core.forms_profile import ProfileForm
from core.services import user_preferences_update
from core.views.toolkit import ServiceFormView, safe_next

__all__ = ["LanguageSwitchView", "ProfileView", "set_language_cookie"]


def set_language_cookie(response: HttpResponse, language: str) -> HttpResponse:
    """The cookie LocaleMiddleware reads (settings.LANGUAGE_COOKIE_*); an empty language removes it."""
    if not language:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH)
        return response
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


class ProfileView(ServiceFormView):
    """Every role may change their own display choices (read-only users too)."""

    form_class = ProfileForm
    template_name = "core/profile.html"
    edit_role = Role.READONLY

    def get_object(self):
        return self.request.user

    def get_context_data(self, **kwargs):
        from django.utils import timezone

        return super().get_context_data(
            sample_number=1234567.5, sample_money=84500, sample_rate=0.934, sample_day=timezone.now(), **kwargs
        )

    def perform(self, form):
        user = user_preferences_update(user=self.request.user, **form.cleaned_data)
        # The confirmation is read on the next page, in the language just chosen.
        translation.activate(user.language or translation.get_language_from_request(self.request))
        return user

    def get_success_message(self, obj) -> str:
        return gettext("Your preferences are saved.")

    def get_success_url(self, obj) -> str:
        return reverse("core:profile")

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if response.status_code in (302, 204):
            set_language_cookie(response, request.user.language)
        return response


@method_decorator(login_not_required, name="dispatch")
class LanguageSwitchView(View):
    """The header's (and the sign-in page's) language menu: POST `language` (and `next`).
    A signed-in user's choice is saved to their profile; everyone gets the cookie."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        language = request.POST.get("language", "")
        if language not in dict(settings.LANGUAGES):
            return HttpResponseBadRequest(
                gettext("language: choose one of %(codes)s.") % {"codes": ", ".join(dict(settings.LANGUAGES))},
                content_type="text/plain; charset=utf-8",
            )
        if request.user.is_authenticated:
            user_preferences_update(user=request.user, language=language)
        translation.activate(language)
        response = redirect(
            safe_next(request, reverse("login") if not request.user.is_authenticated else "/", referer=True)
        )
        return set_language_cookie(response, language)
