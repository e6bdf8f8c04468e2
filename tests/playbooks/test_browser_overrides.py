"""Playwright: the health triggers' "Manual overrides" option in the playbook form (issue 15, item 12)."""

import pytest
from playwright.sync_api import expect

from playbooks.models import Playbook
from tests.factories.playbooks import TaskTemplateFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_builder_offers_the_override_option_and_saves_it(page, login, screenshot, admin_user):
    template = TaskTemplateFactory(name="Call the sponsor")
    login(admin_user)
    page.goto("/playbooks/new/")
    page.fill("input[name=name]", "Red health, overrides too")
    page.select_option("select[name=trigger_type]", "health_band_change")
    option = page.locator("select[name=p_health_band_change__on_overrides]")
    expect(option).to_be_visible()
    expect(option).to_have_value("ignore")  # the default: a CSM's override is not news
    option.select_option("fire")
    page.locator("select[name$='-type']").first.select_option("task")
    page.locator("select[name$='-task_template']").first.select_option(str(template.pk))
    page.locator(".trigger-params.active").scroll_into_view_if_needed()
    screenshot("playbooks_builder_override_option", full_page=False)
    page.get_by_role("button", name="Save playbook").click()
    page.wait_for_load_state("networkidle")
    playbook = Playbook.objects.get(name="Red health, overrides too")
    assert playbook.trigger_params["on_overrides"] == "fire"
