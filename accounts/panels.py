"""Panels on the account 360 page and on the person page (contact 360, at the end). The page
lives here (accounts), but most of what it shows belongs to the floors above (health card,
surveys, tasks, success plan, checklist). Those apps register a panel in their
AppConfig.ready(); accounts renders whatever is registered, in order.

A panel's `get_context(request, account)` must run a constant number of queries (the page's
query count may not grow with the data), and returns None to hide the panel.

An upper floor can also give the page's own markup its data (the usage KPI and chart come
from `usage`): `register_account_context(name, fn)`, where `fn(account)` returns a dict merged
into the page's context.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class AccountPanel:
    key: str
    title: str
    template_name: str
    get_context: Callable[[object, object], dict | None]
    column: str = "main"  # "main" (wide, left) or "side" (narrow, right)
    order: int = 100
    # Set for a panel derived from slowly-changing data: its HTML is cached (accounts.panel_cache)
    # and `cache_vary(request, account)` returns what else it depends on for this reader (a tuple).
    # The owning floor calls `account_panels_changed` after each write the panel shows.
    cache_vary: Callable[[object, object], tuple] | None = None


PANELS: dict[str, AccountPanel] = {}


def register_panel(panel: AccountPanel) -> None:
    PANELS[panel.key] = panel


def panels_for(request, account) -> dict[str, list[dict]]:
    """{"main": [...], "side": [...]}, each item {"key", "title", "template_name", "context", "html"}:
    "html" is the rendered panel for a cached panel (accounts.panel_cache), else None."""
    from .panel_cache import cached_panels_html

    ordered = sorted(PANELS.values(), key=lambda p: (p.order, p.key))
    cached = cached_panels_html(request, account, [p for p in ordered if p.cache_vary is not None])
    columns: dict[str, list[dict]] = {"main": [], "side": []}
    for panel in ordered:
        html = cached.get(panel.key)
        context = None if html is not None else panel.get_context(request, account)
        if context is None and not html:
            continue
        columns.setdefault(panel.column, []).append(
            {
                "key": panel.key,
                "title": panel.title,
                "template_name": panel.template_name,
                "context": context,
                "html": html,
            }
        )
    return columns


ACCOUNT_CONTEXT: dict[str, Callable[[object], dict]] = {}


def register_account_context(name: str, fn: Callable[[object], dict]) -> None:
    ACCOUNT_CONTEXT[name] = fn


def account_context_for(account) -> dict:
    """The account page's context from the floors above, in registration order."""
    context: dict = {}
    for fn in ACCOUNT_CONTEXT.values():
        context.update(fn(account))
    return context


# Section: the person page (contact 360)
#
# The same idea for a contact: accounts renders the page (header, tickets, timeline entries with
# them), the floors above register what they know about the person (usage: events and features;
# surveys: answers; playbooks: tasks about them; onboarding: plan goals they own). A panel's
# `get_context(request, contact)` runs a constant number of queries and returns None to hide it.


@dataclass(frozen=True)
class ContactPanel:
    key: str
    title: str
    template_name: str
    get_context: Callable[[object, object], dict | None]
    column: str = "main"  # "main" (wide, left) or "side" (narrow, right)
    order: int = 100


CONTACT_PANELS: dict[str, ContactPanel] = {}


def register_contact_panel(panel: ContactPanel) -> None:
    CONTACT_PANELS[panel.key] = panel


def contact_panels_for(request, contact) -> dict[str, list[dict]]:
    """{"main": [...], "side": [...]}, each item {"key", "title", "template_name", "context"}."""
    columns: dict[str, list[dict]] = {"main": [], "side": []}
    for panel in sorted(CONTACT_PANELS.values(), key=lambda p: (p.order, p.key)):
        context = panel.get_context(request, contact)
        if context is None:
            continue
        columns.setdefault(panel.column, []).append(
            {"key": panel.key, "title": panel.title, "template_name": panel.template_name, "context": context}
        )
    return columns
