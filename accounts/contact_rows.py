"""The account page's contacts card rows, written in Python (issue 23: the account page's CPU).

The card's template loop cost ~13k Python calls for its 12 contacts: two `{% url %}` reversals,
a `{% blocktranslate %}` and the `last_seen_at` tooltip per row. Here the two URLs are reversed
once per render with a placeholder id (core.i18n_cache.url_parts), the fixed texts are
translated once, and a row is one f-string. The markup and message ids are the old template's
(tests/accounts/test_contact_rows.py renders both and compares them in four languages).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from core.i18n_cache import url_parts, value_html

from .models import Contact
from .templatetags.account_tags import days_from_today, relative_days

__all__ = ["contact_rows_html"]

_ID = 987654321


def contact_rows_html(contacts: Iterable[Contact], *, account_pk: int, can_edit: bool) -> SafeString:
    """The `<li>` rows of #contacts-card's list (its "No contacts yet." row when there are none)."""
    contacts = list(contacts)
    if not contacts:
        return mark_safe(f'<li class="empty">{gettext("No contacts yet.")}</li>')
    detail_head, detail_tail = (esc(part) for part in url_parts("accounts:contact_detail"))
    fields_head, fields_tail = (
        esc(part) for part in reverse("accounts:contact_fields", args=[account_pk, _ID]).split(str(_ID))
    )
    never = gettext("never seen")
    edit_label = gettext("Edit %(name)s")
    edit_title = gettext("Edit")
    out = []
    for c in contacts:
        pk = c.pk
        name = c.name
        avatar = esc(name[:1] or "?")
        shown = esc(name or c.email)
        lang = f' <span class="badge lang">{esc(c.language)}</span>' if c.language != "en" else ""
        persona = f" · {esc(str(c.persona))}" if c.persona else ""
        seen_at = c.last_seen_at
        if seen_at:
            title = value_html(seen_at)
            seen = esc(relative_days(days_from_today(seen_at)))
        else:
            title = "" if seen_at is None else value_html(seen_at)
            seen = never
        edit = (
            f'<button type="button" class="btn ghost sm contact-edit" hx-get="{fields_head}{pk}{fields_tail}" '
            f'hx-target="#contact-slot-{pk}" hx-swap="innerHTML" aria-label="{edit_label % {"name": esc(str(c))}}" '
            f'title="{edit_title}"><svg width="12" height="12"><use href="#i-edit"/></svg></button>'
            if can_edit
            else ""
        )
        out.append(
            f"\n        <li>\n"
            f'          <span class="avatar sm">{avatar}</span>\n'
            f'          <div class="who">\n'
            f'            <div class="strong" dir="auto"><a href="{detail_head}{pk}{detail_tail}">{shown}</a>'
            f"{lang}</div>\n"
            f'            <div class="muted small">{esc(c.title or "—")}{persona}</div>\n'
            f"          </div>\n"
            f'          <div class="seen muted small" title="{title}">{seen}</div>\n'
            f"          {edit}\n"
            f"        </li>\n"
            f'        <li class="contact-slot" id="contact-slot-{pk}"></li>\n'
            f"        "
        )
    return mark_safe("".join(out))
