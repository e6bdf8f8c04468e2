"""Reads of risks and churn / downgrade reasons: the risks list, the account page's panel."""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.utils import timezone

from accounts.models import Subscription

from ..choices import RISK_OPEN_STATUSES
from ..models import ChurnReason, ReasonCode, ReasonPrompt, Risk

__all__ = [
    "account_reason_panel",
    "account_risks",
    "reason_codes_active",
    "reason_codes_all",
    "risk_linked_tasks",
    "risk_list",
]


def risk_list() -> QuerySet[Risk]:
    """Every risk with what its list row shows (one query per page)."""
    return Risk.objects.select_related("account", "owner", "reason_code")


def reason_codes_active() -> QuerySet[ReasonCode]:
    return ReasonCode.objects.filter(archived=False)


def reason_codes_all() -> list[ReasonCode]:
    return list(ReasonCode.objects.all())


def risk_linked_tasks(*, risk: Risk) -> list:
    return list(risk.tasks.select_related("assignee").order_by("due_date"))


def account_risks(*, account_id: int, closed_limit: int = 5) -> dict:
    """The account's live risks (soonest due first) and its last few closed ones: one plain
    query for all its risks (a handful a year), split here: cheaper on the account page than two
    queries or a window (docs/perf/pages.md)."""
    rows = list(
        Risk.objects.filter(account_id=account_id)
        .select_related("owner", "reason_code")
        # undated live risks after the dated ones on every database (SQLite sorts NULLs first)
        .order_by(F("due_date").asc(nulls_last=True), "-opened_at")
    )
    live = [r for r in rows if r.status in RISK_OPEN_STATUSES]
    closed = [r for r in rows if r.status not in RISK_OPEN_STATUSES]
    # "-closed_at": the latest first, one without a date before them (PostgreSQL's DESC)
    closed.sort(key=lambda r: (r.closed_at is None, r.closed_at), reverse=True)
    return {"live": live, "closed": closed[:closed_limit]}


def account_reason_panel(*, account_id: int, limit: int = 5) -> dict:
    """What the "Why revenue was lost" panel shows: open prompts (a change without a reason),
    the last reasons given, and the paid subscriptions a CSM can cancel or downgrade (three
    queries)."""
    prompts = list(
        ReasonPrompt.objects.filter(account_id=account_id, reason__isnull=True)
        .select_related("subscription")
        .order_by("-created_at")[:limit]
    )
    reasons = list(
        ChurnReason.objects.filter(account_id=account_id).select_related("reason_code", "recorded_by")[:limit]
    )
    subscriptions = list(
        Subscription.objects.active_on(timezone.now().date())
        .paid()
        .filter(account_id=account_id, mrr__gt=0, canceled_at__isnull=True)
        .order_by("-start_date", "id")[:10]
    )
    return {"prompts": prompts, "reasons": reasons, "subscriptions": subscriptions}
