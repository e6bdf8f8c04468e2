"""The account page's success plan and onboarding panels, cached (onboarding.panel_cache, issue 23):
the same markup as rendered live in every language, and every write they show, through the product,
shows at once (each after its commit)."""

import dataclasses
import re
from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts import panels as account_panels
from accounts.choices import Tier
from accounts.models import Activity, Contact
from onboarding import services
from onboarding.models import AccountChecklistItem, PlanGoal, Stage
from onboarding.reassign import plans_follow_accounts
from tests.factories import ContactFactory, UsageEventFactory, UserFactory
from tests.factories.onboarding import ChecklistTemplateFactory
from tests.html_tokens import html_tokens
from tests.page_language import get_as
from usage.signals import events_ingested

pytestmark = pytest.mark.django_db

CACHED = ("success_plan", "onboarding")
_CSRF = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')
# a share link's token is signed when rendered (with the time: any of them opens the same link)
_SHARE_TOKEN = re.compile(r"/plan/[^/\"]+/")


@pytest.fixture
def page(account, csm_user, published_map, tech_template, django_capture_on_commit_callbacks):
    """csm's account with a plan (a contact owns a goal, shared with them) and a checklist."""
    account.owner = csm_user
    account.save(update_fields=["owner"])
    contact = ContactFactory(account=account, name="Layla Haddad", language="ar")
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.success_plan_start(account=account, success_map=published_map)
        goal = services.plan_goal_create(plan=plan, title="Upload the customer list", owner_contact=contact)
        link = services.share_link_create(plan=plan, contact=contact, days=14)
        checklist = services.checklist_start(account=account)
    return {"account": account, "plan": plan, "goal": goal, "link": link, "checklist": checklist, "contact": contact}


def _page(client, user, account, language="en") -> str:
    Activity.objects.filter(account=account).delete()  # the timeline (not cached) says "N seconds ago"
    response = get_as(client, user, language, reverse("accounts:detail", args=[account.pk]))
    assert response.status_code == 200
    return _SHARE_TOKEN.sub("/plan/…/", _CSRF.sub(r"\1…", response.content.decode()))


def _live_page(client, user, account, monkeypatch, language="en") -> str:
    with monkeypatch.context() as patch:
        patch.setattr(account_panels, "PANELS", dict(account_panels.PANELS))
        for key in CACHED:
            patch.setitem(account_panels.PANELS, key, dataclasses.replace(account_panels.PANELS[key], cache_vary=None))
        return _page(client, user, account, language)


@pytest.fixture
def shows(client, csm_user, page, monkeypatch):
    """shows(text): the cached page (read twice: stored, then served) holds `text` and is the live page."""

    def check(text: str = "", absent: str = "", language: str = "en") -> bool:
        _page(client, csm_user, page["account"], language)
        served = _page(client, csm_user, page["account"], language)
        live = _live_page(client, csm_user, page["account"], monkeypatch, language)
        assert html_tokens(served) == html_tokens(live)
        assert text in served
        assert not absent or absent not in served
        return True

    return check


@pytest.mark.parametrize("language", ["en", "ar", "fa", "zh-hans"])
def test_cached_panels_are_the_live_markup_in_every_language(client, csm_user, page, monkeypatch, language):
    expected = _live_page(client, csm_user, page["account"], monkeypatch, language)

    stored = _page(client, csm_user, page["account"], language)
    served = _page(client, csm_user, page["account"], language)

    assert 'id="panel-success-plan"' in served and 'id="panel-onboarding"' in served
    assert "Upload the customer list" in served
    assert html_tokens(stored) == html_tokens(expected)
    assert html_tokens(served) == html_tokens(expected)


def test_the_second_visit_skips_the_plan_and_checklist_queries(csm_client, page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("accounts:detail", args=[page["account"].pk])
    csm_client.get(url)
    with CaptureQueriesContext(connection) as served:
        csm_client.get(url)

    tables = ("onboarding_plangoal", "onboarding_plansharelink", "onboarding_accountchecklistitem", "onboarding_stage")
    assert not [q["sql"] for q in served.captured_queries if any(t in q["sql"] for t in tables)]


def test_readers_who_may_not_write_get_the_panels_without_actions(client, csm_user, readonly_user, page):
    toggle = reverse("onboarding:goal_toggle", args=[page["account"].pk, page["goal"].pk])
    assert toggle in _page(client, csm_user, page["account"])  # stored for a writer

    assert toggle not in _page(client, readonly_user, page["account"])


def test_goal_writes_show_at_once(csm_client, page, shows, htmx_headers, django_capture_on_commit_callbacks):
    account, goal = page["account"], page["goal"]
    assert shows("Upload the customer list")
    with django_capture_on_commit_callbacks(execute=True):
        csm_client.post(
            reverse("onboarding:goal_create", args=[account.pk]), {"title": "Train the team"}, **htmx_headers
        )
    assert shows("Train the team")
    with django_capture_on_commit_callbacks(execute=True):
        csm_client.post(reverse("onboarding:goal_toggle", args=[account.pk, goal.pk]), {"done": "1"}, **htmx_headers)
    assert PlanGoal.objects.get(pk=goal.pk).is_done and shows()


def test_share_link_writes_show_at_once(csm_client, page, shows, htmx_headers, django_capture_on_commit_callbacks):
    account, link = page["account"], page["link"]
    assert shows(absent="viewed")
    with django_capture_on_commit_callbacks(execute=True):
        services.share_link_viewed(link=link)  # the customer opened it (one UPDATE, no signal)
    assert shows("viewed")
    with django_capture_on_commit_callbacks(execute=True):
        csm_client.post(reverse("onboarding:link_revoke", args=[account.pk, link.pk]), **htmx_headers)
    assert shows("revoked")


def test_usage_events_and_metrics_completing_goals_and_items_show_at_once(
    page, shows, django_capture_on_commit_callbacks
):
    account = page["account"]
    assert shows()
    at = timezone.now() - timedelta(hours=2)
    UsageEventFactory(account=account, event="integration_connected", occurred_at=at)
    UsageEventFactory(account=account, event="report_created", occurred_at=at)
    with django_capture_on_commit_callbacks(execute=True):
        events_ingested.send(sender=None, account_ids=[account.pk])  # onboarding_events_apply: bulk updates
    assert page["plan"].goals.get(title="Connect a data source").is_done
    assert AccountChecklistItem.objects.get(checklist=page["checklist"], completion_event="report_created").is_done
    assert shows()
    for _ in range(3):
        UsageEventFactory(account=account, event="login", occurred_at=at)
    with django_capture_on_commit_callbacks(execute=True):
        done = services.onboarding_metrics_apply(account_ids=[account.pk])
    assert done and shows()


def test_checklist_writes_show_at_once(csm_client, page, shows, htmx_headers, django_capture_on_commit_callbacks):
    account = page["account"]
    item = page["checklist"].items.get(title="Watch the intro")
    assert shows()
    with django_capture_on_commit_callbacks(execute=True):
        csm_client.post(reverse("onboarding:item_toggle", args=[account.pk, item.pk]), {"done": "1"}, **htmx_headers)
    assert shows("1 of 3")
    with django_capture_on_commit_callbacks(execute=True):
        page["checklist"].items.update(completed_at=timezone.now())  # as the apply's bulk write
        services.checklists_refresh(checklist_ids=[page["checklist"].pk])
    assert shows("Completed")


def test_checklist_started_in_bulk_and_templates_show_at_once(
    client, csm_user, account, tech_template, monkeypatch, django_capture_on_commit_callbacks
):
    account.owner = csm_user
    account.save(update_fields=["owner"])

    def cached_is_live(text: str) -> bool:
        _page(client, csm_user, account)
        served = _page(client, csm_user, account)
        return text in served and html_tokens(served) == html_tokens(_live_page(client, csm_user, account, monkeypatch))

    assert cached_is_live("Tech-touch start")  # the "start a checklist" form lists the templates
    with django_capture_on_commit_callbacks(execute=True):
        ChecklistTemplateFactory(name="Enterprise kickoff", tiers=["enterprise"])
    assert cached_is_live("Enterprise kickoff")
    type(account).objects.filter(pk=account.pk).update(tier=Tier.KEY)  # a connector's bulk write: no signal
    assert cached_is_live("By tier (Key)")
    with django_capture_on_commit_callbacks(execute=True):
        services.checklists_start(accounts=[account])
    assert cached_is_live("Watch the intro")


def test_time_to_first_value_shows_at_once(page, shows):
    account = page["account"]
    assert shows("waiting for")
    UsageEventFactory(account=account, event="report_created", occurred_at=timezone.now())  # ingestion: no signal
    assert shows(absent="waiting for")


def test_names_from_other_floors_show_at_once(page, shows, csm_user, django_capture_on_commit_callbacks):
    contact = page["contact"]
    # a contact renamed by ingestion's bulk upsert (no signal; updated_at moves)
    Contact.objects.filter(pk=contact.pk).update(name="Layla Haddad-Nasser", updated_at=F("updated_at") + timedelta(1))
    assert shows("Layla Haddad-Nasser")
    with django_capture_on_commit_callbacks(execute=True):
        csm_user.first_name = "Carla"
        csm_user.save()
    assert shows("Carla")
    other = UserFactory(username="other", first_name="Olga", last_name="Owner")
    with django_capture_on_commit_callbacks(execute=True):
        plans_follow_accounts(previous_owners={page["account"].pk: page["plan"].owner_id}, to_owner_id=other.pk)
    assert shows("Olga")


def test_map_translations_and_stage_changes_show_at_once(
    page, shows, published_map, django_capture_on_commit_callbacks
):
    version = page["plan"].map_version
    stage = Stage.objects.get(version=version, name="Set up")
    assert shows("Set up", language="ar")
    with django_capture_on_commit_callbacks(execute=True):
        services.map_version_translations_set(version=version, language="ar", stages={stage.pk: {"name": "ابدأ"}})
    assert shows(language="ar")
    with django_capture_on_commit_callbacks(execute=True):
        Stage.objects.filter(pk=stage.pk).update(name="Install")
        stage.refresh_from_db()
        stage.save()
    assert shows("Install")


def test_without_a_commit_the_cached_panels_stay(csm_client, page):
    url = reverse("accounts:detail", args=[page["account"].pk])
    csm_client.get(url)

    services.plan_goal_create(plan=page["plan"], title="Never committed")

    assert "Never committed" not in csm_client.get(url).content.decode()
