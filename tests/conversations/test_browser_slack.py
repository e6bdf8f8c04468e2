"""The "Slack and Teams" page in Chromium: an admin sets the app up (against the local fake of
Slack's Web API), links their own Slack account by e-mail, picks what they get in Slack and adds
a Teams channel; desktop, phone, and once in Arabic (right to left)."""

import pytest
from django.core.cache import cache
from django.test import override_settings

from conversations.models import SlackUserLink, SlackWorkspace, TeamsWebhook
from notifications.channels import channel_kinds_for
from tests.conftest import SCREENSHOTS

from .fake_slack import TOKEN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(browser, live_server, user, viewport, locale="en-US"):
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pass1234!")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return context, page


@pytest.mark.parametrize(
    ("viewport", "language"),
    [
        ({"width": 1440, "height": 900}, "en"),
        ({"width": 390, "height": 844}, "en"),
        ({"width": 1440, "height": 900}, "ar"),
    ],
    ids=["desktop", "phone", "arabic"],
)
def test_slack_settings_page(browser, live_server, admin_user, fake_slack, viewport, language):
    # given
    cache.clear()
    admin_user.language = language
    admin_user.email = "admin@example.com"
    admin_user.save(update_fields=["language", "email"])
    fake_slack.users_by_email["admin@example.com"] = "U0ADMIN"
    context, page = _login(browser, live_server, admin_user, viewport, locale=language)
    try:
        page.goto("/settings/slack/")
        if language == "ar":
            assert page.locator("html").get_attribute("dir") == "rtl"
        # when: the app is set up
        page.fill("#id_bot_token", TOKEN)
        page.fill("#id_signing_secret", "secret-1")
        page.fill("#id_default_channel", "C0CS")
        page.fill("#id_api_url", fake_slack.api_url)
        page.locator("#slack-app button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        # a bad token is refused on its field (and nothing else changes)
        assert SlackWorkspace.objects.get().bot_token == TOKEN
        # then: the user links their account by e-mail and picks what they get
        page.locator("#slack-me button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        assert SlackUserLink.objects.get(user=admin_user).slack_user_id == "U0ADMIN"
        assert "U0ADMIN" in page.locator("#slack-me").inner_text()
        page.locator("#slack-choices input[value=task_assigned]").check()
        page.locator("#slack-choices input[value=key_account_red]").check()
        page.locator("#slack-choices button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        assert channel_kinds_for(user_ids=[admin_user.pk], channel="slack")[admin_user.pk] == {
            "task_assigned",
            "key_account_red",
        }
        assert page.locator("#slack-choices input[value=task_assigned]").is_checked()
        # a Teams channel: a refused address is a form error, a good one is listed
        page.fill("#id_name", "CS alerts")
        page.fill("#id_url", "http://127.0.0.1:9/teams")
        page.locator("#teams button[type=submit]").last.click()
        page.wait_for_load_state("networkidle")
        assert page.locator("#teams .errorlist").count() == 1 and TeamsWebhook.objects.count() == 0
        with override_settings(WEBHOOK_ALLOWED_INTERNAL_HOSTS=["127.0.0.1"]):
            page.fill("#id_name", "CS alerts")
            page.fill("#id_url", f"{fake_slack.url}/teams/cs")
            page.locator("#teams button[type=submit]").last.click()
            page.wait_for_load_state("networkidle")
        assert TeamsWebhook.objects.count() == 1 and "CS alerts" in page.locator("#teams").inner_text()
        # nothing wider than the screen
        assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = "phone" if viewport["width"] < 500 else "desktop"
        page.screenshot(path=str(SCREENSHOTS / f"conversations_slack_settings_{name}_{language}.png"), full_page=True)
    finally:
        context.close()
