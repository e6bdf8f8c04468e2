"""The success board's plan cards, written in Python (issues 22 and 23: the page's server CPU).

The board shows every active plan of the map at once (150 cards at 500 accounts): as a template
loop each card cost ~6 gettext calls, a URL reversal, a widthratio and ~40 variable look-ups,
two thirds of the page. Here a card is one f-string and what cards share (the tier's label, the
"n d in stage" text per day count, the fixed strings) is looked up once per request.

The markup and the message ids are the template's (tests/onboarding/test_board_cards.py renders
both and compares them): every value is escaped as autoescape does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from core.i18n_cache import TranslateOnce, url_parts

__all__ = ["BoardTexts", "board_cards"]


def _width(done: int, total: int | None) -> str:
    """`{% widthratio done total|default:1 100 %}`."""
    try:
        return str(round(float(done) / float(total or 1) * 100))
    except ZeroDivisionError:
        return "0"


class BoardTexts(TranslateOnce):
    """What the cards translate, once per distinct value for this request."""

    def __init__(self):
        super().__init__()
        self.target = esc(gettext("Target stage"))
        self.no_csm = esc(gettext("No CSM"))
        self.stuck = esc(gettext("stuck"))
        self.url_head, self.url_tail = url_parts("accounts:detail")


def _card(plan: Any, t: BoardTexts) -> str:
    account = plan.account
    name = esc(account.name)
    tier = t.get(("tier", account.tier), lambda: esc(str(account.get_tier_display())))
    target = plan.target_stage
    target_html = ""
    if target:
        target_html = (
            f'<span title="{t.target}"><span class="dir-flip">→</span> '
            f'<span dir="auto" translate="no">{esc(target.name)}</span></span>'
        )
    owner = account.owner
    owner_text = t.get(("owner", owner.pk), lambda: esc(str(owner))) if owner is not None else t.no_csm
    days = plan.days_in_stage
    days_text = t.get(("days", days), lambda: ngettext("%(n)s d in stage", "%(n)s d in stage", days) % {"n": days})
    done, total = plan.goals_done, plan.goals_total
    goals = t.get(
        ("goals", done, total), lambda: gettext("%(done)s of %(total)s goals") % {"done": done, "total": total}
    )
    stuck = plan.is_stuck
    stuck_badge = f'<span class="badge yellow">{t.stuck}</span>' if stuck else ""
    return (
        f'<a class="plan-card{" stuck" if stuck else ""}" href="{t.url_head}{plan.account_id}{t.url_tail}"'
        f' data-account="{name}">'
        f'<div class="name" dir="auto">{name}</div>'
        f'<div class="meta"><span class="badge">{tier}</span>{target_html}</div>'
        f'<div class="meta"><span>{owner_text}</span><span>·</span><span>{days_text}</span>{stuck_badge}</div>'
        f'<div class="progress" title="{goals}"><span style="width:{_width(done, total)}%"></span></div>'
        "</a>\n"
    )


def board_cards(plans: Iterable[Any], texts: BoardTexts | None = None) -> SafeString:
    """The cards of one column (plans from onboarding.selectors.board: `is_stuck`, `days_in_stage`,
    `goals_done`, `goals_total`, with account, its owner and the target stage loaded)."""
    texts = texts or BoardTexts()
    return mark_safe("".join(_card(plan, texts) for plan in plans))  # noqa: S308 - every value is escaped
