"""The account 360 page's cached panels (issue 23): a panel whose data changes slowly (the health
card, the survey answers) registers `cache_vary`, and its rendered HTML is kept in the cache per
(panel, account, data version, language, digits, calendar, time zone, day, what `cache_vary`
returns for the reader).

The floor that owns the data bumps the version after each write that changes what the panel shows
(`account_panels_changed`, after commit: a reader that read the old data before the commit stored
it under the old version, which nobody reads again); `account_ids=None` bumps every account's
(settings, scorecards, survey themes). `PANEL_CACHE_SECONDS` bounds what no write announces (a
write path that sends no signal, a relative date that moves with the clock).

A cached panel's CSRF tokens are stored as a placeholder and replaced by the request's token when
served, so the cached HTML is the same for every reader it is shared with."""

import hashlib
import time
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from core.i18n import display_prefs

PANEL_CACHE_SECONDS = 300
VERSION_SECONDS = 24 * 3600  # outlives every HTML entry stored under a version
CSRF_PLACEHOLDER = "acct360csrfplaceholder"


def _version_key(panel_key: str, account_id: int | None) -> str:
    return f"acct360:v:{panel_key}:{'all' if account_id is None else account_id}"


def account_panels_changed(*, account_ids: Iterable[int] | None, keys: Iterable[str]) -> None:
    """The data of these panels changed for these accounts (None: for every account, e.g. survey
    themes renamed): their cached HTML is dropped after commit."""
    targets = [None] if account_ids is None else set(account_ids)
    version_keys = [_version_key(key, account_id) for account_id in targets for key in set(keys)]
    if not version_keys:
        return

    def bump() -> None:
        version = time.time_ns()
        cache.set_many(dict.fromkeys(version_keys, version), timeout=VERSION_SECONDS)

    transaction.on_commit(bump)


def _versions(panels: list, account_id: int) -> dict[str, str]:
    """{panel key: data version of this account's panel and of everyone's}, one cache round trip.
    A version that is not stored yet is made (never 0: an entry stored under an evicted version is
    never read again)."""
    keys = [_version_key(panel.key, owner) for panel in panels for owner in (account_id, None)]
    stored = cache.get_many(keys)
    for key in keys:
        if stored.get(key) is None:
            cache.add(key, time.time_ns(), timeout=VERSION_SECONDS)
            stored[key] = cache.get(key)
    return {
        panel.key: f"{stored[_version_key(panel.key, account_id)]}.{stored[_version_key(panel.key, None)]}"
        for panel in panels
    }


def _vary_digest(vary: tuple) -> str:
    """What `cache_vary` returned, short and safe in a key whatever it holds (an address, a time)."""
    return hashlib.blake2b(repr(vary).encode(), digest_size=12).hexdigest()


def cached_panels_html(request, account, panels: list) -> dict[str, str]:
    """{panel key: HTML ("" when the panel is hidden)} for panels with `cache_vary`, two cache
    round trips when every panel is cached; a missing panel is rendered and stored."""
    if not panels:
        return {}
    versions = _versions(panels, account.pk)
    prefs = display_prefs()  # the reader's digits, calendar and time zone
    scope = ":".join(
        (translation.get_language(), prefs.digits, prefs.calendar, prefs.zone, timezone.localdate().isoformat())
    )
    varies = {panel.key: _vary_digest(panel.cache_vary(request, account)) for panel in panels}
    html_keys = {
        panel.key: f"acct360:h:{panel.key}:{account.pk}:{versions[panel.key]}:{scope}:{varies[panel.key]}"
        for panel in panels
    }
    stored = cache.get_many(list(html_keys.values()))
    out: dict[str, str] = {}
    missing: dict[str, str] = {}
    for panel in panels:
        html = stored.get(html_keys[panel.key])
        if html is None:
            context = panel.get_context(request, account)
            html = (
                ""
                if context is None
                else render_to_string(
                    panel.template_name,
                    {"account": account, "panel": context, "csrf_token": CSRF_PLACEHOLDER},
                    request=request,
                )
            )
            missing[html_keys[panel.key]] = html
        out[panel.key] = html
    if missing:
        cache.set_many(missing, timeout=PANEL_CACHE_SECONDS)
    if any(CSRF_PLACEHOLDER in html for html in out.values()):
        token = get_token(request)
        out = {key: html.replace(CSRF_PLACEHOLDER, token) for key, html in out.items()}
    return {key: mark_safe(html) for key, html in out.items()}  # noqa: S308 - rendered by the template engine
