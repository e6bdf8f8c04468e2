import pytest
from django.test import RequestFactory
from django.urls import reverse

from core.context_processors import navigation

pytestmark = pytest.mark.django_db


def _active_labels(user, path):
    request = RequestFactory().get(path)
    request.user = user
    return [i["label"] for items in navigation(request)["nav_sections"].values() for i in items if i["active"]]


def test_only_the_most_specific_item_is_active(admin_user):
    assert _active_labels(admin_user, reverse("onboarding:map_list")) == ["Success maps"]
    assert _active_labels(admin_user, reverse("onboarding:board")) == ["Success plans"]


def test_items_above_the_users_role_are_hidden(readonly_user, admin_user):
    def labels(user):
        request = RequestFactory().get("/")
        request.user = user
        return {i["label"] for items in navigation(request)["nav_sections"].values() for i in items}

    assert "API keys" not in labels(readonly_user)
    assert "API keys" in labels(admin_user)


def test_badges_are_queried_only_when_rendered(csm_user, django_assert_num_queries):
    """The context processor runs on every request, partials included: the badge's query waits
    until a template renders it, and runs once however often the template reads it."""
    from django.template import engines

    from tests.factories import AccountFactory
    from tests.factories.playbooks import TaskFactory

    # given
    TaskFactory(account=AccountFactory(owner=csm_user))
    request = RequestFactory().get("/")
    request.user = csm_user
    # when / then: building the sidebar costs no query
    with django_assert_num_queries(0):
        sections = navigation(request)["nav_sections"]
    # ...and drawing it one, for both reads in base.html
    template = engines["django"].from_string(
        "{% for s, items in nav_sections.items %}{% for i in items %}"
        "{% if i.badge %}[{{ i.label }} {{ i.badge }}]{% endif %}{% endfor %}{% endfor %}"
    )
    with django_assert_num_queries(1):
        assert template.render({"nav_sections": sections}) == "[Tasks 1]"


# Section: the menu registry (each app registers its own pages in AppConfig.ready())

# The sidebar before the registry (core named every page): the apps' registrations must draw it identically.
SIDEBAR = [
    ("Work", "Home", "reports:home", "home", "readonly"),
    ("Work", "Portfolio", "accounts:portfolio", "grid", "readonly"),
    ("Work", "Tasks", "playbooks:inbox", "check", "readonly"),
    ("Work", "Notifications", "notifications:feed", "bell", "readonly"),
    ("Work", "Risks", "renewals:risk_list", "alert", "readonly"),
    ("Work", "E-mail review", "conversations:review", "mail", "readonly"),
    ("Work", "Renewals", "renewals:board", "refresh", "readonly"),
    ("Work", "Success plans", "onboarding:board", "flag", "readonly"),
    ("Insights", "Dashboard", "reports:dashboard", "chart", "readonly"),
    ("Insights", "Scorecards", "reports:scorecards", "award", "manager"),
    ("Insights", "Cohorts", "reports:cohorts", "layers", "readonly"),
    ("Insights", "Renewal forecast", "renewals:forecast", "chart", "readonly"),
    ("Insights", "Surveys", "surveys:report", "message", "readonly"),
    ("Insights", "ARR at risk", "renewals:risk_report", "chart", "readonly"),
    ("Insights", "Why customers left", "renewals:lost_report", "chart", "readonly"),
    ("Insights", "Health backtest", "health:backtest", "activity", "manager"),
    ("Insights", "Team load", "playbooks:team", "users", "manager"),
    ("Configure", "Health scorecards", "health:scorecard_list", "heart", "admin"),
    ("Configure", "Playbooks", "playbooks:playbook_list", "zap", "admin"),
    ("Configure", "Surveys", "surveys:survey_list", "edit", "admin"),
    ("Configure", "Renewal pipeline", "renewals:pipeline", "list", "admin"),
    ("Configure", "Success maps", "onboarding:map_list", "map", "admin"),
    ("Configure", "Inbound e-mail", "conversations:email_settings", "mail", "admin"),
    ("Configure", "Checklists", "onboarding:checklist_list", "list", "admin"),
    ("Configure", "Data import", "accounts:import_list", "upload", "csm"),
    ("Configure", "Risk reasons", "renewals:reason_codes", "list", "admin"),
    ("Configure", "Custom fields", "accounts:custom_field_list", "list", "admin"),
    ("Configure", "Exchange rates", "accounts:fx_rates", "refresh", "manager"),
    ("Configure", "Connectors", "connectors:list", "share", "admin"),
    ("Configure", "Webhooks", "core:webhook_list", "share", "admin"),
    ("Configure", "API keys", "core:apikey_list", "key", "admin"),
    ("Configure", "Users", "core:user_list", "user", "admin"),
    ("Configure", "API docs", "api-docs", "note", "admin"),
    ("Configure", "Audit log", "core:audit_list", "activity", "admin"),
    ("Configure", "Slack and Teams", "conversations:slack", "message", "readonly"),
    ("Configure", "My API tokens", "core:token_list", "key", "readonly"),
    ("Configure", "Connected accounts", "conversations:connected", "calendar", "readonly"),
]


def test_the_apps_registrations_draw_the_sidebar_in_its_order():
    from core.navigation import SECTIONS, menu_items

    drawn = [(str(SECTIONS[i.section]), str(i.label), i.url_name, i.icon, str(i.role)) for i in menu_items()]
    assert drawn == SIDEBAR


def test_an_admin_sees_every_section_in_order(admin_user):
    # given
    request = RequestFactory().get("/")
    request.user = admin_user
    # when
    sections = navigation(request)["nav_sections"]
    # then
    assert list(sections) == ["Work", "Insights", "Configure"]
    assert [i["label"] for i in sections["Configure"]][-8:] == [
        "Webhooks",
        "API keys",
        "Users",
        "API docs",
        "Audit log",
        "Slack and Teams",
        "My API tokens",
        "Connected accounts",
    ]


def test_a_registered_item_joins_its_section_at_its_order(admin_user, monkeypatch):
    from core import navigation as nav

    # given
    monkeypatch.setattr(nav, "NAV_ITEMS", dict(nav.NAV_ITEMS))
    nav.register_menu_item("work", "Inbox zero", "core:user_list", "user", order=25)
    # then
    labels = [str(i.label) for i in nav.menu_items() if i.section == "work"]
    assert labels == [
        "Home",
        "Portfolio",
        "Inbox zero",
        "Tasks",
        "Notifications",
        "Risks",
        "E-mail review",
        "Renewals",
        "Success plans",
    ]


def test_an_item_whose_url_does_not_resolve_is_left_out(admin_user, monkeypatch):
    from core import navigation as nav

    # given
    monkeypatch.setattr(nav, "NAV_ITEMS", dict(nav.NAV_ITEMS))
    nav.register_menu_item("work", "Nowhere", "nowhere:page", "user", order=5)
    request = RequestFactory().get("/")
    request.user = admin_user
    # when
    sections = navigation(request)["nav_sections"]
    # then
    assert "Nowhere" not in [i["label"] for i in sections["Work"]]


def test_an_unknown_section_is_refused():
    from core.navigation import register_menu_item

    with pytest.raises(ValueError, match="unknown menu section"):
        register_menu_item("elsewhere", "X", "core:user_list", "user")


def test_the_top_bar_draws_its_registered_slots_in_order(monkeypatch):
    from core import navigation as nav

    monkeypatch.setattr(nav, "TOPBAR_ITEMS", dict(nav.TOPBAR_ITEMS))
    nav.register_topbar_item("help", "core/help.html", order=5)
    assert nav.topbar_items() == ["core/help.html", "notifications/partials/bell.html"]


def test_the_sidebar_kept_per_language_follows_the_active_language(admin_user):
    """core.context_processors._menu keeps the items per language: each request gets its own."""
    from django.utils import translation

    request = RequestFactory().get("/")
    request.user = admin_user

    def work_labels():
        return [i["label"] for i in next(iter(navigation(request)["nav_sections"].values()))]

    # when the sidebar is built in English, then Arabic, then English again
    with translation.override("en"):
        english = work_labels()
    with translation.override("ar"):
        arabic = work_labels()
        arabic_section = next(iter(navigation(request)["nav_sections"]))
    with translation.override("en"):
        english_again = work_labels()
    # then each is in its language
    assert english[0] == "Home" and english_again == english
    with translation.override("ar"):
        assert arabic[0] == translation.gettext("Home") != "Home"
        assert arabic_section == translation.gettext("Work")
