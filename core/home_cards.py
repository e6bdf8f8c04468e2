"""Cards on the CSM home page from the floors above reports' neighbours: the home page (reports)
shows whatever is registered, in order, so an app such as conversations (upcoming meetings with
their prep cards) puts a card there without reports naming it.

`get_context(request)` returns the card's context, or None to hide it; it must run a constant
number of queries (the home page's count is pinned). Registered in the app's `ready()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["HOME_CARDS", "HomeCard", "home_cards_for", "register_home_card"]


@dataclass(frozen=True)
class HomeCard:
    key: str
    template_name: str
    get_context: Callable[[object], dict | None]
    order: int = 100


HOME_CARDS: dict[str, HomeCard] = {}


def register_home_card(card: HomeCard) -> None:
    HOME_CARDS[card.key] = card


def home_cards_for(request) -> list[dict]:
    """[{"key", "template_name", "context"}] of the cards to show, in order."""
    cards = []
    for card in sorted(HOME_CARDS.values(), key=lambda c: (c.order, c.key)):
        context = card.get_context(request)
        if context is not None:
            cards.append({"key": card.key, "template_name": card.template_name, "context": context})
    return cards
