"""`{% load board_cards %}`: the success board's cards written in Python (onboarding.board_cards)."""

from django import template

from ..board_cards import BoardTexts
from ..board_cards import board_cards as _board_cards

register = template.Library()


@register.simple_tag(takes_context=True)
def board_cards(context, plans):
    """One column's cards; the translated texts are shared by the columns of one render."""
    texts = context.render_context.get("board_texts")
    if texts is None:
        texts = context.render_context["board_texts"] = BoardTexts()
    return _board_cards(plans, texts)
