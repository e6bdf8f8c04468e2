"""The portfolio table's rows, written in Python (issues 22 and 23: the page's server CPU).

The rows were a template loop: ten cells a row, each a few `{% translate %}` /
`{% blocktranslate %}` nodes, filters and an include (the health pill), ~70 variable look-ups
and ~20 gettext calls a row, 50 rows a page: two thirds of the page's CPU. Here a row is one
f-string, and what a row translates or formats is looked up once per distinct value for the
request (`_Cells`: a page has 4 tiers, 7 stages and a few dozen distinct day counts).

The markup, the message ids and the formatting are the template's (same gettext messages,
core.formats for numbers and dates, every value escaped as autoescape does), so the catalogues
and the page read the same; `tests/accounts/test_portfolio_table.py` compares both.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext, trans_real

from core.formats import format_date, format_money
from core.i18n import display_prefs
from core.i18n_cache import TranslateOnce, url_parts

from .models import Account
from .templatetags.account_tags import STAGE_COLOURS, TIER_COLOURS, relative_days

__all__ = ["health_pill", "portfolio_rows"]

DASH = "—"


def health_pill(account: Any) -> SafeString:
    """The health score as a pill with its 7-day trend (accounts/partials/health_pill.html)."""
    return mark_safe(_health_pill(account, gettext))  # noqa: S308 - every value is escaped


def _health_pill(account: Any, gettext_=gettext) -> str:
    score = account.health_score
    if score is None:
        return '<span class="health"><span class="pill none">—</span></span>'
    change = account.health_change_7d
    title = gettext_("Health %(score)s (%(band)s)") % {
        "score": esc(str(score)),
        "band": esc(str(account.get_health_band_display())),
    }
    if change is not None:
        title += gettext_(", %(change)s over 7 days") % {"change": esc(f"{change:+d}")}
    if change and change > 0:
        trend = f'<span class="trend-up">▲{change}</span>'
    elif change:
        trend = f'<span class="trend-down">▼{-change}</span>'
    elif change == 0:
        trend = '<span class="trend-flat">–</span>'
    else:
        trend = ""
    band = esc(account.health_band or "none")
    return f'<span class="health" title="{title}"><span class="pill {band}">{score}</span>{trend}</span>'


# What the rows translated and formatted, kept between requests (issue 23): a value's cell text
# depends only on the language's catalogue, the reader's digits and calendar, the base currency
# and the settings, never on the data (the value is the key), so no write can make it stale.
# Per (language, display prefs, base currency, settings object); the catalogue object is checked
# as core/templatetags/i18n_fast.py does (a reloaded catalogue starts afresh).
_KEPT: dict[tuple, tuple[object, dict, dict]] = {}
_KEPT_MAX = 20_000  # texts per key: money amounts are many; cleared when full


def _kept_memos(base_currency: str) -> tuple[dict, dict]:
    catalogue = getattr(trans_real._active, "value", None)
    key = (translation.get_language(), display_prefs(), base_currency, id(settings._wrapped))
    kept = _KEPT.get(key)
    if kept is None or kept[0] is not catalogue or len(kept[1]) > _KEPT_MAX:
        if len(_KEPT) > 64:
            _KEPT.clear()
        kept = _KEPT[key] = (catalogue, {}, {})
    return kept[1], kept[2]


class _Cells(TranslateOnce):
    """What the rows translate and format, once per distinct value (kept between requests)."""

    def __init__(self, base_currency: str):
        super().__init__()
        self.memo, self.texts = _kept_memos(base_currency)
        self.base_currency = base_currency
        self.url_head, self.url_tail = url_parts("accounts:detail")

    def badge(self, account: Account, field: str, colours: dict[str, str]) -> str:
        value = getattr(account, field)

        def make() -> str:
            label = getattr(account, f"get_{field}_display")()
            return f'<span class="badge {esc(colours.get(value, ""))}">{esc(label)}</span>'

        return self.get((field, value), make)

    def money(self, value, currency: str | None) -> str:
        return self.get(("money", value, currency), lambda: esc(format_money(value, currency or None, compact=True)))

    def days(self, days: int) -> str:
        return self.get(("days", days), lambda: esc(relative_days(days)))

    def date(self, day) -> str:
        return self.get(("date", day), lambda: esc(format_date(day, "medium")))

    def plural(self, singular: str, plural: str, n: int) -> str:
        return self.get(("n", singular, n), lambda: ngettext(singular, plural, n) % {"n": n})


def _arr(a: Account, c: _Cells, rolled_up: bool) -> str:
    base = c.base_currency
    if rolled_up:
        text = c.money(a.rollup_arr_base, base)
        if getattr(a, "children_n", None):
            text += (
                '<div class="sub muted">'
                + c.plural("with %(n)s subsidiary", "with %(n)s subsidiaries", a.children_n)
                + "</div>"
            )
        return text
    if a.mrr and a.mrr_base is None:
        return (
            f'<span class="text-red" title="{esc(c.gettext("No exchange rate this month"))}">—</span>'
            f'<div class="sub muted">{c.money(a.arr, a.currency)}</div>'
        )
    if a.mrr:
        text = c.money(a.arr_base, base)
        if a.currency != base:
            text += f'<div class="sub muted">{c.money(a.arr, a.currency)}</div>'
        return text
    return '<span class="muted">—</span>'


def _renewal(a: Account, c: _Cells) -> str:
    if not a.renewal_date:
        return '<span class="muted">—</span>'
    d = a.days_to_renewal
    tone = "text-red" if d < 30 else "text-yellow" if d < 90 else "muted"
    return f'{c.date(a.renewal_date)} <span class="{tone}">{c.days(d)}</span>'


def _touch(a: Account, c: _Cells) -> str:
    touch = a.touch
    state = touch.state
    if state == "overdue":
        text = c.plural("%(n)sd overdue", "%(n)sd overdue", touch.overdue_days)
        return f'<span class="badge red">{text}</span>'
    if state == "never":
        return f'<span class="badge red">{esc(c.gettext("never touched"))}</span>'
    if state == "soon":
        text = c.get(("due", touch.days), lambda: gettext("due %(when)s") % {"when": c.days(touch.days)})
        return f'<span class="badge yellow">{text}</span>'
    if state == "ok":
        return f'<span class="muted">{c.days(touch.days)}</span>'
    return '<span class="muted">—</span>'


def _row(a: Account, c: _Cells, *, can_reassign: bool, rolled_up: bool) -> str:
    name = esc(a.name)
    pk = a.pk
    check = ""
    if can_reassign:
        label = c.gettext("Select %(name)s") % {"name": name}
        check = (
            f'<td class="check"><input type="checkbox" name="account_ids" value="{pk}" form="reassign-form"'
            f' aria-label="{label}"></td>'
        )
    sub = esc(a.domain or a.external_id)
    if a.industry:
        sub += f" · {esc(a.industry)}"
    owner = a.owner
    if owner is not None:
        owner_cell = (
            f'<span class="avatar xs">{esc(owner.initials)}</span> {esc(owner.get_full_name() or owner.username)}'
        )
    else:
        owner_cell = f'<span class="muted">{esc(c.gettext("Unassigned"))}</span>'
    health = c.get(("health", a.health_score, a.health_band, a.health_change_7d), lambda: _health_pill(a, c.gettext))
    return (
        f"<tr>{check}"
        f'<td class="account-cell"><a class="strong" href="{c.url_head}{pk}{c.url_tail}">{name}</a>'
        f'<div class="sub">{sub}</div></td>'
        f'<td class="owner-cell">{owner_cell}</td>'
        f"<td>{c.badge(a, 'tier', TIER_COLOURS)}</td>"
        f'<td class="muted">{esc(a.segment or DASH)}</td>'
        f"<td>{c.badge(a, 'lifecycle_stage', STAGE_COLOURS)}</td>"
        f'<td class="num strong">{_arr(a, c, rolled_up)}</td>'
        f'<td class="nowrap">{_renewal(a, c)}</td>'
        f"<td>{health}</td>"
        f'<td class="nowrap">{_touch(a, c)}</td>'
        "</tr>\n"
    )


def portfolio_rows(
    accounts: Iterable[Account], *, can_reassign: bool, rolled_up: bool, base_currency: str
) -> SafeString:
    """The table's <tr> rows for these accounts (each with `touch`, accounts.selectors.touch_status)."""
    cells = _Cells(base_currency)
    html = "".join(_row(a, cells, can_reassign=can_reassign, rolled_up=rolled_up) for a in accounts)
    return mark_safe(html)  # noqa: S308 - every value above is escaped
