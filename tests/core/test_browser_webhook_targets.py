"""Browser: an admin who types the cloud metadata address as a webhook URL sees why it is
refused, on the URL field, and nothing is registered."""

import pytest

from core.choices import Role
from core.models import WebhookEndpoint
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_internal_webhook_url_is_refused_on_the_field(page, login, screenshot):
    login(UserFactory(username="hooks", role=Role.ADMIN, first_name="Hal", last_name="Hooks"))
    page.goto("/team/webhooks/")
    page.fill("#id_url", "http://169.254.169.254/latest/meta-data/")
    page.check("input[value='account.churned']")
    page.click("button:has-text('Register')")
    page.wait_for_selector("text=internal address")
    assert "WEBHOOK_ALLOWED_INTERNAL_HOSTS" in page.locator("#id_url").locator("xpath=..").inner_text()
    screenshot("webhook-internal-url-refused")
    assert not WebhookEndpoint.objects.exists()
