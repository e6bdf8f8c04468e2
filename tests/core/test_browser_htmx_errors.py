"""Browser: a refused htmx request shows its message where the user acted (issue 15, item 6).

The four cases of the issue, plus an error page (403) answered to an htmx request: before
static/js/htmx_errors.js, htmx 2 swapped no 4xx answer and these clicks showed nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.choices import Role
from health.models import HealthOverride
from playbooks.models import Task
from tests.factories import AccountFactory
from tests.factories.playbooks import TaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_override_with_a_past_expiry_says_why_under_the_date(page, login, csm_user, screenshot):
    # given
    account = AccountFactory(name="Acme Analytics", owner=csm_user)
    login(csm_user)
    page.goto(f"/accounts/{account.pk}/")
    card = page.locator("[data-testid=health-card]")
    # when
    page.fill("#ov-score", "80")
    page.fill("#ov-reason", "Sponsor committed")
    page.fill("#ov-until", (timezone.now().date() - timedelta(days=1)).isoformat())
    card.locator("button", has_text="Override").click()
    # then: the card comes back with the message beside the field
    error = card.locator("#ov-until + .errorlist")
    error.wait_for()
    assert "Pick a day after today" in error.inner_text()
    assert not HealthOverride.objects.exists()
    card.screenshot(path=str(screenshot("htmx-error-override").with_name("htmx-error-override-card.png")))


def test_a_playbook_preview_with_a_negative_arr_says_what_to_fix(page, login, admin_user, screenshot):
    # given
    login(admin_user)
    page.goto("/playbooks/new/")
    page.fill("#id_name", "Big accounts")
    # when
    page.fill("#id_arr_min", "-5")
    page.click("button:has-text('Preview matches')")
    # then
    errors = page.locator("#preview [data-testid=preview-errors]")
    errors.wait_for()
    text = errors.inner_text()
    assert "ARR at least" in text and "greater than or equal to 0" in text
    page.locator("#preview").scroll_into_view_if_needed()
    screenshot("htmx-error-playbook-preview", full_page=False)


def test_a_bulk_action_with_nothing_ticked_says_tick_a_task(page, login, csm_user, screenshot):
    # given
    TaskFactory(account=AccountFactory(owner=csm_user), title="Call Acme")
    login(csm_user)
    page.goto("/tasks/")
    # when
    page.select_option("#bulk-form select[name=action]", "snooze")
    page.click("#bulk-form button[type=submit]")
    # then: the message stands right under the bulk bar
    error = page.locator("#inbox-groups .messages li.error")
    error.wait_for()
    assert error.inner_text() == "Tick at least one task below."
    assert Task.objects.get().status == "open"
    screenshot("htmx-error-bulk", full_page=False)


def test_a_scorecard_weight_of_500_is_refused_beside_the_field(page, login, admin_user, screenshot):
    # given
    login(admin_user)
    page.goto("/health/scorecards/new/")
    page.wait_for_load_state("networkidle")
    assert page.locator(".htmx-error").count() == 0  # the preview on load says nothing of fields not filled yet
    page.fill("#id_name", "Enterprise")
    weight = page.locator("input[name$='-weight']").first
    label = weight.locator("xpath=ancestor::tr//strong").inner_text()
    # when: the browser's own check refuses it (htmx sends nothing)
    weight.fill("500")
    weight.dispatch_event("change")
    # then: its message stands right after the field
    alert = page.locator("input[name$='-weight'] + .htmx-error")
    alert.wait_for()
    assert "100" in alert.inner_text()
    screenshot("htmx-error-scorecard-weight", full_page=False)
    # when: a browser that does not check (no max) sends it: the server refuses it (400)
    weight.evaluate("e => e.removeAttribute('max')")
    weight.dispatch_event("change")
    # then: the preview says which measure and field, and the stale browser alert is gone
    page.locator("#preview .reason", has_text=f"{label} · weight").wait_for()
    assert "less than or equal to 100" in page.locator("#preview").inner_text()
    assert page.locator(".htmx-error").count() == 0


def test_an_error_page_answered_to_htmx_shows_its_message_beside_the_form(page, login, csm_user, screenshot):
    # given: a CSM on an account page, demoted to read-only meanwhile
    account = AccountFactory(name="Acme Analytics", owner=csm_user)
    login(csm_user)
    page.goto(f"/accounts/{account.pk}/")
    type(csm_user).objects.filter(pk=csm_user.pk).update(role=Role.READONLY)
    # when
    page.fill("#ov-score", "80")
    page.fill("#ov-reason", "Sponsor committed")
    page.locator("[data-testid=health-card] button", has_text="Override").click()
    # then: the 403 page's message, in an alert inside the form the CSM used
    alert = page.locator("[data-testid=health-card] form .htmx-error")
    alert.wait_for()
    assert alert.inner_text() == "This needs the CSM role. Ask an admin if you need access."
    assert alert.get_attribute("role") == "alert"
