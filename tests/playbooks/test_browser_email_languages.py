"""The playbook editor in a browser, desktop and phone: an admin writes an e-mail template's Arabic
subject and body on its language tab (an engine error comes back on the field), and builds a
playbook that e-mails it; in Arabic (right to left) once the staff side speaks the user's language."""

import pytest
from django.conf import settings

from playbooks.models import EmailTemplate
from tests.factories.playbooks import EmailTemplateFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [{"width": 1440, "height": 900}, {"width": 390, "height": 844}]
STAFF_LANGUAGE = "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE


def _name(viewport) -> str:
    return "phone" if viewport["width"] < 760 else "desktop"


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_admin_writes_an_email_template_in_arabic(page, login, screenshot, admin_user, viewport):
    # given an e-mail template written in the default language
    template = EmailTemplateFactory(name="Renewal note", subject="Your renewal, {{ account.name }}", body="Hi.")
    page.set_viewport_size(viewport)
    login(admin_user)
    page.goto(f"/playbooks/templates/email/{template.pk}/")
    # when the admin opens its Arabic tab and writes a broken subject, then a good one
    page.locator("#content-language-tabs").get_by_role("link", name="العربية").click()
    page.wait_for_selector("#template-translations")
    subject = page.locator(f"#id_template-{template.pk}-subject")
    assert subject.get_attribute("lang") == "ar" and subject.get_attribute("dir") == "auto"
    subject.fill("{% include 'x' %}")
    page.click("#save-translations")
    page.wait_for_selector("#template-translations .errorlist")
    assert "include" in page.locator("#template-translations .errorlist").inner_text()
    page.fill(f"#id_template-{template.pk}-subject", "تجديدكم، {{ account.name }}")
    page.fill(f"#id_template-{template.pk}-body", "مرحبًا {{ contact.name }}.")
    screenshot(f"playbooks_email_template_ar_tab_{_name(viewport)}")
    page.click("#save-translations")
    page.wait_for_url("**lang=ar")
    # then the Arabic texts are stored beside the default ones, and the tab says Arabic is complete
    template = EmailTemplate.objects.get(pk=template.pk)
    assert template.translations == {
        "ar": {"subject": "تجديدكم، {{ account.name }}", "body": "مرحبًا {{ contact.name }}."}
    }
    assert "✓" in page.locator("#content-language-tabs a[data-lang=ar]").inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"] + 1, "the page scrolls sideways"


@pytest.mark.skipif(not STAFF_LANGUAGE, reason="the staff side follows the user's language with issue 22 part 1")
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_playbook_editor_in_arabic_right_to_left(browser, live_server, admin_user, viewport):
    EmailTemplateFactory(name="Renewal note")
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="ar")
    context.add_cookies([{"name": "pulse_language", "value": "ar", "url": live_server.url}])
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", admin_user.username)
    page.fill("#id_password", "pass1234!")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto("/playbooks/new/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("h1").inner_text() == "دليل إجراءات جديد"
    page.select_option("select[name=actions-0-type]", "email")
    assert page.locator("select[name=actions-0-email_template]").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"] + 1, "the page scrolls sideways"
    from tests.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"playbooks_editor_ar_{_name(viewport)}.png"), full_page=True)
    context.close()
