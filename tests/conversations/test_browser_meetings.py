"""Browser: a CSM connects their Google account (the fake provider's consent page, a real
redirect back), the first sync brings a customer meeting, and the prep card opens on the home
page and shows on the account page; desktop, phone, and once with the user in Arabic (right to
left)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from conversations.models import ConnectedAccount, Meeting
from tests.factories import AccountFactory, ContactFactory, HealthScoreFactory
from tests.factories.playbooks import TaskFactory

from .calendars.events import google_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def customer(csm_user, inbound):
    account = AccountFactory(
        name="Acme Corp",
        domain="acme.example",
        owner=csm_user,
        mrr=Decimal("2500"),
        health_score=41,
        health_band="red",
        renewal_date=timezone.now().date() + timedelta(days=60),
    )
    ContactFactory(account=account, email="ana@acme.example", name="Ana Lima")
    HealthScoreFactory(
        account=account,
        score=41,
        band="red",
        measures={"usage_frequency": {"value": 3, "score": 15, "weight": 40, "contribution": 6.0}},
    )
    TaskFactory(account=account, title="Prepare the renewal deck", assignee=csm_user)
    return account


@pytest.mark.parametrize("device", ["desktop", "phone", "arabic"])
def test_connect_google_then_prep_card(page, login, screenshot, fake, csm_user, customer, device):
    if device == "arabic":
        csm_user.language = "ar"
        csm_user.save(update_fields=["language"])
    page.set_viewport_size(VIEWPORTS["desktop" if device == "arabic" else device])
    fake.state.email = csm_user.email
    fake.state.put_google_event(
        google_event(
            "kickoff", timezone.now() + timedelta(days=2), attendees=["ana@acme.example"], title="Renewal kickoff"
        )
    )
    login(csm_user)

    # connect: the provider's consent page, "Allow", and back
    page.goto("/conversations/connected/")
    if device == "arabic":
        assert page.get_attribute("html", "dir") == "rtl" and "الحسابات المتصلة" in page.inner_text("h1")
    screenshot(f"conversations_connected_empty_{device}")
    page.click("button[data-provider=google]")
    page.wait_for_selector("#allow")
    page.click("#allow")
    page.wait_for_url("**/conversations/connected/")
    row = page.locator("[data-testid=connections] tr[data-connection]")
    assert row.count() == 1 and csm_user.email in row.inner_text()
    screenshot(f"conversations_connected_{device}")
    connection = ConnectedAccount.objects.get(user=csm_user)
    assert Meeting.objects.filter(connection=connection, title="Renewal kickoff").exists()

    # the home page lists the meeting; its prep card opens in place
    page.goto("/")
    page.wait_for_selector("[data-testid=home-meeting]")
    page.click("[data-testid=prep-open]")
    card = page.locator("[data-testid=prep-card]")
    card.wait_for(state="visible")
    assert "Prepare the renewal deck" in card.inner_text()
    assert card.locator("[data-testid=prep-health]").inner_text() == "41"
    card.scroll_into_view_if_needed()
    screenshot(f"conversations_home_prep_{device}")

    # the account page shows the upcoming meeting with its prep card
    page.goto(f"/accounts/{customer.pk}/")
    panel = page.locator("#panel-meetings")
    panel.wait_for(state="visible")
    assert "Renewal kickoff" in panel.inner_text() and panel.locator("[data-testid=prep-reason]").count() == 1
    panel.scroll_into_view_if_needed()
    screenshot(f"conversations_account_prep_{device}", full_page=False)

    # mail sync off, then on again: one toggle each
    page.goto("/conversations/connected/")
    page.locator("[data-connection] [data-toggle=mail]").click()
    page.wait_for_url("**/conversations/connected/")
    assert page.locator("[data-connection] [data-toggle=mail]").get_attribute("aria-pressed") == "false"
    screenshot(f"conversations_mail_off_{device}", full_page=False)
    page.locator("[data-connection] [data-toggle=mail]").click()
    page.wait_for_url("**/conversations/connected/")
    assert page.locator("[data-connection] [data-toggle=mail]").get_attribute("aria-pressed") == "true"

    # disconnect
    page.locator("[data-connection] button.danger").click()
    page.wait_for_url("**/conversations/connected/")
    assert page.locator("[data-testid=connections] tr[data-connection]").count() == 0
