"""Browser: the CSV import flow (upload, mapping with live preview, report with a bad row, fix,
import with progress) and the API key page (create shown once, revoke)."""

import pytest

from accounts.models import Account, ImportJob
from core.choices import Role
from core.models import APIKey
from core.services import api_key_authenticate
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAD_CSV = (
    "Account ID,Company,Website,Tier,Segment\n"
    "acme,Acme Corp,acme.test,key,Enterprise\n"
    "globex,Globex,globex.test,platinum,Mid-market\n"
    "initech,Initech,initech.test,standard,SMB\n"
)


def test_csv_import_flow(page, login, screenshot, tmp_path):
    # given
    csm = UserFactory(username="importer", role=Role.CSM, first_name="Ivy", last_name="Importer")
    login(csm)
    bad = tmp_path / "accounts.csv"
    bad.write_text(BAD_CSV)
    # when: upload
    page.goto("/import/")
    page.select_option("#id_kind", "accounts")
    page.set_input_files("#id_file", str(bad))
    page.click("text=Upload and map columns")
    page.wait_for_selector("text=Column mapping")
    # htmx (a deferred script) binds its triggers at DOMContentLoaded: wait for it before changing a select.
    page.wait_for_load_state("load")
    assert page.locator("table.preview").inner_text().count("Acme Corp") == 1
    # the preview follows the mapping (htmx)
    page.select_option("select[name=map_domain]", "")
    page.wait_for_function("!document.querySelector('table.preview').innerText.includes('acme.test')")
    # The selects came with the swapped preview: htmx binds them once it has settled.
    page.wait_for_function("!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    page.select_option("select[name=map_domain]", "Website")
    page.wait_for_function("document.querySelector('table.preview').innerText.includes('acme.test')")
    screenshot("import-mapping")
    # check: the bad row is reported, nothing written
    page.click("text=Check all rows")
    page.wait_for_selector("text=1 problem to fix")
    assert "platinum" in page.locator("#import-report").inner_text()
    screenshot("import-report-bad-row")
    assert not Account.objects.exists()
    # fix the file and import it
    good = tmp_path / "accounts-fixed.csv"
    good.write_text(BAD_CSV.replace("platinum", "strategic"))
    page.goto("/import/")
    page.select_option("#id_kind", "accounts")
    page.set_input_files("#id_file", str(good))
    page.click("text=Upload and map columns")
    page.click("text=Check all rows")
    page.wait_for_selector("text=Ready to import")
    page.click("text=Import 3 rows")
    page.wait_for_selector("#import-progress >> text=Done")
    assert "100%" in page.locator("#import-progress").inner_text()
    screenshot("import-done")
    assert Account.objects.count() == 3
    assert ImportJob.objects.filter(status=ImportJob.Status.DONE).count() == 1
    page.goto("/import/")
    screenshot("import-list")


def test_api_key_page(page, login, screenshot):
    admin = UserFactory(username="root", role=Role.ADMIN, first_name="Ada", last_name="Admin")
    login(admin)
    page.goto("/team/api-keys/")
    page.fill("#id_name", "Segment production")
    page.select_option("#id_scope", "ingest")
    page.click("text=Create key")
    raw = page.locator("#raw-key").inner_text().strip()
    assert api_key_authenticate(raw_key=raw).name == "Segment production"
    screenshot("apikeys-created")
    page.goto("/team/api-keys/")
    assert raw not in page.content()
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Revoke')")
    page.wait_for_selector("text=no longer authenticates")
    screenshot("apikeys-revoked")
    assert APIKey.objects.get().revoked_at is not None


def test_webhooks_page(page, login, screenshot, settings):
    from core.models import WebhookEndpoint

    settings.WEBHOOK_ALLOWED_INTERNAL_HOSTS = ["127.0.0.1"]  # the receiver is on loopback

    admin = UserFactory(username="hooks", role=Role.ADMIN, first_name="Hal", last_name="Hooks")
    login(admin)
    page.goto("/team/webhooks/")
    page.fill("#id_url", "http://127.0.0.1:9/crm-hook")
    page.check("input[value='account.churned']")
    page.check("input[value='health.band_changed']")
    page.fill("#id_description", "CRM sync")
    page.click("button:has-text('Register')")
    page.wait_for_selector("text=Signing secret")
    page.click("button:has-text('Send test')")
    page.wait_for_selector("#deliveries >> text=ping")
    screenshot("webhook-detail")
    page.goto("/team/webhooks/")
    screenshot("webhook-list")
    assert WebhookEndpoint.objects.get().events == ["account.churned", "health.band_changed"]
