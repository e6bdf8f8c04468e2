"""The account's success page and its panels: CSMs work plans and checklists, one URL per action
answering the changed panel; read-only users see and change nothing; bounded queries."""

import pytest
from django.test import Client
from django.urls import reverse

from onboarding import services
from onboarding.models import AccountChecklistItem, PlanGoal
from tests.factories import AccountFactory, ContactFactory, SubscriptionFactory


@pytest.fixture(autouse=True)
def _csm_owns_the_account(account, csm_user):
    """CSMs write only their book (accounts.access): the account is csm's."""
    account.owner = csm_user
    account.save(update_fields=["owner"])


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
    other = AccountFactory(owner=account.owner)
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


def test_panel_actions_enforce_csrf_and_post_only(csm_user, published_map, account):
    """A browser's form carries the page's CSRF token; without it the action is refused."""
    # given a CSM's browser that has loaded the page
    client = Client(enforce_csrf_checks=True)
    client.force_login(csm_user)
    page = client.get(reverse("onboarding:account", args=[account.pk]))
    csrf = page.cookies["csrftoken"].value
    url = _at("plan_start", account)
    # when / then
    assert client.get(url).status_code == 405
    assert client.post(url, {"success_map": published_map.pk}).status_code == 403
    response = client.post(url, {"success_map": published_map.pk, "csrfmiddlewaretoken": csrf})
    assert response.status_code == 302 and response["Location"] == reverse("onboarding:account", args=[account.pk])
    assert account.success_plans.count() == 1


def test_plain_post_error_goes_back_with_a_message(csm_client, account):
    # given an account no checklist template fits
    url = reverse("onboarding:account", args=[account.pk])
    csm_client.get(url)  # the page that holds the form, as a browser has it
    # when the CSM starts a checklist without htmx
    response = csm_client.post(_at("checklist_start", account), {"next": url}, follow=True)
    # then the page comes back and says why
    assert response.redirect_chain == [(url, 302)]
    assert "No active checklist template fits" in response.content.decode()
