"""Two real Celery workers over Redis share the nightly recompute (a group of account-id
chunks, then the finishing step) and give exactly what one in-process run gives."""

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from accounts.models import Account
from health.models import HealthScore, Scorecard, ScorecardMeasure
from health.services import health_recompute, today
from tests.factories.accounts import AccountFactory, SupportTicketFactory
from tests.factories.usage import UsageEventFactory
from usage.rollups import usage_rollup_rebuild

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")),
        reason="needs DATABASE_URL (PostgreSQL) and REDIS_URL",
    ),
]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def workers(transactional_db, tmp_path):
    from csplatform.celery import app

    app.control.purge()
    db = connection.settings_dict
    env = dict(
        os.environ,
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        CELERY_TASK_ALWAYS_EAGER="0",
        DJANGO_SETTINGS_MODULE="csplatform.settings",
        PYTHONPATH=str(ROOT),
    )
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # the test settings run tasks inline; here they go to Redis
    procs, logs = [], []
    for n in (1, 2):
        log = tmp_path / f"worker{n}.log"
        logs.append(log)
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "csplatform",
                    "worker",
                    "-P",
                    "solo",
                    "-c",
                    "1",
                    "-l",
                    "info",
                    "-n",
                    f"health-test-{n}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=env,
                stdout=log.open("w"),
                stderr=subprocess.STDOUT,
            )
        )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            replies = app.control.ping(timeout=1.0) or []
            if sum(1 for r in replies for name in r if name.startswith("health-test-")) >= 2:
                break
        else:
            pytest.fail("Celery workers did not start: " + " | ".join(p.read_text()[-500:] for p in logs))
        yield logs
    finally:
        app.conf.task_always_eager = eager
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _book():
    sc = Scorecard.objects.create(name="Default", is_default=True, red_below=40, green_from=70)
    ScorecardMeasure.objects.create(scorecard=sc, measure_key="usage_frequency", weight=20, points=[[0, 0], [20, 100]])
    ScorecardMeasure.objects.create(
        scorecard=sc, measure_key="usage_trend", weight=10, points=[[-50, 0], [0, 70], [20, 100]]
    )
    ScorecardMeasure.objects.create(scorecard=sc, measure_key="open_tickets", weight=10, points=[[0, 100], [5, 0]])
    parent = AccountFactory(external_id="group")
    now = datetime.now(UTC)
    for i in range(30):
        account = AccountFactory(parent=parent if i < 3 else None, mrr=Decimal(100 * (i + 1)))
        for offset in range(0, 60, 1 + i % 5):
            UsageEventFactory(account=account, occurred_at=now - timedelta(days=offset, hours=i % 7))
        for _ in range(i % 3):
            SupportTicketFactory(account=account)
    Account.objects.filter(pk=parent.pk).update(mrr=Decimal("0"))
    usage_rollup_rebuild()


def _state():
    snaps = sorted(
        HealthScore.objects.filter(day=today()).values_list(
            "account_id", "score", "band", "computed_score", "source", "measures"
        )
    )
    accounts = sorted(Account.objects.values_list("id", "health_score", "health_band"))
    return snaps, accounts


def test_two_workers_match_one_process(workers):
    from celery.result import AsyncResult

    from health.tasks import health_nightly_task

    _book()
    try:
        started = health_nightly_task.delay(None, 3).get(timeout=60)
        assert started["chunks"] == 11
        AsyncResult(started["finish_id"]).get(timeout=120)
    except Exception:
        print("\n".join(log.read_text()[-3000:] for log in workers))
        raise
    by_workers = _state()
    assert len(by_workers[0]) == 31
    assert next(s for s in by_workers[0] if s[0] == Account.objects.get(external_id="group").id)[4] == "rollup"
    chunk_counts = [log.read_text().count("health_recompute_chunk_task") for log in workers]
    assert all(c > 0 for c in chunk_counts), f"both workers should take chunks, got {chunk_counts}"

    HealthScore.objects.all().delete()
    Account.objects.update(health_score=None, health_band="", health_change_7d=None)
    health_recompute()
    assert _state() == by_workers
