"""The sidebar. Apps add their pages here by URL name; a name that does not resolve yet
is left out, so the menu never shows a dead link. Badges (counts) are callables that apps
register in their AppConfig.ready()."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from .choices import Role


@dataclass(frozen=True)
class NavItem:
    section: str
    label: str
    url_name: str
    icon: str
    role: str = Role.READONLY  # the least role that may open the page: the item is hidden below it


NAV_ITEMS: list[NavItem] = [
    NavItem("Work", "Home", "reports:home", "home"),
    NavItem("Work", "Portfolio", "accounts:portfolio", "grid"),
    NavItem("Work", "Tasks", "playbooks:inbox", "check"),
    NavItem("Work", "Success plans", "onboarding:board", "flag"),
    NavItem("Insights", "Dashboard", "reports:dashboard", "chart"),
    NavItem("Insights", "Scorecards", "reports:scorecards", "award", Role.MANAGER),
    NavItem("Insights", "Cohorts", "reports:cohorts", "layers"),
    NavItem("Insights", "Surveys", "surveys:report", "message"),
    NavItem("Insights", "Health backtest", "health:backtest", "activity", Role.MANAGER),
    NavItem("Insights", "Team load", "playbooks:team", "users", Role.MANAGER),
    NavItem("Configure", "Health scorecards", "health:scorecard_list", "heart", Role.ADMIN),
    NavItem("Configure", "Playbooks", "playbooks:playbook_list", "zap", Role.ADMIN),
    NavItem("Configure", "Surveys", "surveys:survey_list", "edit", Role.ADMIN),
    NavItem("Configure", "Success maps", "onboarding:map_list", "map", Role.ADMIN),
    NavItem("Configure", "Checklists", "onboarding:checklist_list", "list", Role.ADMIN),
    NavItem("Configure", "Data import", "accounts:import_list", "upload", Role.CSM),
    NavItem("Configure", "Webhooks", "core:webhook_list", "share", Role.ADMIN),
    NavItem("Configure", "API keys", "core:apikey_list", "key", Role.ADMIN),
    NavItem("Configure", "Users", "core:user_list", "user", Role.ADMIN),
    NavItem("Configure", gettext_lazy("API docs"), "api-docs", "note", Role.ADMIN),
]

BadgeFn = Callable[[object], int | None]
NAV_BADGES: dict[str, BadgeFn] = {}


def register_badge(url_name: str, fn: BadgeFn) -> None:
    """`fn(request)` returns the count shown beside the menu item (None or 0 hides it). It is
    called only when a template renders the badge, at most once a request (context_processors)."""
    NAV_BADGES[url_name] = fn
