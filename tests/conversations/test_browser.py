"""Conversations in Debian's Chromium: the e-mail review queue (assign, ignore), compose from the
account page to a real SMTP server, and the inbound settings page; desktop and phone; and an
e-mail composed to an Arabic-speaking contact (right to left; the staff pages are not translated
yet). Screenshots go to artifacts/screenshots/conversations_*.png."""

import pytest

from accounts.models import Activity
from conversations.email import email_ingest
from conversations.models import InboundSettings, MailMessage
from tests.factories import AccountFactory, ContactFactory, UserFactory
from tests.factories.conversations import raw_email

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [{"width": 1440, "height": 900}, {"width": 390, "height": 844}]


def _name(viewport):
    return "phone" if viewport["width"] < 760 else "desktop"


@pytest.fixture
def book():
    config = InboundSettings.load()
    config.team_domains = ["team.example"]
    config.save()
    csm = UserFactory(username="carl", first_name="Carl", last_name="Success", email="carl@team.example")
    account = AccountFactory(owner=csm, name="Nile Analytics", external_id="nile", domain="nile.example")
    layla = ContactFactory(account=account, name="ليلى حداد", email="layla@nile.example", language="ar")
    tom = ContactFactory(account=account, name="Tom Baker", email="tom@nile.example", language="en")
    for sender, subject in [
        ("Priya <priya@newcorp.example>", "Pricing for 40 more seats"),
        ("noreply@random.example", "Your weekly digest"),
        ("Jon <jon@other.example>", "Intro from the partner team"),
    ]:
        email_ingest(raw_email(sender=sender, subject=subject), source="inbound")
    return csm, account, layla, tom


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_review_queue_assign_and_ignore(page, login, screenshot, book, viewport):
    csm, account, _layla, _tom = book
    page.set_viewport_size(viewport)
    login(csm)
    page.goto("/conversations/review/")
    assert page.locator(".review-table tbody tr").count() == 3
    screenshot(f"conversations_review_{_name(viewport)}")

    # pick the account from the search list, tick Priya's e-mail, put it on the timeline
    page.fill("#review-account", "Nile")
    page.wait_for_function("document.querySelectorAll('#review-accounts option').length > 0")
    page.fill("#review-account", "nile")
    page.locator("tr", has_text="Pricing for 40 more seats").locator("input[type=checkbox]").check()
    page.click("#review-assign")
    page.wait_for_selector(".messages .success")
    assert page.locator(".review-table tbody tr").count() == 2
    assert Activity.objects.filter(account=account, kind="email", subject="Pricing for 40 more seats").exists()

    # ignore the digest
    page.locator("tr", has_text="Your weekly digest").locator("input[type=checkbox]").check()
    page.click("#review-ignore")
    page.wait_for_selector(".messages .success")
    assert page.locator(".review-table tbody tr").count() == 1
    assert MailMessage.objects.get(subject="Your weekly digest").status == "ignored"

    # assigning without an account says why, where the person acted
    page.locator("tr", has_text="Intro from the partner team").locator("input[type=checkbox]").check()
    page.fill("#review-account", "")
    page.click("#review-assign")
    page.wait_for_selector("#review-error")
    screenshot(f"conversations_review_error_{_name(viewport)}", full_page=False)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_compose_from_the_account_page(page, login, screenshot, book, smtp_server, viewport):
    csm, account, layla, tom = book
    page.set_viewport_size(viewport)
    login(csm)
    page.goto(f"/accounts/{account.pk}/")
    page.click("#write-email")
    page.wait_for_selector("#compose-form")
    page.check(f"#compose-form input[name=recipients][value='{layla.pk}']")
    page.check(f"#compose-form input[name=recipients][value='{tom.pk}']")
    page.fill("#id_subject", "Your renewal, {{ contact.first_name }}")
    page.fill("#id_body", "Hello {{ contact.first_name }},\nshall we meet next week?")
    screenshot(f"conversations_compose_{_name(viewport)}")
    page.click("#compose-send")
    page.wait_for_url(f"**/accounts/{account.pk}/")
    page.wait_for_selector(".messages .success")
    screenshot(f"conversations_compose_sent_{_name(viewport)}")

    assert len(smtp_server.envelopes) == 2
    languages = {m["To"].addresses[0].addr_spec: m["Content-Language"] for m in smtp_server.messages}
    assert languages == {"layla@nile.example": "ar", "tom@nile.example": "en"}
    assert page.locator("#panel-email .mail-row").count() == 2


def test_compose_to_an_arabic_speaking_contact(page, login, screenshot, book, smtp_server):
    """The staff pages are not translated yet (base.html is English, left to right), so the Arabic
    run is the customer's side: Layla's e-mail is written, rendered and sent in Arabic, right to left."""
    csm, account, layla, _tom = book
    login(csm)
    page.goto(f"/conversations/compose/{account.pk}/?contact={layla.pk}")
    assert page.locator(f"#compose-form input[name=recipients][value='{layla.pk}']").is_checked()
    page.fill("#id_subject", "تجديد الاشتراك")
    page.fill("#id_body", "مرحبًا {{ contact.first_name }}، هل نلتقي الأسبوع القادم؟")
    screenshot("conversations_compose_ar")
    page.click("#compose-send")
    page.wait_for_selector(".messages .success")
    sent = smtp_server.messages[0]
    assert sent["Content-Language"] == "ar" and sent["Subject"] == "تجديد الاشتراك"
    assert "ردّ على هذه الرسالة" in sent.get_body(("plain",)).get_content()
    html = sent.get_body(("html",)).get_content()
    assert 'dir="rtl"' in html
    # what the customer sees, in the same browser
    page.set_content(html)
    screenshot("conversations_email_ar_as_received")


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_inbound_settings_page(page, login, screenshot, viewport):
    admin = UserFactory(username="ada", role="admin", email="ada@team.example")
    old = InboundSettings.load().token
    page.set_viewport_size(viewport)
    login(admin)
    page.goto("/conversations/email/settings/")
    assert old in page.locator("#inbound-endpoint").inner_text()
    page.fill("#id_excluded_domains", "newsletter.example")
    page.click("#inbound-settings button[type=submit]")
    page.wait_for_selector(".messages .success")
    assert InboundSettings.load().excluded_domains == ["newsletter.example"]
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#rotate-token")
    page.wait_for_selector(".messages .success")
    assert InboundSettings.load().token != old
    screenshot(f"conversations_settings_{_name(viewport)}")
