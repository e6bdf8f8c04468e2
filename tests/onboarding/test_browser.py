"""End to end in Chromium: an admin builds a map, a CSM starts a plan and a checklist for an
account and shares the plan, the customer ticks their item through the shared link (in Arabic,
right to left), an ingested usage event completes an onboarding item, and TTFV appears."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from core.choices import APIKeyScope
from core.services import api_key_create
from onboarding.models import AccountChecklistItem, PlanGoal
from tests.factories import AccountFactory, ContactFactory, SubscriptionFactory
from tests.factories.onboarding import ChecklistTemplateFactory, ChecklistTemplateItemFactory, PersonaFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logout(page):
    page.context.clear_cookies()


def test_map_plan_share_event_ttfv(page, login, screenshot, admin_user, csm_user, live_server):
    # given: an account with a paid contract, an Arabic-speaking contact, a tier checklist
    PersonaFactory(name="Champion")
    account = AccountFactory(name="Nile Analytics", external_id="nile", tier="standard", owner=csm_user)
    # the value event comes two hours ago: the contract starts six UTC days before that day, so the
    # test means the same in the first hours of a UTC day
    occurred_at = timezone.now() - timedelta(hours=2)
    SubscriptionFactory(account=account, start_date=occurred_at.date() - timedelta(days=6))
    ContactFactory(account=account, name="ليلى حداد", external_id="layla", language="ar")
    template = ChecklistTemplateFactory(name="Tech-touch onboarding", tiers=["standard"], value_event="report_created")
    ChecklistTemplateItemFactory(template=template, title="Watch the intro course", due_offset_days=3)
    ChecklistTemplateItemFactory(
        template=template, title="Create the first report", due_offset_days=10, completion_event="report_created"
    )

    # an admin builds a map and publishes it
    login(admin_user)
    page.goto("/success/maps/")
    page.select_option("#id_persona", label="Champion")
    page.fill("#id_name", "Champion road")
    page.click("text=Create map")
    page.fill("#add-stage input[name=name]", "Set up")
    page.fill("#add-stage input[name=description]", "Data flows in")
    page.click("#add-stage button")
    page.fill("#add-stage input[name=name]", "Adopt")
    page.click("#add-stage button")
    setup = page.locator("section.stage-card[data-stage='Set up']")
    setup.locator(".milestone-form input[name=title]").fill("Kickoff call")
    setup.locator(".milestone-form button").click()
    setup = page.locator("section.stage-card[data-stage='Set up']")
    setup.locator(".vehicle-form input[name=title]").fill("Setup course")
    setup.locator(".vehicle-form select[name=kind]").select_option("curriculum")
    setup.locator(".vehicle-form input[name=url]").fill("https://academy.example.com/setup")
    setup.locator(".vehicle-form button").click()
    adopt = page.locator("section.stage-card[data-stage='Adopt']")
    adopt.locator(".milestone-form input[name=title]").fill("First report")
    adopt.locator(".milestone-form select[name=kind]").select_option("event")
    adopt.locator(".milestone-form input[name=event_name]").fill("report_created")
    adopt.locator(".milestone-form button").click()
    screenshot("onboarding_map_editor_draft")
    page.click("#publish-btn")
    assert page.locator(".tabs a.active").inner_text().startswith("v1")
    assert "event: report_created" in page.locator("section.stage-card[data-stage='Adopt']").inner_text()
    screenshot("onboarding_map_editor")
    page.goto("/success/checklists/")
    page.click("text=Tech-touch onboarding")
    page.fill("#add-item input[name=title]", "Configure an alert")
    page.fill("#add-item input[name=completion_event]", "alert_configured")
    page.click("#add-item button")
    assert "alert_configured" in page.inner_text("table")
    screenshot("onboarding_checklist_template")
    page.goto("/success/checklists/")
    screenshot("onboarding_checklist_list")

    # a CSM starts a plan and a checklist, adds a goal for the customer and shares the plan
    _logout(page)
    login(csm_user)
    page.goto(f"/accounts/{account.pk}/")  # the account 360 page shows the two panels
    page.click("#plan-start button")
    page.wait_for_selector("#plan-current")
    assert "Set up" in page.inner_text("#plan-current")
    page.fill("#goal-add input[name=title]", "Upload the customer list")
    page.select_option("#goal-add select[name=owner]", label="ليلى حداد")
    page.click("#goal-add button")
    page.wait_for_selector("[data-goal='Upload the customer list']")
    page.click("#checklist-start button")
    page.wait_for_selector("[data-item='Create the first report']")
    assert "waiting for report_created" in page.inner_text("#ttfv-value")
    page.select_option("#share-form select[name=contact]", label="ليلى حداد (ar)")
    page.click("#share-form button")
    page.wait_for_selector(".share-link .link-url")
    share_url = page.inner_text(".share-link .link-url")
    screenshot("onboarding_account_panels")

    # the customer opens the link without logging in, in Arabic, and ticks their item
    _logout(page)
    page.goto(share_url)
    assert page.get_attribute("html", "dir") == "rtl" and page.get_attribute("html", "lang") == "ar"
    assert "خطة النجاح" in page.inner_text("h1")
    row = page.locator("[data-goal='Upload the customer list']")
    assert row.locator("form").count() == 1
    assert page.locator("[data-goal='Kickoff call'] form").count() == 0  # a CSM's goal: read-only
    row.locator("button").click()
    page.wait_for_selector("[data-goal='Upload the customer list'].done")
    screenshot("onboarding_customer_plan_ar")
    assert PlanGoal.objects.get(title="Upload the customer list").completion_source == "customer"
    page.goto(share_url + "?lang=en")
    assert page.get_attribute("html", "dir") == "ltr"
    screenshot("onboarding_customer_plan_en")

    # the product reports "report_created": ingestion completes the item and gives TTFV
    _, key = api_key_create(name="product", scope=APIKeyScope.INGEST)
    occurred = occurred_at.isoformat()
    response = page.request.post(
        f"{live_server.url}/api/v1/events/bulk",
        data=[{"account": "nile", "event": "report_created", "occurred_at": occurred, "message_id": "m-1"}],
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.ok, response.text()
    item = AccountChecklistItem.objects.get(title="Create the first report")
    assert item.completion_source == "event"

    login(csm_user)
    page.goto(f"/accounts/{account.pk}/")
    assert page.locator("[data-item='Create the first report'].done").count() == 1
    assert "6 days" in page.inner_text("#ttfv-value")
    assert "Adopt" in page.inner_text("#plan-current") or "Set up" in page.inner_text("#plan-current")
    screenshot("onboarding_account_panels_after_event")
    page.goto("/success/ttfv/")
    assert page.inner_text("#ttfv-median").strip() == "6 d"
    screenshot("onboarding_ttfv")
    page.goto("/success/")
    assert page.locator(".plan-card[data-account='Nile Analytics']").count() == 1
    screenshot("onboarding_board")


def test_board_filters_with_demo_data(page, login, screenshot, csm_user, readonly_user):
    """The board on demo-like data: htmx filters swap the columns; a read-only user sees the
    account's panels without a single control."""
    import random

    from demo.context import DemoContext
    from demo.onboarding import onboarding_demo_step
    from onboarding.models import SuccessPlan
    from tests.factories import UsageEventFactory

    # given: 45 paying accounts, a third of them started recently, with product events
    rng = random.Random(7)
    today = date.today()
    ids = []
    for i in range(45):
        tier = ["standard", "key", "tech_touch", "strategic"][i % 4]
        account = AccountFactory(
            name=f"{rng.choice(['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli'])} {i}",
            tier=tier,
            segment=["SMB", "Mid-market", "Enterprise"][i % 3],
            mrr=500 + i,
            owner=csm_user if i % 2 else None,
        )
        start = today - timedelta(days=rng.randint(5, 110) if i % 3 == 0 else rng.randint(130, 300))
        SubscriptionFactory(account=account, start_date=start)
        ContactFactory(account=account)
        for name in rng.sample(["integration_connected", "user_invited", "report_created", "alert_configured"], 2):
            when = timezone.now() - timedelta(days=rng.randint(0, (today - start).days))
            UsageEventFactory(account=account, event=name, occurred_at=when)
        ids.append(account.pk)
    ctx = DemoContext(
        seed=3,
        n_accounts=45,
        today=today,
        rng=random.Random(3),
        log=lambda m: None,
        extra={"account_ids": ids, "churned_account_ids": set()},
    )
    onboarding_demo_step(ctx)
    champion_plans = SuccessPlan.objects.filter(map_version__success_map__name__startswith="Champion", status="active")
    # when
    login(csm_user)
    page.goto("/success/")
    page.select_option("#board-filters select[name=map]", label="Champion · Champion: rollout to self-serve insight")
    page.wait_for_url("**map=**")
    total = page.locator(".plan-card").count()
    screenshot("onboarding_board_demo")
    page.select_option("#board-filters select[name=tier]", "standard")
    page.wait_for_url("**tier=standard**")
    # then
    assert total == champion_plans.count()
    assert page.locator(".plan-card").count() == champion_plans.filter(account__tier="standard").count()
    assert "tier=standard" in page.url
    page.goto("/success/ttfv/")
    screenshot("onboarding_ttfv_demo")
    page.context.clear_cookies()
    login(readonly_user)
    page.goto(f"/success/accounts/{champion_plans.first().account_id}/")
    assert page.locator("#panel-success-plan form, #panel-onboarding form").count() == 0
    screenshot("onboarding_account_panels_readonly")
