"""`core.views.toolkit`: the list, form and action views every app's pages are built from,
on small pages (tests/core/views/toolkit_urls.py) whose templates are defined here."""

import json

import pytest
from django.test import RequestFactory

from core.choices import Role
from core.models import User
from core.views import apply_validation_error, htmx_partial, partial, safe_next, with_trigger
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.views.toolkit_urls")]

TEMPLATES = {
    "toolkit/user_list.html": (
        "<html><h1>Users</h1>{% csrf_token %}{% partialdef results inline %}<ul id='results'>"
        "{% for object in object_list %}{% partialdef row inline %}"
        "<li>{{ object.username }}{% if not object.is_active %} (inactive){% endif %}{{ note }}</li>"
        "{% endpartialdef %}{% endfor %}</ul><p>sort={{ sort }} page={{ page_obj.number }}"
        " of {{ page_obj.paginator.num_pages }} qs={{ querystring }}</p>{% endpartialdef %}</html>"
    ),
    "toolkit/user_form.html": (
        "<html><h1>Rename {{ object.username }}</h1>{% csrf_token %}{% partialdef form inline %}<form>"
        "{{ form.non_field_errors }}{{ form.username.errors }}{{ form.username }}</form>{% endpartialdef %}</html>"
    ),
}

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _toolkit_templates(settings):
    engine = dict(settings.TEMPLATES[0])
    engine["APP_DIRS"] = False
    engine["OPTIONS"] = {
        **engine["OPTIONS"],
        "loaders": [
            ("django.template.loaders.locmem.Loader", TEMPLATES),
            "django.template.loaders.filesystem.Loader",
            "django.template.loaders.app_directories.Loader",
        ],
    }
    settings.TEMPLATES = [engine]


@pytest.fixture
def users(db):
    return [UserFactory(username=name, role=Role.READONLY) for name in ("carol", "alice", "bob")]


# Section: ObjectListView


def test_list_page_renders_the_whole_page(admin_client, users):
    response = admin_client.get("/users/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Users</h1>" in body
    assert "<li>admin</li><li>alice</li>" in body
    assert "sort=name page=1 of 2" in body


def test_list_htmx_request_gets_only_the_results_partial(admin_client, users):
    response = admin_client.get("/users/?sort=-name&page=2", **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>" not in body and body.startswith("<ul id='results'>")
    assert "<li>alice</li><li>admin</li>" in body
    assert "sort=-name page=2 of 2 qs=sort=-name" in body


def test_list_boosted_htmx_navigation_gets_the_whole_page(admin_client, users):
    response = admin_client.get("/users/", HTTP_HX_BOOSTED="true", **HTMX)
    assert "<h1>Users</h1>" in response.content.decode()


def test_list_unknown_sort_falls_back_to_the_default(admin_client, users):
    response = admin_client.get("/users/?sort=password", **HTMX)
    assert "sort=name" in response.content.decode()


def test_list_needs_a_login(client, settings):
    settings.LOGIN_URL = "/login/"
    response = client.get("/users/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# Section: ServiceFormView


def _rename_page(client, pk):
    assert client.get(f"/users/{pk}/rename/").status_code == 200  # the page that holds the form (CSRF token)


def test_form_get_shows_the_object(admin_client, users):
    response = admin_client.get(f"/users/{users[0].pk}/rename/")
    assert "<h1>Rename carol</h1>" in response.content.decode()


def test_form_post_calls_the_service_and_redirects(admin_client, users):
    # given
    _rename_page(admin_client, users[0].pk)
    # when
    response = admin_client.post(f"/users/{users[0].pk}/rename/", {"username": "caroline"})
    # then
    assert response.status_code == 302
    assert response["Location"] == f"/done/{users[0].pk}/"
    users[0].refresh_from_db()
    assert users[0].username == "caroline"


def test_form_service_validation_error_lands_on_its_field_with_400(admin_client, users):
    # given
    _rename_page(admin_client, users[0].pk)
    # when
    response = admin_client.post(f"/users/{users[0].pk}/rename/", {"username": "rooty"})
    # then
    assert response.status_code == 400
    assert response.context["form"].errors == {"username": ["That name is reserved."]}
    users[0].refresh_from_db()
    assert users[0].username == "carol"


def test_form_service_error_without_a_field_goes_on_top(admin_client, users):
    _rename_page(admin_client, users[0].pk)
    response = admin_client.post(f"/users/{users[0].pk}/rename/", {"username": "everyone"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["Not now."]


def test_form_invalid_form_is_400_and_htmx_gets_the_form_partial(admin_client, users):
    _rename_page(admin_client, users[0].pk)
    response = admin_client.post(f"/users/{users[0].pk}/rename/", {"username": ""}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 400
    assert body.startswith("<form>") and "<h1>" not in body


def test_form_htmx_success_redirects_the_page_through_hx_redirect(admin_client, users):
    _rename_page(admin_client, users[0].pk)
    response = admin_client.post(f"/users/{users[0].pk}/rename/", {"username": "caro"}, **HTMX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/done/{users[0].pk}/"


def test_form_follows_only_a_safe_next(admin_client, users):
    _rename_page(admin_client, users[0].pk)
    ok = admin_client.post(f"/users/{users[0].pk}/rename/", {"username": "c1", "next": "/users/?page=2"})
    evil = admin_client.post(f"/users/{users[0].pk}/rename/", {"username": "c2", "next": "https://evil.example/"})
    assert ok["Location"] == "/users/?page=2"
    assert evil["Location"] == f"/done/{users[0].pk}/"


def test_form_post_needs_the_edit_role(client, users):
    # given
    viewer = UserFactory(role=Role.READONLY)
    client.force_login(viewer)
    _rename_page(client, users[0].pk)
    # when
    response = client.post(f"/users/{users[0].pk}/rename/", {"username": "x"})
    # then
    assert response.status_code == 403


# Section: ActionView


def test_action_htmx_answers_the_fragment_and_the_trigger(admin_client, users):
    # given
    admin_client.get("/users/")
    # when
    response = admin_client.post(f"/users/{users[1].pk}/deactivate/", **HTMX)
    # then
    assert response.status_code == 200
    assert response.content.decode() == "<li>alice (inactive)deactivated</li>"
    assert json.loads(response["HX-Trigger"]) == {"users-changed": True}
    assert User.objects.get(pk=users[1].pk).is_active is False


def test_action_plain_post_redirects_to_a_safe_next_or_the_referer(admin_client, users):
    admin_client.get("/users/")
    to_next = admin_client.post(f"/users/{users[0].pk}/deactivate/", {"next": "/users/?page=2"})
    to_referer = admin_client.post(f"/users/{users[1].pk}/deactivate/", HTTP_REFERER="http://testserver/users/?q=a")
    away = admin_client.post(f"/users/{users[2].pk}/deactivate/", HTTP_REFERER="https://evil.example/")
    assert to_next["Location"] == "/users/?page=2"
    assert to_referer["Location"] == "http://testserver/users/?q=a"
    assert away["Location"] == "/users/"


def test_action_service_validation_error_is_a_400_with_its_message(admin_client, users):
    # given
    keep = UserFactory(username="keep")
    admin_client.get("/users/")
    # when
    response = admin_client.post(f"/users/{keep.pk}/deactivate/", **HTMX)
    # then
    assert response.status_code == 400
    assert response.content.decode() == "This one stays."
    assert User.objects.get(pk=keep.pk).is_active is True


def test_action_refuses_get(admin_client, users):
    assert admin_client.get(f"/users/{users[0].pk}/deactivate/").status_code == 405


# Section: the small pieces


def test_htmx_partial_is_true_only_for_a_plain_htmx_request():
    class Details:
        def __init__(self, on, boosted):
            self.on, self.boosted = on, boosted

        def __bool__(self):
            return self.on

    request = RequestFactory().get("/")
    assert htmx_partial(request) is False  # no django-htmx middleware
    request.htmx = Details(True, False)
    assert htmx_partial(request) is True
    request.htmx = Details(True, True)
    assert htmx_partial(request) is False
    request.htmx = Details(False, False)
    assert htmx_partial(request) is False


def test_partial_names_a_partialdef_of_a_template():
    assert partial("app/page.html", "row") == "app/page.html#row"
    assert partial("app/page.html", "") == "app/page.html"


@pytest.mark.parametrize(
    "next_value, expected",
    [
        ("/accounts/?page=2", "/accounts/?page=2"),
        ("https://evil.example/", "/home/"),
        ("//evil.example/", "/home/"),
        ("", "/home/"),
    ],
)
def test_safe_next_from_get(next_value, expected):
    request = RequestFactory().get("/x/", {"next": next_value})
    assert safe_next(request, "/home/") == expected


def test_safe_next_prefers_post_over_get():
    request = RequestFactory().post("/x/?next=/from-get/", {"next": "/from-post/"})
    assert safe_next(request, "/home/") == "/from-post/"


def test_safe_next_on_https_refuses_an_http_target():
    request = RequestFactory().get("/x/", {"next": "http://testserver/a/"}, secure=True)
    assert safe_next(request, "/home/") == "/home/"


@pytest.mark.parametrize(
    "existing, trigger, expected",
    [
        (None, "a", {"a": True}),
        (None, ["a", "b"], {"a": True, "b": True}),
        (None, {"a": {"n": 1}}, {"a": {"n": 1}}),
        ("x, y", "a", {"x": True, "y": True, "a": True}),
        ('{"x": 2}', "a", {"x": 2, "a": True}),
    ],
)
def test_with_trigger_merges_htmx_events(existing, trigger, expected):
    from django.http import HttpResponse

    response = HttpResponse()
    if existing:
        response["HX-Trigger"] = existing
    assert json.loads(with_trigger(response, trigger)["HX-Trigger"]) == expected


def test_with_trigger_of_nothing_leaves_the_response_alone():
    from django.http import HttpResponse

    response = with_trigger(HttpResponse(), None)
    assert "HX-Trigger" not in response


def test_apply_validation_error_puts_messages_on_known_fields_or_on_top():
    from django import forms
    from django.core.exceptions import ValidationError

    class Form(forms.Form):
        name = forms.CharField()

    form = Form({"name": "x"})
    assert form.is_valid()
    apply_validation_error(form, ValidationError({"name": "taken", "other": "elsewhere"}))
    apply_validation_error(form, ValidationError(["one", "two"]))
    assert form.errors["name"] == ["taken"]
    assert form.non_field_errors() == ["elsewhere", "one", "two"]
