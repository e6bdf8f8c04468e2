"""Admin pages: API keys (create shown once, revoke, last used) and webhooks (register, log, retry)."""

import pytest
from django.urls import reverse

from core.choices import APIKeyScope
from core.models import APIKey, WebhookDelivery, WebhookEndpoint
from core.services import api_key_authenticate, api_key_create
from core.webhooks import webhook_emit, webhook_endpoint_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _loopback_receivers_allowed(settings):
    """These endpoints sit on loopback, an internal address an admin must allow."""
    settings.WEBHOOK_ALLOWED_INTERNAL_HOSTS = ["127.0.0.1"]


def test_only_admins_see_the_pages(client, csm_user, manager_user):
    for user in (csm_user, manager_user):
        client.force_login(user)
        assert client.get(reverse("core:apikey_list")).status_code == 403
        assert client.get(reverse("core:webhook_list")).status_code == 403
        assert client.post(reverse("core:apikey_list"), {"name": "x", "scope": "write"}).status_code == 403
    assert not APIKey.objects.exists()


def test_create_key_shows_it_once_and_it_works(admin_client):
    admin_client.get(reverse("core:apikey_list"))  # the page that holds the form, as a browser has it
    response = admin_client.post(reverse("core:apikey_list"), {"name": "Segment prod", "scope": "ingest"})
    assert response.status_code == 200
    raw = response.context["new_key"]["raw"]
    assert raw in response.content.decode()
    key = api_key_authenticate(raw_key=raw)
    assert key.name == "Segment prod" and key.scope == "ingest"
    # the list page never shows it again
    assert raw not in admin_client.get(reverse("core:apikey_list")).content.decode()


def test_bad_key_form_is_400_with_errors(admin_client):
    admin_client.get(reverse("core:apikey_list"))  # the page that holds the form, as a browser has it
    response = admin_client.post(reverse("core:apikey_list"), {"name": "", "scope": "root"})
    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"name", "scope"}


def test_revoke_and_last_used(admin_client, django_assert_max_num_queries):
    key, raw = api_key_create(name="ci", scope=APIKeyScope.READ)
    api_key_authenticate(raw_key=raw)
    for i in range(5):
        api_key_create(name=f"k{i}", scope=APIKeyScope.WRITE)
    with django_assert_max_num_queries(8):
        page = admin_client.get(reverse("core:apikey_list")).content.decode()
    assert "ci" in page and "never" in page  # the others were never used
    admin_client.post(reverse("core:apikey_revoke", args=[key.pk]))
    assert api_key_authenticate(raw_key=raw) is None


def test_register_endpoint_and_see_log(admin_client, django_capture_on_commit_callbacks, django_assert_max_num_queries):
    admin_client.get(reverse("core:webhook_list"))  # the page that holds the form, as a browser has it
    response = admin_client.post(
        reverse("core:webhook_list"),
        {"url": "http://127.0.0.1:9/hook", "events": ["account.churned", "task.created"], "is_active": "on"},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302 and endpoint.secret.startswith("whsec_")
    with django_capture_on_commit_callbacks(execute=True):
        webhook_emit(event="task.created", payload={"task": 7})
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "retrying"  # nothing listens on port 9
    with django_assert_max_num_queries(10):
        page = admin_client.get(reverse("core:webhook_detail", args=[endpoint.pk])).content.decode()
    assert "task.created" in page and endpoint.secret in page
    with django_assert_max_num_queries(10):
        listing = admin_client.get(reverse("core:webhook_list")).content.decode()
    assert "http://127.0.0.1:9/hook" in listing
    partial = admin_client.get(reverse("core:webhook_list"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "task.created" in partial


def test_retry_and_ping_buttons(admin_client, django_capture_on_commit_callbacks):
    endpoint = webhook_endpoint_create(url="http://127.0.0.1:9/", events=["*"])
    with django_capture_on_commit_callbacks(execute=True):
        webhook_emit(event="survey.answered", payload={})
    delivery = WebhookDelivery.objects.get()
    url = reverse("core:webhook_detail", args=[endpoint.pk])
    admin_client.get(url)  # the page that holds the form, as a browser has it
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {"action": "retry", "delivery": delivery.pk})
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {"action": "ping"})
    assert WebhookDelivery.objects.filter(event="ping").count() == 1


def test_edit_endpoint_refuses_no_events(admin_client):
    endpoint = webhook_endpoint_create(url="http://127.0.0.1:9/", events=["*"])
    admin_client.get(
        reverse("core:webhook_detail", args=[endpoint.pk])
    )  # the page that holds the form, as a browser has it
    response = admin_client.post(
        reverse("core:webhook_detail", args=[endpoint.pk]), {"url": "http://example.test/", "events": []}
    )
    assert response.status_code == 400
