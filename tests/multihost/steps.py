"""What the multi-host test runs on a host, one step per call, the answer as JSON on stdout:
`python -m tests.multihost.steps <step> [args]` with the host's DATABASE_URL / REDIS_URL.

- seed: the book of tests/health/test_celery_workers.py (31 accounts, events, tickets) and an admin who signs in
  as `manager` / `pass1234!`
- nightly <chunk_size>: send the nightly task as beat does, wait for its start: {"chunks", "finish_id"}
- wait <finish_id>: wait for the chord's finish
- state: the day's health snapshots and the accounts' scores
- single: forget the day's scores and recompute them in this one process (the single-host run)
"""

from __future__ import annotations

import json
import sys


def main(step: str, *args: str) -> object:
    import django

    django.setup()
    if step == "seed":
        from core.choices import Role
        from tests.factories import UserFactory
        from tests.health.test_celery_workers import _book

        _book()
        UserFactory(username="manager", email="manager@multihost.test", role=Role.ADMIN)
        return {"seeded": True}
    if step == "nightly":
        from csplatform.celery import app

        started = app.send_task("health.tasks.health_nightly_task", args=[None, int(args[0])])
        return started.get(timeout=120)
    if step == "wait":
        from celery.result import AsyncResult

        return {"recovered": AsyncResult(args[0]).get(timeout=180)}
    if step == "state":
        from health.models import NightlyRun
        from health.services import today
        from tests.health.test_celery_workers import _state

        run = NightlyRun.objects.filter(day=today()).values("chunks", "finished_by", "recovered").first()
        snaps, accounts = _state()
        return {"snapshots": snaps, "accounts": accounts, "run": run}
    if step == "single":
        from accounts.models import Account
        from health.models import HealthScore
        from health.services import health_recompute

        HealthScore.objects.all().delete()
        Account.objects.update(health_score=None, health_band="", health_change_7d=None)
        health_recompute()
        return {"single": True}
    raise SystemExit(f"unknown step {step}")


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:]), default=str))
