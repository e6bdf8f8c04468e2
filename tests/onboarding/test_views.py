"""Pages and permissions: admins configure maps and checklists, CSMs work plans and checklists,
read-only users see and change nothing; pages run a bounded number of queries."""

import pytest
from django.urls import reverse

from core.choices import Role
from onboarding import services
from onboarding.choices import MapVersionStatus
from onboarding.models import AccountChecklistItem, ChecklistTemplate, PlanGoal, SuccessMap
from tests.factories import AccountFactory, ContactFactory, SubscriptionFactory, UserFactory


@pytest.mark.parametrize("name", ["onboarding:map_list", "onboarding:checklist_list"])
def test_config_pages_are_admin_only(client, name, db):
    for role, status in [(Role.READONLY, 403), (Role.CSM, 403), (Role.MANAGER, 403), (Role.ADMIN, 200)]:
        client.force_login(UserFactory(role=role))
        assert client.get(reverse(name)).status_code == status, role


def test_admin_builds_and_publishes_a_map(admin_client, db):
    # given
    url = reverse("onboarding:map_list")
    admin_client.get(url)  # the page that holds the form, as a browser has it
    admin_client.post(reverse("onboarding:persona_create"), {"name": "Ops lead", "description": "Runs the tool"})
    persona_id = __import__("accounts.models", fromlist=["Persona"]).Persona.objects.get(name="Ops lead").pk
    # when
    response = admin_client.post(reverse("onboarding:map_create"), {"persona": persona_id, "name": "Ops road"})
    success_map = SuccessMap.objects.get(name="Ops road")
    edit = reverse("onboarding:map_edit", args=[success_map.pk])
    assert response.url == edit
    admin_client.post(reverse("onboarding:stage_create", args=[success_map.pk]), {"name": "Launch"})
    stage = success_map.versions.get().stages.get()
    admin_client.post(
        reverse("onboarding:milestone_create", args=[stage.pk]),
        {
            "title": "First report",
            "kind": "event",
            "event_name": "report_created",
        },
    )
    bad = admin_client.post(
        reverse("onboarding:milestone_create", args=[stage.pk]), {"title": "x", "kind": "event"}, follow=True
    )
    admin_client.post(
        reverse("onboarding:vehicle_create", args=[stage.pk]),
        {
            "title": "Academy",
            "kind": "curriculum",
            "url": "https://academy.example.com",
        },
    )
    admin_client.post(reverse("onboarding:stage_update", args=[stage.pk]), {"name": "Go live", "description": "Live"})
    admin_client.post(reverse("onboarding:map_publish", args=[success_map.pk]), {"note": "first"})
    # then
    assert bad.status_code == 400 and "event_name" in bad.content.decode()  # the field and the reason
    assert "Name the usage event" in bad.content.decode()
    version = success_map.versions.get()
    assert version.status == MapVersionStatus.PUBLISHED
    stage.refresh_from_db()
    assert (stage.name, stage.description) == ("Go live", "Live")
    assert list(stage.milestones.values_list("title", "event_name")) == [("First report", "report_created")]
    assert stage.vehicles.get().url == "https://academy.example.com"
    page = admin_client.get(edit).content.decode()
    assert "Edit (creates version 2)" in page
    admin_client.post(reverse("onboarding:map_draft", args=[success_map.pk]))
    assert success_map.versions.count() == 2


def test_admin_edits_checklist_templates(admin_client, db):
    url = reverse("onboarding:checklist_list")
    admin_client.get(url)  # the page that holds the form, as a browser has it
    admin_client.post(
        reverse("onboarding:checklist_create"),
        {
            "name": "High-touch",
            "touch_model": "high_touch",
            "tiers": ["strategic", "key"],
            "value_event": "report_created",
        },
    )
    template = ChecklistTemplate.objects.get(name="High-touch")
    assert template.tiers == ["key", "strategic"]
    edit = reverse("onboarding:checklist_edit", args=[template.pk])
    add_item = reverse("onboarding:checklist_item_create", args=[template.pk])
    admin_client.post(add_item, {"title": "Kickoff session", "owner": "csm", "due_offset_days": 5})
    bad = admin_client.post(add_item, {"title": "x", "owner": "csm", "due_offset_days": -1}, follow=True)
    assert bad.status_code == 400 and "due_offset_days" in bad.content.decode()
    assert list(template.items.values_list("title", "due_offset_days")) == [("Kickoff session", 5)]
    admin_client.post(
        reverse("onboarding:settings_update"), {"value_event": "dashboard_viewed", "stalled_days": 10, "stuck_days": 21}
    )
    from onboarding.models import OnboardingSettings

    assert OnboardingSettings.load().stalled_days == 10


def _at(name: str, account, *pks) -> str:
    """The URL of one panel action of the account's success page."""
    return reverse(f"onboarding:{name}", args=[account.pk, *pks])


def test_csm_works_the_account_panels(csm_client, published_map, account, tech_template, htmx_headers):
    # given
    url = reverse("onboarding:account", args=[account.pk])
    contact = ContactFactory(account=account, name="Dana Customer")
    # when: start a plan and a checklist through htmx
    csm_client.get(url)  # the page that holds the form, as a browser has it
    r1 = csm_client.post(_at("plan_start", account), {"success_map": published_map.pk}, **htmx_headers)
    r2 = csm_client.post(_at("checklist_start", account), **htmx_headers)
    plan = account.success_plans.get()
    r3 = csm_client.post(
        _at("goal_create", account),
        {"title": "Train the team", "owner": f"contact:{contact.pk}", "due_date": "2030-01-31"},
        **htmx_headers,
    )
    goal = PlanGoal.objects.get(title="Train the team")
    r4 = csm_client.post(_at("goal_toggle", account, goal.pk), {"done": "1"}, **htmx_headers)
    r5 = csm_client.post(_at("link_create", account), {"contact": contact.pk, "days": 7}, **htmx_headers)
    item = AccountChecklistItem.objects.get(title="Watch the intro")
    r6 = csm_client.post(_at("item_toggle", account, item.pk), {"done": "1"}, **htmx_headers)
    # then: each answer is the changed panel only
    for r in (r1, r3, r4, r5):
        assert r.status_code == 200 and 'id="panel-success-plan"' in r.content.decode()
        assert "<html" not in r.content.decode()
        assert "success-plan-changed" in r["HX-Trigger"]
    for r in (r2, r6):
        assert r.status_code == 200 and 'id="panel-onboarding"' in r.content.decode()
        assert "onboarding-changed" in r["HX-Trigger"]
    goal.refresh_from_db()
    item.refresh_from_db()
    assert plan.owner is not None and goal.owner_contact == contact and goal.is_done and item.is_done
    assert "/plan/" in r5.content.decode()
    link = plan.share_links.get()
    csm_client.post(_at("link_revoke", account, link.pk), **htmx_headers)
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_csm_errors_are_shown_with_the_reason(csm_client, published_map, account, htmx_headers):
    url = reverse("onboarding:account", args=[account.pk])
    csm_client.get(url)  # the page that holds the form, as a browser has it
    csm_client.post(_at("plan_start", account), {"success_map": published_map.pk}, **htmx_headers)
    response = csm_client.post(_at("goal_create", account), {"title": "", "owner": ""}, **htmx_headers)
    assert response.status_code == 200 and "title" in response.content.decode()
    assert 'role="alert"' in response.content.decode() and "HX-Trigger" not in response
    # objects of another account are not reachable through this account's page
    other = AccountFactory()
    SubscriptionFactory(account=other)
    other_plan = services.success_plan_start(account=other, success_map=published_map)
    other_goal = other_plan.goals.first()
    r = csm_client.post(_at("goal_toggle", account, other_goal.pk), {"done": "1"}, **htmx_headers)
    assert r.status_code == 404
    r = csm_client.post(_at("goal_toggle", other, other_goal.pk), {"done": "0"}, **htmx_headers)
    assert r.status_code == 200  # through its own account's URL it is reachable
    r = csm_client.post(_at("goal_toggle", account, other_goal.pk), {"done": "1"}, **htmx_headers)
    assert r.status_code == 404


def test_readonly_sees_but_changes_nothing(client, readonly_user, published_map, account, tech_template):
    # given
    plan = services.success_plan_start(account=account, success_map=published_map)
    services.checklist_start(account=account)
    client.force_login(readonly_user)
    url = reverse("onboarding:account", args=[account.pk])
    # when
    page = client.get(url)
    goal = plan.goals.first()
    response = client.post(_at("goal_toggle", account, goal.pk), {"done": "1"})
    # then
    assert page.status_code == 200
    html = page.content.decode()
    assert "Set up" in html and "hx-post" not in html
    assert response.status_code == 403
    goal.refresh_from_db()
    assert goal.completed_at is None
    assert client.get(reverse("onboarding:board")).status_code == 200
    assert client.get(reverse("onboarding:ttfv")).status_code == 200


def _plans(published_map, n):
    for i in range(n):
        account = AccountFactory(tier="key" if i % 2 else "standard", segment="Mid-market" if i % 3 else "SMB")
        SubscriptionFactory(account=account)
        ContactFactory(account=account)
        services.success_plan_start(account=account, success_map=published_map)


def test_board_filters_and_query_count(
    csm_client, csm_user, published_map, htmx_headers, django_assert_max_num_queries
):
    # given
    _plans(published_map, 4)
    url = reverse("onboarding:board")
    with django_assert_max_num_queries(14):
        page = csm_client.get(url)
    _plans(published_map, 8)
    with django_assert_max_num_queries(14):
        page = csm_client.get(url)
    assert page.status_code == 200 and page.content.decode().count('class="plan-card') == 12
    # when: filtered by tier (htmx: the columns only)
    partial = csm_client.get(url, {"map": published_map.pk, "tier": "key"}, **htmx_headers)
    # then
    html = partial.content.decode()
    assert "<html" not in html and html.count('class="plan-card') == 6
    by_segment = csm_client.get(url, {"segment": "SMB"}, **htmx_headers).content.decode()
    assert by_segment.count('class="plan-card') == 5  # i % 3 == 0: 2 + 3
    by_owner = csm_client.get(url, {"owner": csm_user.pk}, **htmx_headers).content.decode()
    assert by_owner.count('class="plan-card') == 0


def test_board_highlights_stuck_plans(csm_client, published_map, account):
    from datetime import timedelta

    from django.utils import timezone

    from onboarding.models import SuccessPlan

    plan = services.success_plan_start(account=account, success_map=published_map)
    html = csm_client.get(reverse("onboarding:board")).content.decode()
    assert "plan-card stuck" not in html
    SuccessPlan.objects.filter(pk=plan.pk).update(stage_changed_at=timezone.now() - timedelta(days=45))
    html = csm_client.get(reverse("onboarding:board")).content.decode()
    assert "plan-card stuck" in html and "1 stuck" in html


def test_account_page_query_count_does_not_grow(
    csm_client, published_map, account, tech_template, django_assert_max_num_queries
):
    plan = services.success_plan_start(account=account, success_map=published_map)
    services.checklist_start(account=account)
    url = reverse("onboarding:account", args=[account.pk])
    with django_assert_max_num_queries(30) as small:
        csm_client.get(url)
    for i in range(10):
        contact = ContactFactory(account=account)
        services.plan_goal_create(plan=plan, title=f"Goal {i}", owner_contact=contact)
        services.share_link_create(plan=plan, contact=contact)
    with django_assert_max_num_queries(len(small.captured_queries)):
        csm_client.get(url)


def test_ttfv_page(csm_client, account):
    from onboarding.metrics import ttfv

    assert ttfv().overall.accounts == 1
    page = csm_client.get(reverse("onboarding:ttfv"))
    assert page.status_code == 200 and "Median TTFV" in page.content.decode()
