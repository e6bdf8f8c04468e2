"""The person page in Debian's Chromium, reached from the account page's contact list, on a
desktop and on a phone: its panels, "Show older events" in place. Screenshots go to
artifacts/screenshots/person_*.png."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import ActivityKind
from accounts.services import activity_create
from tests.factories import (
    AccountFactory,
    ContactFactory,
    SupportTicketFactory,
    SurveyResponseFactory,
    TaskFactory,
    UsageEventFactory,
    UserFactory,
)
from usage.models import AccountDailyContact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def person():
    csm = UserFactory(username="carl", first_name="Carl", last_name="Success")
    account = AccountFactory(owner=csm, name="Initech")
    contact = ContactFactory(
        account=account,
        name="Peter Gibbons",
        title="Staff engineer",
        language="fa",
        timezone="Asia/Tehran",
        last_seen_at=timezone.now() - timedelta(hours=3),
    )
    now = timezone.now()
    for i in range(20):
        day = now - timedelta(days=i * 3, hours=i)
        UsageEventFactory(
            account=account,
            contact=contact,
            event=("report_viewed", "export_csv", "dashboard_shared")[i % 3],
            occurred_at=day,
            properties={"plan": "growth", "n": i},
        )
        AccountDailyContact.objects.get_or_create(account=account, day=day.date(), contact_id=contact.pk)
    SupportTicketFactory(account=account, contact=contact, subject="SSO login loops")
    SurveyResponseFactory(account=account, contact=contact, score=4, comment="Exports are slow for big reports")
    activity_create(
        account=account,
        kind=ActivityKind.CALL,
        subject="Onboarding call",
        author=csm,
        contact=contact,
        body="Walked through dashboards.",
    )
    TaskFactory(account=account, assignee=csm, title="Follow up on the NPS 4", signal={"contact_id": contact.pk})
    return csm, account, contact


@pytest.mark.parametrize(
    "viewport", [{"width": 1440, "height": 900}, {"width": 390, "height": 844}], ids=["desktop", "phone"]
)
def test_person_page_from_the_account_page(page, login, screenshot, person, viewport):
    csm, account, contact = person
    page.set_viewport_size(viewport)
    login(csm)
    page.goto(f"/accounts/{account.pk}/")
    page.locator("#contacts-card").get_by_role("link", name="Peter Gibbons").click()
    page.wait_for_url(f"**/accounts/contacts/{contact.pk}/")

    assert page.locator("h1").inner_text() == "Peter Gibbons"
    for card, text in (
        ("#contact-usage", "report_viewed"),
        ("#contact-surveys", "Exports are slow"),
        ("#contact-tickets", "SSO login loops"),
        ("#contact-timeline", "Onboarding call"),
        ("#contact-tasks", "Follow up on the NPS 4"),
        ("#contact-fields", "Asia/Tehran"),
    ):
        assert text in page.locator(card).inner_text(), card
    assert page.locator(".active-days i.on").count() >= 10
    rows = page.locator("#contact-usage tbody tr")
    assert rows.count() == 16  # 15 events and the "Show older events" row
    page.get_by_role("button", name="Show older events").click()
    page.wait_for_function("document.querySelectorAll('#contact-usage tbody tr').length === 20")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"] + 1, "the page scrolls sideways"
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(f"person_{'phone' if viewport['width'] < 760 else 'desktop'}")

    page.get_by_role("link", name="Initech").first.click()
    page.wait_for_url(f"**/accounts/{account.pk}/")


@pytest.mark.parametrize(
    "viewport", [{"width": 1440, "height": 900}, {"width": 390, "height": 844}], ids=["desktop", "phone"]
)
def test_person_page_edits_the_contact_in_place(page, login, screenshot, person, viewport):
    from tests.factories import CustomFieldDefinitionFactory

    csm, account, contact = person
    CustomFieldDefinitionFactory(entity="contact", key="seats", field_type="number", labels={"en": "Seats owned"})
    page.set_viewport_size(viewport)
    login(csm)
    page.goto(f"/accounts/contacts/{contact.pk}/")
    # a contact field: the pencil, a bad value on the field, then a good one
    row = page.locator(f"#field-contact-{contact.pk}-email")
    row.get_by_role("button", name="Edit E-mail").click()
    page.fill(f"#input-contact-{contact.pk}-email", "not mail")
    page.locator(f"#field-contact-{contact.pk}-email").get_by_role("button", name="Save").click()
    page.locator(f"#field-contact-{contact.pk}-email .errorlist").wait_for()
    page.fill(f"#input-contact-{contact.pk}-email", "peter@initech.example")
    page.locator(f"#field-contact-{contact.pk}-email").get_by_role("button", name="Save").click()
    page.locator(f"#field-contact-{contact.pk}-email:not(.editing)").wait_for()
    assert "peter@initech.example" in page.locator(f"#field-contact-{contact.pk}-email").inner_text()
    # a custom field
    cf = page.locator(f"#cf-contact-{contact.pk}-seats")
    cf.get_by_role("button", name="Edit Seats owned").click()
    page.locator(f"#cf-contact-{contact.pk}-seats input[name=value]").fill("12")
    page.locator(f"#cf-contact-{contact.pk}-seats").get_by_role("button", name="Save").click()
    page.locator(f"#cf-contact-{contact.pk}-seats .cf-value").wait_for()
    assert "12" in page.locator(f"#cf-contact-{contact.pk}-seats").inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"] + 1, "the page scrolls sideways"
    page.locator("#contact-fields").scroll_into_view_if_needed()
    screenshot(f"person_edit_{'phone' if viewport['width'] < 760 else 'desktop'}", full_page=True)
    contact.refresh_from_db()
    assert contact.email == "peter@initech.example" and contact.custom_fields["seats"] == 12
