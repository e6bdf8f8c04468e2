"""The prep card: what a CSM wants in front of them before a customer meeting, on one card:
the health score and what pulls it down, open tasks and live risks, the last survey answers,
and the renewal (date, days left, ARR). Read from each floor's own selectors, a fixed number of
queries per card (the home page loads each card on demand)."""

from __future__ import annotations

from health.models import HealthScore
from health.selectors import measure_rows
from playbooks.choices import OPEN_STATUSES
from playbooks.models import Task
from playbooks.selectors.accounts import account_open_tasks
from renewals.selectors.risks import account_risks
from surveys.selectors import account_responses

__all__ = ["meeting_prep"]

TASKS_SHOWN = 3
ANSWERS_SHOWN = 3


def meeting_prep(*, account) -> dict:
    """The prep card's content for `account` (at most six queries)."""
    latest = HealthScore.objects.filter(account_id=account.pk).order_by("-day").first()
    rows = measure_rows(latest.measures) if latest else []
    tasks = account_open_tasks(account_id=account.pk, limit=TASKS_SHOWN)
    open_count = (
        len(tasks)
        if len(tasks) < TASKS_SHOWN
        else Task.objects.filter(account_id=account.pk, status__in=OPEN_STATUSES).count()
    )
    return {
        "account": account,
        "health": {
            "score": account.health_score,
            "band": account.health_band,
            "change_7d": account.health_change_7d,
            "day": latest.day if latest else None,
            "reasons": [r for r in rows if r["drag"]][:3],
        },
        "tasks": tasks,
        "task_count": open_count,
        "risks": account_risks(account_id=account.pk, closed_limit=0)["live"],
        "answers": account_responses(account_id=account.pk, limit=ANSWERS_SHOWN),
        "renewal": {
            "date": account.renewal_date,
            "days": account.days_to_renewal,
            "arr": account.arr,
            "currency": account.currency,
        },
    }
