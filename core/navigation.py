"""The sidebar, a registry the apps fill. Each app registers its own pages in its
AppConfig.ready() (`register_menu_item`), and the counts beside them (`register_badge`), so
core never names an upper app's page. A URL name that does not resolve is left out, so the
menu never shows a dead link.

The sidebar shows the sections in `SECTIONS` order and, inside a section, the items by
`order` (then label): the numbers leave gaps of ten so an app can slot a page in between.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import Role

__all__ = [
    "NAV_BADGES",
    "NAV_ITEMS",
    "SECTIONS",
    "TOPBAR_ITEMS",
    "BadgeFn",
    "NavItem",
    "ProfileLink",
    "menu_items",
    "profile_links",
    "register_badge",
    "register_menu_item",
    "register_profile_link",
    "register_topbar_item",
    "topbar_items",
]

# Section key -> its heading, in sidebar order.
SECTIONS: dict[str, str | Promise] = {
    "work": _("Work"),
    "insights": _("Insights"),
    "configure": _("Configure"),
}


@dataclass(frozen=True)
class NavItem:
    section: str  # a key of SECTIONS
    label: str | Promise
    url_name: str
    icon: str
    role: str = Role.READONLY  # the least role that may open the page: the item is hidden below it
    order: int = 100


NAV_ITEMS: dict[str, NavItem] = {}  # by url_name
generation = 0  # bumped by each registration: what is built from NAV_ITEMS knows when to rebuild

BadgeFn = Callable[[object], int | None]
NAV_BADGES: dict[str, BadgeFn] = {}


def register_menu_item(
    section: str,
    label: str | Promise,
    url_name: str,
    icon: str,
    *,
    role: str = Role.READONLY,
    order: int = 100,
) -> NavItem:
    """Add a page to the sidebar (once per url_name: registering it again replaces it)."""
    if section not in SECTIONS:
        raise ValueError(f"unknown menu section {section!r} (one of {', '.join(SECTIONS)})")
    global generation
    item = NavItem(section=section, label=label, url_name=url_name, icon=icon, role=role, order=order)
    NAV_ITEMS[url_name] = item
    generation += 1
    return item


def menu_items() -> list[NavItem]:
    """Every registered item in sidebar order: by section, then order, then label."""
    rank = {key: i for i, key in enumerate(SECTIONS)}
    return sorted(NAV_ITEMS.values(), key=lambda item: (rank[item.section], item.order, str(item.label)))


def register_badge(url_name: str, fn: BadgeFn) -> None:
    """`fn(request)` returns the count shown beside the menu item (None or 0 hides it). It is
    called only when a template renders the badge, at most once a request (context_processors)."""
    NAV_BADGES[url_name] = fn


# The top bar's slots beside the user's name (notifications registers its bell): template names
# by key, included by base.html in `order`. A slot's template must not query the database while
# the page renders (load what it shows with htmx), so no page pays for it.
TOPBAR_ITEMS: dict[str, tuple[int, str]] = {}


def register_topbar_item(key: str, template_name: str, *, order: int = 100) -> None:
    TOPBAR_ITEMS[key] = (order, template_name)


def topbar_items() -> list[str]:
    return [name for _order, name in sorted(TOPBAR_ITEMS.values())]


# Section: the profile page's links
#
# "Your preferences" (core) lists what the apps above let a user set up for themselves (their
# connected mailbox and calendar, ...), each a link to the app's own page.


@dataclass(frozen=True)
class ProfileLink:
    label: str | Promise
    description: str | Promise
    url_name: str
    icon: str
    order: int = 100


PROFILE_LINKS: dict[str, ProfileLink] = {}


def register_profile_link(
    label: str | Promise, description: str | Promise, url_name: str, icon: str, *, order: int = 100
) -> ProfileLink:
    link = ProfileLink(label=label, description=description, url_name=url_name, icon=icon, order=order)
    PROFILE_LINKS[url_name] = link
    return link


def profile_links() -> list[dict]:
    """[{"label", "description", "url", "icon"}] in order; unresolved URL names are left out."""
    links = []
    for link in sorted(PROFILE_LINKS.values(), key=lambda item: (item.order, str(item.label))):
        try:
            url = reverse(link.url_name)
        except NoReverseMatch:
            continue
        links.append({"label": link.label, "description": link.description, "url": url, "icon": link.icon})
    return links
