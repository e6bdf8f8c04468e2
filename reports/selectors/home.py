"""Reads for the home page: a CSM's expansion signals (accounts near their plan limits)."""

from __future__ import annotations

from datetime import date

from usage import metrics

from ..models import ExpansionSignal
from .base import cached, last_refresh


def expansion_signals_for(*, owner_id: int, today: date, limit: int = 8) -> tuple[list[dict], str]:
    """The owner's accounts near their plan limits: from the nightly pre-aggregate when it was
    built today (usage is daily data), else live for their accounts and cached."""
    refresh = last_refresh()
    if refresh is not None and refresh.as_of == today:
        rows = ExpansionSignal.objects.filter(owner_id=owner_id, as_of=today).order_by("-ratio", "account_name", "what")
        return [
            {"account_id": r.account_id, "account_name": r.account_name, "owner_id": r.owner_id, "what": r.what,
             "used": r.used, "limit": r.limit, "ratio": r.ratio}
            for r in rows[:limit]
        ], "pre-aggregate"  # fmt: skip
    signals = cached(
        ("signals", today, owner_id, limit),
        lambda: metrics.expansion_signals(as_of=today, accounts=metrics.account_slice(owner_id=owner_id), limit=limit),
    )
    return signals, "live"
