"""`/pulse <account>`: the account's summary for the Slack user who typed it, ephemeral (only
they see it), in their language: health score and band with what pulls it down, MRR, renewal,
open tasks. Only a linked user gets an answer, and only about an account they may read
(accounts.access). Slash command payload: https://api.slack.com/interactivity/slash-commands."""

from __future__ import annotations

from django.db.models import Q
from django.utils import translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from accounts.access import accounts_readable
from accounts.models import Account
from core.languages import supported_language
from playbooks.choices import OPEN_STATUSES
from playbooks.models import Task

from ..models import SlackUserLink
from .blocks import _escape, absolute

__all__ = ["pulse_command"]

MAX_MATCHES = 5


def _ephemeral(text: str, blocks: list | None = None) -> dict:
    answer: dict = {"response_type": "ephemeral", "text": text}
    if blocks:
        answer["blocks"] = blocks
    return answer


def pulse_command(*, slack_user_id: str, text: str) -> dict:
    """The JSON answer to `/pulse <text>` typed by `slack_user_id`."""
    link = (
        SlackUserLink.objects.select_related("user").filter(slack_user_id=slack_user_id, user__is_active=True).first()
    )
    if link is None:
        return _ephemeral(_("Link your Slack account in Pulse first (Settings, Slack) to use /pulse."))
    user = link.user
    with translation.override(supported_language(user.language)):
        query = (text or "").strip()
        if not query:
            return _ephemeral(_("Usage: /pulse <account name or id>"))
        readable = accounts_readable(user, Account.objects.all())
        matches = list(
            readable.filter(Q(external_id__iexact=query) | Q(name__iexact=query)).order_by("name")[:MAX_MATCHES]
        ) or list(readable.filter(name__icontains=query).order_by("-mrr", "name")[:MAX_MATCHES])
        if not matches:
            return _ephemeral(_("No account you can see matches “%(query)s”.") % {"query": query})
        if len(matches) > 1 and matches[0].name.lower() != query.lower():
            names = ", ".join(a.name for a in matches)
            return _ephemeral(_("Several accounts match: %(names)s. Type more of the name.") % {"names": names})
        return _summary(matches[0])


def _summary(account: Account) -> dict:
    from health.selectors import account_health_card

    card = account_health_card(account)
    reasons = ", ".join(f"{r['label']} (−{r['drag']})" for r in card["pulling_down"]) or _("nothing in particular")
    open_tasks = Task.objects.filter(account=account, status__in=OPEN_STATUSES).count()
    band = account.get_health_band_display() if account.health_band else _("no band")
    score = "—" if account.health_score is None else str(account.health_score)
    renewal = date_format(account.renewal_date, "SHORT_DATE_FORMAT") if account.renewal_date else _("none")
    lines = [
        _("Health %(score)s (%(band)s); pulling it down: %(reasons)s")
        % {"score": score, "band": band, "reasons": reasons},
        _("MRR %(mrr)s · renewal %(renewal)s · %(tasks)s open tasks")
        % {"mrr": number_format(account.mrr, 0, force_grouping=True), "renewal": renewal, "tasks": open_tasks},
    ]
    url = absolute(f"/accounts/{account.pk}/")
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*<{url}|{_escape(account.name)}>*"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _escape("\n".join(lines))}},
    ]
    return _ephemeral(f"{account.name}: " + " · ".join(lines), blocks)
