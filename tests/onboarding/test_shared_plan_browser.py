"""The customer's shared plan (/plan/<token>/) from a fresh Chromium: no login, no earlier
cookie; the customer ticks the goal they own and the tick is stored (its form carries the CSRF
token of the page, whose cookie the page itself sets)."""

import pytest

from onboarding import services
from onboarding.models import PlanGoal
from tests.factories import ContactFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_ticks_their_goal_in_a_fresh_browser(page, screenshot, published_map, account):
    # given a plan shared with a customer contact, opened in a new browser
    contact = ContactFactory(account=account, name="Dana Scully", language="en")
    plan = services.success_plan_start(account=account, success_map=published_map)
    services.plan_goal_create(plan=plan, title="Upload the customer list", owner_contact=contact)
    link = services.share_link_create(plan=plan, contact=contact, days=14)
    assert page.context.cookies() == []
    page.goto(f"/plan/{services.share_link_token(link)}/")
    row = page.locator("[data-goal='Upload the customer list']")
    # when they tick the goal they own
    row.locator("button").click()
    # then the page shows it done and it is stored as the customer's
    page.wait_for_selector("[data-goal='Upload the customer list'].done")
    screenshot("onboarding_shared_plan_ticked")
    goal = PlanGoal.objects.get(title="Upload the customer list")
    assert goal.completed_at is not None and goal.completion_source == "customer"
