"""The customer's shared plan: a signed, revocable, expiring, read-only link. Forged, revoked
and expired links are refused; another account's plan is never visible; the customer ticks only
goals owned by a customer contact, with CSRF."""

from datetime import timedelta

from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onboarding import services
from onboarding.models import PlanShareLink
from onboarding.selectors import SHARE_SALT
from tests.factories import AccountFactory, ContactFactory, SubscriptionFactory


def _url(link: PlanShareLink) -> str:
    return reverse("onboarding:shared_plan", args=[services.share_link_token(link)])


def test_customer_sees_the_plan_without_login_in_their_language(client, shared):
    # when
    response = client.get(_url(shared["link"]))
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    assert "خطة النجاح" in html
    assert "Upload the customer list" in html and "Set up" in html
    assert 'content="same-origin"' in html  # the token never leaks to the vehicles' sites
    # an explicit language choice wins
    english = client.get(_url(shared["link"]) + "?lang=en").content.decode()
    assert 'dir="ltr"' in english and "Success plan for" in english


def test_forged_token_is_404(client, shared):
    token = services.share_link_token(shared["link"])
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert client.get(reverse("onboarding:shared_plan", args=[forged])).status_code == 404
    # a well-signed token for a link that does not exist, or with the wrong nonce
    fake = signing.dumps([shared["link"].pk + 1000, "x"], salt=SHARE_SALT, compress=True)
    assert client.get(reverse("onboarding:shared_plan", args=[fake])).status_code == 404
    wrong_nonce = signing.dumps([shared["link"].pk, "nope"], salt=SHARE_SALT, compress=True)
    assert client.get(reverse("onboarding:shared_plan", args=[wrong_nonce])).status_code == 404
    # signed with another salt (e.g. a token from another feature)
    other = signing.dumps([shared["link"].pk, shared["link"].nonce], salt="surveys", compress=True)
    response = client.get(reverse("onboarding:shared_plan", args=[other]))
    assert response.status_code == 404 and "Link not found" in response.content.decode()


def test_revoked_and_expired_links_are_410(client, shared):
    url = _url(shared["link"])
    services.share_link_revoke(link=shared["link"])
    response = client.get(url)
    assert response.status_code == 410 and "withdrawn" in response.content.decode()
    # a POST through a revoked link changes nothing
    client.post(url, {"goal": shared["goal"].pk, "done": "1"})
    shared["goal"].refresh_from_db()
    assert shared["goal"].completed_at is None

    expiring = services.share_link_create(plan=shared["plan"], days=1)
    PlanShareLink.objects.filter(pk=expiring.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(_url(expiring))
    assert response.status_code == 410 and "expired" in response.content.decode()


def test_customer_ticks_only_customer_owned_goals_of_this_plan(shared):
    client = Client(enforce_csrf_checks=True)
    url = _url(shared["link"])
    page = client.get(url)
    csrf = page.cookies["csrftoken"].value
    # without the CSRF token: refused
    assert client.post(url, {"goal": shared["goal"].pk, "done": "1"}).status_code == 403
    # with it: ticked, by the customer
    response = client.post(url, {"goal": shared["goal"].pk, "done": "1", "csrfmiddlewaretoken": csrf})
    assert response.status_code == 302
    shared["goal"].refresh_from_db()
    assert shared["goal"].completed_at is not None and shared["goal"].completion_source == "customer"
    activity = shared["plan"].account.activities.get()
    assert activity.body == "Upload the customer list" and activity.contact == shared["contact"]
    # a CSM-owned milestone goal of the same plan: refused
    csm_goal = shared["plan"].goals.get(title="Kickoff call")
    assert client.post(url, {"goal": csm_goal.pk, "done": "1", "csrfmiddlewaretoken": csrf}).status_code == 404
    csm_goal.refresh_from_db()
    assert csm_goal.completed_at is None


def test_another_accounts_plan_is_never_visible(published_map, shared):
    # given: another account with its own plan and customer goal
    other = AccountFactory(name="Rival Corp")
    SubscriptionFactory(account=other)
    other_contact = ContactFactory(account=other)
    other_plan = services.success_plan_start(account=other, success_map=published_map)
    other_goal = services.plan_goal_create(plan=other_plan, title="Rival secret goal", owner_contact=other_contact)
    client = Client()
    url = _url(shared["link"])
    # when: the first customer's page is viewed, and a tick for the other plan's goal is attempted
    html = client.get(url).content.decode()
    response = client.post(url, {"goal": other_goal.pk, "done": "1"})
    # then
    assert "Rival" not in html
    assert response.status_code == 404
    other_goal.refresh_from_db()
    assert other_goal.completed_at is None
