"""Running playbooks: every enabled one (nightly, by hand) or those an event concerns, for one
account at once."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date

from ..choices import RunSource
from ..evaluation import EvalResult, playbook_evaluate, run_records_store
from ..models import Playbook, PlaybookRun
from ..triggers import triggers_for_event
from .tasks import tasks_cancel_churned

__all__ = [
    "playbooks_run",
    "playbooks_run_event",
]

logger = logging.getLogger(__name__)


def playbooks_run(
    *,
    as_of: date | None = None,
    source: str = RunSource.MANUAL,
    account_ids: list[int] | None = None,
    playbook_ids: Iterable[int] | None = None,
    trigger_types: Iterable[str] | None = None,
    event: dict | None = None,
) -> list[EvalResult]:
    """Evaluate every enabled playbook (or the given ones). One failing playbook is logged on
    its run and does not stop the others. First, the open tasks of accounts that have churned
    since (a stage set by an import, the API or by hand sends no signal) are cancelled."""
    tasks_cancel_churned(account_ids=account_ids)
    playbooks = Playbook.objects.enabled().order_by("id")
    if playbook_ids is not None:
        playbooks = playbooks.filter(pk__in=list(playbook_ids))
    if trigger_types is not None:
        playbooks = playbooks.filter(trigger_type__in=list(trigger_types))
    results = []
    quiet: list[PlaybookRun] = []  # runs that enrolled nobody: written together at the end
    try:
        for playbook in playbooks:
            try:
                results.append(
                    playbook_evaluate(
                        playbook=playbook,
                        as_of=as_of,
                        source=source,
                        account_ids=account_ids,
                        event=event,
                        quiet_runs=quiet,
                    )
                )
            except Exception:  # noqa: BLE001 - recorded on the run as failed
                logger.exception("playbook %s failed", playbook.pk)
    finally:
        run_records_store(quiet)
    return results


def playbooks_run_event(*, event: dict) -> list[EvalResult]:
    """At once on an event for one account: {"event": "survey.response_recorded" |
    "subscription.changed" | "health.band_changed", "account_id": ..., ...}."""
    types = triggers_for_event(event["event"])
    if not types or not event.get("account_id"):
        return []
    as_of = date.fromisoformat(str(event["day"])) if event.get("day") else None
    return playbooks_run(
        as_of=as_of, source=RunSource.EVENT, account_ids=[int(event["account_id"])], trigger_types=types, event=event
    )
