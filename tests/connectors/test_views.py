"""The connector pages: list, add (token and OAuth against the local HubSpot), settings,
mapping with preview and its errors, start a run, a run's log, retry; admins only."""

from urllib.parse import urlsplit

import pytest
import requests
from django.urls import reverse

from accounts.models import Account
from connectors.models import Connection, FieldMapping, SyncRun
from connectors.services import connection_create

from .helpers import run_sync, seed

pytestmark = pytest.mark.django_db


def test_only_admins_see_the_pages(csm_client, hubspot_connection):
    assert csm_client.get(reverse("connectors:list")).status_code == 403
    assert csm_client.get(reverse("connectors:detail", args=[hubspot_connection.pk])).status_code == 403


def test_add_a_token_connection(admin_client, hubspot):
    page = admin_client.get(reverse("connectors:create"))
    assert page.status_code == 200
    bad = admin_client.post(reverse("connectors:create"), {"kind": "hubspot", "name": "CRM", "auth": "token"})
    assert bad.status_code == 400 and "This field is required." in bad.content.decode()
    response = admin_client.post(
        reverse("connectors:create"),
        {"kind": "hubspot", "name": "CRM", "auth": "token", "token": "pat-valid", "base_url": hubspot.url},
    )
    connection = Connection.objects.get(name="CRM")
    assert response.status_code == 302 and response["Location"] == reverse("connectors:detail", args=[connection.pk])
    assert connection.credentials == {"token": "pat-valid"} and "pat-valid" not in connection.credentials_encrypted
    assert FieldMapping.objects.filter(connection=connection, object_key="companies").count() == 7
    listing = admin_client.get(reverse("connectors:list")).content.decode()
    assert "CRM" in listing and "HubSpot" in listing and "Active" in listing


def test_add_an_oauth_connection_through_the_vendor(admin_client, hubspot):
    admin_client.get(reverse("connectors:create"))
    response = admin_client.post(
        reverse("connectors:create"),
        {
            "kind": "hubspot",
            "name": "CRM",
            "auth": "oauth",
            "client_id": "cid",
            "client_secret": "shh",
            "base_url": hubspot.url,
            "authorize_url": f"{hubspot.url}/oauth/authorize",
        },
    )
    connection = Connection.objects.get(name="CRM")
    assert connection.status == "needs_auth"
    start = admin_client.get(response["Location"])
    assert start["Location"].startswith(f"{hubspot.url}/oauth/authorize?")
    assert "state=" in start["Location"] and "client_id=cid" in start["Location"]
    back = requests.get(start["Location"], allow_redirects=False, timeout=5).headers["Location"]
    parts = urlsplit(back)
    done = admin_client.get(f"{parts.path}?{parts.query}")
    assert done.status_code == 302
    connection.refresh_from_db()
    assert connection.status == "active" and connection.credentials["access_token"].startswith("oauth-")
    forged = admin_client.get(f"{parts.path}?code=x&state=y")
    assert forged.status_code == 400  # nothing started from this browser any more


def test_revoked_token_reason_shows_on_the_page(admin_client, hubspot, hubspot_connection):
    seed(hubspot, companies=1)
    hubspot.revoke("pat-valid")
    run = run_sync(hubspot_connection)
    page = admin_client.get(reverse("connectors:detail", args=[hubspot_connection.pk])).content.decode()
    assert "Needs authorisation" in page and "Authentication credentials not found" in page
    log = admin_client.get(reverse("connectors:run", args=[run.pk])).content.decode()
    assert "refused our credentials" in log


def test_mapping_preview_shows_ten_records_and_saves_nothing(admin_client, hubspot, hubspot_connection, htmx_headers):
    for i in range(12):
        hubspot.add("companies", {"name": f"Co {i}", "domain": f"co{i}.example", "customer_tier": "key"})
    url = reverse("connectors:mapping", args=[hubspot_connection.pk, "companies"])
    page = admin_client.get(url)
    assert page.status_code == 200 and "pulse_health_score" in page.content.decode()
    rows = {
        "remote_field": ["name", "customer_tier", "pulse_health_score"],
        "local_field": ["name", "tier", "health_score"],
        "direction": ["pull", "pull", "push"],
    }
    preview = admin_client.post(url, {**rows, "action": "preview"}, **htmx_headers)
    body = preview.content.decode()
    assert preview.status_code == 200 and body.count('<tr><td class="mono muted">') == 10
    assert "Co 0" in body and ">key<" in body
    assert FieldMapping.objects.filter(connection=hubspot_connection, local_field="tier").count() == 0
    saved = admin_client.post(url, {**rows, "action": "save"})
    assert saved.status_code == 302
    assert set(
        FieldMapping.objects.filter(connection=hubspot_connection, object_key="companies").values_list(
            "remote_field", "local_field", "direction"
        )
    ) == {("name", "name", "pull"), ("customer_tier", "tier", "pull"), ("pulse_health_score", "health_score", "push")}


def test_mapping_errors_land_on_their_row(admin_client, hubspot_connection):
    url = reverse("connectors:mapping", args=[hubspot_connection.pk, "companies"])
    admin_client.get(url)
    response = admin_client.post(
        url,
        {
            "remote_field": ["name", "x"],
            "local_field": ["health_score", "nope"],
            "direction": ["pull", "pull"],
            "action": "save",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "This field can only be pushed." in body and "Unknown field: nope." in body
    assert FieldMapping.objects.filter(connection=hubspot_connection, object_key="companies").count() == 7


def test_sync_buttons_and_the_run_log_with_retry(
    admin_client, hubspot, hubspot_connection, htmx_headers, django_capture_on_commit_callbacks
):
    seed(hubspot, companies=2)
    bad = hubspot.add("contacts", {"email": "broken"})
    detail = reverse("connectors:detail", args=[hubspot_connection.pk])
    admin_client.get(detail)
    with django_capture_on_commit_callbacks(execute=True):
        dry = admin_client.post(reverse("connectors:sync", args=[hubspot_connection.pk]), {"mode": "dry"})
    run = SyncRun.objects.get(dry_run=True)
    assert dry["Location"] == reverse("connectors:run", args=[run.pk]) and Account.objects.count() == 0
    assert run.status == "succeeded" and run.created == 2 + 4 + 2
    admin_client.get(detail)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("connectors:sync", args=[hubspot_connection.pk]), {"mode": "sync"})
    run = SyncRun.objects.filter(dry_run=False).get()
    assert run.status == "succeeded" and run.failed == 1 and Account.objects.count() == 2
    page = admin_client.get(reverse("connectors:run", args=[run.pk]))
    body = page.content.decode()
    assert "Retry 1 failure" in body and str(bad) in body and "e-mail" in body
    fragment = admin_client.get(reverse("connectors:run", args=[run.pk]), **htmx_headers).content.decode()
    assert 'id="run-status"' in fragment and "hx-trigger" not in fragment  # finished: no more polling
    hubspot.update("contacts", bad, {"email": "fixed@example.com"})
    with django_capture_on_commit_callbacks(execute=True):
        retried = admin_client.post(reverse("connectors:run_retry", args=[run.pk]))
    retry = SyncRun.objects.get(retry_of=run)
    assert retried["Location"] == reverse("connectors:run", args=[retry.pk]) and retry.created == 1
    bad_mode = admin_client.post(reverse("connectors:sync", args=[hubspot_connection.pk]), {"mode": "everything"})
    assert bad_mode.status_code == 400


def test_settings_form_checks_its_json(admin_client, hubspot_connection):
    url = reverse("connectors:detail", args=[hubspot_connection.pk])
    admin_client.get(url)
    bad = admin_client.post(url, {"interval_minutes": 30, "deletions": "keep", "options": "{nope"})
    assert bad.status_code == 400 and "Not valid JSON" in bad.content.decode()
    ok = admin_client.post(url, {"interval_minutes": 30, "deletions": "delete", "options": '{"pipeline": "default"}'})
    assert ok.status_code == 302
    hubspot_connection.refresh_from_db()
    assert hubspot_connection.options == {"pipeline": "default"} and hubspot_connection.deletions == "delete"


def test_connections_due_start_their_runs(hubspot, hubspot_connection):
    from connectors.services import connections_due

    seed(hubspot, companies=1)
    runs = connections_due()
    assert [r.connection_id for r in runs] == [hubspot_connection.pk]
    assert connections_due() == []  # next one in an hour
    other = connection_create(kind="hubspot", name="Manual", base_url=hubspot.url, token="pat-valid")
    other.interval_minutes = 0
    other.save()
    assert connections_due() == []
