"""Which language a page is in: the profile beats the switch's cookie, which beats the browser's
Accept-Language (docs/i18n.md); `<html lang dir>` follow; the header's switch saves the choice
(POST with CSRF) and the profile page sets language, time zone, digits and calendar."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from core.choices import Calendar, Digits
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HTML = re.compile(r'<html lang="([^"]+)" dir="(rtl|ltr)"')


def _html(response) -> tuple[str, str]:
    match = HTML.search(response.content.decode())
    assert match, "no <html lang dir>"
    return match.group(1), match.group(2)


@pytest.fixture
def signed_in(client):
    def make(language: str = "", **fields):
        user = UserFactory(language=language, **fields)
        client.force_login(user)
        return user

    return make


def test_english_by_default(client, signed_in):
    signed_in()
    response = client.get(reverse("core:profile"))
    assert response.status_code == 200
    assert _html(response) == ("en", "ltr")
    assert response["Content-Language"] == "en"


def test_accept_language_alone_chooses(client, signed_in):
    signed_in()
    response = client.get(reverse("core:profile"), headers={"accept-language": "ar-EG,ar;q=0.9,en;q=0.5"})
    assert _html(response) == ("ar", "rtl")
    assert "تسجيل الخروج" in response.content.decode()  # "Log out"


def test_cookie_beats_accept_language(client, signed_in):
    signed_in()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get(reverse("core:profile"), headers={"accept-language": "ar"})
    assert _html(response) == ("zh-hans", "ltr")


def test_profile_beats_cookie_and_accept_language(client, signed_in):
    signed_in(language="fa")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get(reverse("core:profile"), headers={"accept-language": "ar"})
    assert _html(response) == ("fa", "rtl")
    assert response["Content-Language"] == "fa"
    assert "Accept-Language" in response["Vary"]


def test_an_unknown_profile_language_falls_back_to_the_browser(client, signed_in):
    signed_in(language="klingon")
    response = client.get(reverse("core:profile"), headers={"accept-language": "zh-CN"})
    assert _html(response) == ("zh-hans", "ltr")


def test_signed_out_pages_follow_the_cookie(client):
    response = client.get(reverse("login"), headers={"accept-language": "en"})
    assert _html(response) == ("en", "ltr")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    response = client.get(reverse("login"), headers={"accept-language": "en"})
    assert _html(response) == ("ar", "rtl")


def test_the_language_does_not_leak_to_the_next_request(client, signed_in):
    signed_in(language="ar")
    client.get(reverse("core:profile"))
    client.logout()
    response = client.get(reverse("login"))
    assert _html(response) == ("en", "ltr")


def test_middleware_order():
    order = settings.MIDDLEWARE
    locale = order.index("django.middleware.locale.LocaleMiddleware")
    assert order.index("django.contrib.sessions.middleware.SessionMiddleware") < locale
    assert locale < order.index("django.middleware.common.CommonMiddleware")
    user = order.index("core.middleware.UserLanguageMiddleware")
    assert order.index("django.contrib.auth.middleware.AuthenticationMiddleware") < user
    assert locale < user


# Section: the header's switch


def test_switch_saves_to_the_profile_and_sets_the_cookie(client, signed_in):
    user = signed_in()
    page = client.get(reverse("core:profile"))
    assert 'action="/language/"' in page.content.decode()
    response = client.post(reverse("core:language_switch"), {"language": "ar", "next": "/me/"})
    assert response.status_code == 302 and response["Location"] == "/me/"
    user.refresh_from_db()
    assert user.language == "ar"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    assert _html(client.get("/me/")) == ("ar", "rtl")


def test_switch_refuses_without_csrf(client, signed_in):
    user = signed_in()
    response = client.post(reverse("core:language_switch"), {"language": "ar"}, csrf=False)
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.language == ""


def test_switch_refuses_an_unknown_language_with_a_reason(client, signed_in):
    signed_in()
    client.get(reverse("core:profile"))
    response = client.post(reverse("core:language_switch"), {"language": "xx"})
    assert response.status_code == 400
    assert "language" in response.content.decode()


def test_switch_never_sends_to_another_site(client, signed_in):
    signed_in()
    client.get(reverse("core:profile"))
    response = client.post(reverse("core:language_switch"), {"language": "fa", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_switch_on_the_sign_in_page_sets_only_the_cookie(client):
    page = client.get(reverse("login"))
    assert 'action="/language/"' in page.content.decode()
    response = client.post(reverse("core:language_switch"), {"language": "zh-hans", "next": "/login/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert _html(client.get("/login/")) == ("zh-hans", "ltr")


# Section: the profile page


def test_profile_page_saves_every_choice(client, signed_in):
    user = signed_in()
    client.get(reverse("core:profile"))
    response = client.post(
        reverse("core:profile"),
        {"language": "fa", "timezone": "Asia/Tehran", "digits": Digits.NATIVE, "calendar": Calendar.SOLAR_HIJRI},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.language, user.timezone, user.digits, user.calendar) == ("fa", "Asia/Tehran", "native", "persian")
    page = client.get(reverse("core:profile")).content.decode()
    assert "ترجیحات شما ذخیره شد" in page or "ذخیره" in page  # the confirmation, in Persian
    assert "۱٬۲۳۴٬۵۶۷٫۵" in page  # the sample number in Persian digits


def test_profile_page_refuses_a_bad_time_zone_on_its_field(client, signed_in):
    user = signed_in()
    client.get(reverse("core:profile"))
    response = client.post(
        reverse("core:profile"), {"language": "", "timezone": "Mars/Olympus", "digits": "latn", "calendar": "gregorian"}
    )
    assert response.status_code == 400
    assert 'class="field has-error"' in response.content.decode()
    user.refresh_from_db()
    assert user.timezone == "UTC"


def test_every_role_reaches_the_profile_from_the_header(client, signed_in):
    signed_in(role="readonly")
    page = client.get("/me/")
    assert page.status_code == 200
    assert 'href="/me/"' in page.content.decode()


def test_no_template_comment_leaks_into_the_page(client, signed_in):
    """A `{# #}` comment spans one line only: a longer one is printed (and broke the icon sprite once)."""
    signed_in()
    for url in ("/me/", "/login/"):
        body = client.get(url).content.decode()
        assert "#}" not in body and "{#" not in body, url


def test_middleware_sets_display_choices_but_leaves_days_in_utc(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.utils import timezone, translation

    from core.i18n import display_prefs
    from core.middleware import UserLanguageMiddleware

    seen = {}

    def view(request):
        seen.update(
            language=translation.get_language(), zone=timezone.get_current_timezone_name(), prefs=display_prefs()
        )

    request = rf.get("/")
    request.user = UserFactory(language="fa", timezone="Asia/Tehran", digits="native", calendar="persian")
    UserLanguageMiddleware(view)(request)
    assert display_prefs().digits == "latn"  # reset once the answer is made
    assert seen["language"] == "fa" and request.LANGUAGE_CODE == "fa"
    assert seen["zone"] == "UTC"
    assert (seen["prefs"].digits, seen["prefs"].calendar, seen["prefs"].zone) == ("native", "persian", "Asia/Tehran")
    request = rf.get("/")
    request.user = AnonymousUser()
    UserLanguageMiddleware(view)(request)
    assert seen["prefs"].digits == "latn" and seen["prefs"].zone == ""
    translation.deactivate()


def test_the_language_middleware_adds_no_query(client, signed_in):
    """The user is loaded once a request anyway (LoginRequiredMiddleware); choosing their language
    and display choices reads it, nothing more."""
    from django.db import connection
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext

    signed_in(language="ar", digits="native")
    client.get("/me/")  # warm caches (content types, sessions)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/me/").status_code == 200
        return len(queries)

    with_it = count()
    without = [m for m in settings.MIDDLEWARE if m != "core.middleware.UserLanguageMiddleware"]
    with override_settings(MIDDLEWARE=without):
        assert with_it == count()
