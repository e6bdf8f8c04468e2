from datetime import date, timedelta

import pytest

from accounts.choices import Tier
from onboarding import services
from onboarding.choices import ItemOwner, MilestoneKind
from tests.factories import AccountFactory, ContactFactory, SubscriptionFactory
from tests.factories.onboarding import ChecklistTemplateFactory, ChecklistTemplateItemFactory, PersonaFactory


@pytest.fixture
def published_map(db):
    """A map with three stages, published as version 1:
    Set up (event milestone "integration_connected", manual "Kickoff call"),
    Adopt (metric milestone events_30d >= 3), Expand (manual)."""
    persona = PersonaFactory(name="Analyst")
    success_map = services.success_map_create(persona=persona, name="Analyst journey")
    draft = success_map.versions.get()
    setup = services.stage_create(version=draft, name="Set up")
    services.milestone_create(
        stage=setup, title="Connect a data source", kind=MilestoneKind.EVENT, event_name="integration_connected"
    )
    services.milestone_create(stage=setup, title="Kickoff call")
    adopt = services.stage_create(version=draft, name="Adopt")
    services.milestone_create(
        stage=adopt,
        title="Busy month",
        kind=MilestoneKind.METRIC,
        metric_key="events_30d",
        metric_op="gte",
        metric_threshold=3,
    )
    expand = services.stage_create(version=draft, name="Expand")
    services.milestone_create(stage=expand, title="Second team")
    services.vehicle_create(stage=setup, title="Setup course", kind="curriculum", url="https://learn.example.com/setup")
    services.success_map_publish(version=draft)
    return success_map


@pytest.fixture
def account(db):
    account = AccountFactory(tier=Tier.STANDARD, segment="SMB")
    SubscriptionFactory(account=account, start_date=date.today() - timedelta(days=20), is_trial=False)
    return account


@pytest.fixture
def tech_template(db):
    template = ChecklistTemplateFactory(
        name="Tech-touch start", tiers=["standard", "tech_touch"], value_event="report_created"
    )
    ChecklistTemplateItemFactory(
        template=template, position=0, title="Watch the intro", owner=ItemOwner.CUSTOMER, due_offset_days=3
    )
    ChecklistTemplateItemFactory(
        template=template,
        position=1,
        title="Create the first report",
        owner=ItemOwner.CUSTOMER,
        due_offset_days=10,
        completion_event="report_created",
    )
    ChecklistTemplateItemFactory(
        template=template, position=2, title="Check-in email", owner=ItemOwner.CSM, due_offset_days=30
    )
    return template


@pytest.fixture
def shared(published_map, account):
    """A plan shared with an Arabic-speaking customer contact who owns one goal."""
    contact = ContactFactory(account=account, name="Layla Haddad", language="ar")
    plan = services.success_plan_start(account=account, success_map=published_map)
    goal = services.plan_goal_create(plan=plan, title="Upload the customer list", owner_contact=contact)
    link = services.share_link_create(plan=plan, contact=contact, days=14)
    return {"plan": plan, "contact": contact, "goal": goal, "link": link}
