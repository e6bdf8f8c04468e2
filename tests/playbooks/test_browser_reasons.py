"""A task's reason in its reader's language, in a browser: a CSM working in Arabic (right to left)
and one working in Chinese read why a renewal playbook gave them a task, on the inbox and the
task's page, desktop and phone; the English sentence stays what the API returns."""

from datetime import timedelta
from decimal import Decimal

import pytest
from babel.dates import format_skeleton
from django.utils import timezone

from playbooks.evaluation import playbook_evaluate
from playbooks.models import Task
from tests.conftest import SCREENSHOTS
from tests.factories import AccountFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [{"width": 1440, "height": 900}, {"width": 390, "height": 844}]


def said(language, renewal):
    """ "renews on 06 Jan 2027 (in 30 days), ARR 12,000" as each language says it."""
    if language == "ar":
        return (f"يتجدد في {format_skeleton('yMMMd', renewal, locale='ar')}", "بعد 30 يومًا", "الإيراد السنوي 12,000")
    return (f"将于 {format_skeleton('yMMMd', renewal, locale='zh_Hans_CN')} 续约（30 天后）", "ARR 12,000")


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
@pytest.mark.parametrize("language", ["ar", "zh-hans"])
def test_the_inbox_says_why_in_the_readers_language(browser, live_server, csm_user, make_playbook, viewport, language):
    today = timezone.now().date()
    renewal = today + timedelta(days=30)
    AccountFactory(name="Initech", owner=csm_user, renewal_date=renewal, mrr=Decimal("1000"))
    playbook_evaluate(playbook=make_playbook("renewal_due", {"days": 90}), as_of=today)
    task = Task.objects.get()
    assert task.reason.startswith("renews on ") and task.reason.endswith("(in 30 days), ARR 12,000")

    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale=language)
    context.add_cookies([{"name": "pulse_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", csm_user.username)
    page.fill("#id_password", "pass1234!")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")

    page.goto("/tasks/")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    why = page.locator(".reason").first.inner_text()
    assert all(part in why for part in said(language, renewal)), why
    assert "renews on" not in why
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    name = "phone" if viewport["width"] < 760 else "desktop"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"playbooks_reason_{language}_{name}.png"), full_page=True)

    page.goto(f"/tasks/{task.pk}/")
    detail = page.locator("#task-reason").inner_text()
    assert all(part in detail for part in said(language, renewal)), detail
    context.close()
