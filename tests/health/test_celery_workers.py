"""Two real Celery workers over Redis share the nightly recompute (a group of account-id
chunks, then the finishing step) and give exactly what one in-process run gives."""

import os
import re
import signal
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


class Workers:
    """Real Celery worker processes over Redis, started and killed by the test."""

    def __init__(self, env, tmp_path):
        self.env, self.tmp_path, self.procs, self.logs = env, tmp_path, {}, {}

    def start(self, n: int) -> None:
        log = self.tmp_path / f"worker{n}.log"
        self.logs[n] = log
        self.procs[n] = subprocess.Popen(
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
            env=self.env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, names: set[int]) -> None:
        from csplatform.celery import app

        deadline = time.time() + 60
        while time.time() < deadline:
            replies = app.control.ping(timeout=1.0) or []
            up = {name.split("@")[0] for r in replies for name in r}
            if {f"health-test-{n}" for n in names} <= up:
                return
        pytest.fail("Celery workers did not start: " + self.tail())

    def kill(self, n: int) -> None:
        """SIGKILL: no shutdown, no ack; the task it held stays unacknowledged in Redis."""
        self.procs[n].kill()
        self.procs[n].wait(timeout=20)

    def kill_mid_chunk(self, n: int, timeout: float = 60) -> str:
        """Kill worker n while it runs a nightly chunk: stop it the moment its log shows a
        chunk received and not finished, check again while it is stopped (no race), then
        SIGKILL. Returns the lost task's id."""
        received = re.compile(r"Task health\.tasks\.health_recompute_chunk_task\[([\w-]+)\] received")
        deadline = time.time() + timeout
        while time.time() < deadline:
            text = self.logs[n].read_text()
            running = [t for t in received.findall(text) if f"[{t}] succeeded" not in text]
            if running:
                self.procs[n].send_signal(signal.SIGSTOP)
                text = self.logs[n].read_text()
                if f"[{running[-1]}] succeeded" not in text:
                    self.kill(n)
                    return running[-1]
                self.procs[n].send_signal(signal.SIGCONT)
            time.sleep(0.001)
        pytest.fail(f"worker {n} was never caught inside a chunk: " + self.tail())

    def tail(self) -> str:
        return "\n".join(f"--- worker {n}\n" + log.read_text()[-3000:] for n, log in self.logs.items())

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def workers(transactional_db, tmp_path):
    """Two workers up; `workers.start(3)` brings another, `workers.kill(1)` loses one."""
    from csplatform.celery import app

    app.control.purge()
    db = connection.settings_dict
    env = dict(
        os.environ,
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        CELERY_TASK_ALWAYS_EAGER="0",
        # A lost task comes back after this many seconds (production: 30 minutes).
        CELERY_VISIBILITY_TIMEOUT="3",
        DJANGO_SETTINGS_MODULE="csplatform.settings",
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",  # the test reads the workers' logs as they run
    )
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # the test settings run tasks inline; here they go to Redis
    pool = Workers(env, tmp_path)
    try:
        pool.start(1)
        pool.start(2)
        pool.wait_ready({1, 2})
        yield pool
    finally:
        app.conf.task_always_eager = eager
        pool.stop()


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
        print(workers.tail())
        raise
    by_workers = _state()
    assert len(by_workers[0]) == 31
    assert next(s for s in by_workers[0] if s[0] == Account.objects.get(external_id="group").id)[4] == "rollup"
    chunk_counts = [log.read_text().count("health_recompute_chunk_task") for log in workers.logs.values()]
    assert all(c > 0 for c in chunk_counts), f"both workers should take chunks, got {chunk_counts}"

    HealthScore.objects.all().delete()
    Account.objects.update(health_score=None, health_band="", health_change_7d=None)
    health_recompute()
    assert _state() == by_workers


def test_a_worker_killed_mid_night_leaves_nothing_missing(workers):
    """Issue 23: a worker killed during the nightly recompute. Its chunk stays unacknowledged
    (acks_late, reject on worker lost), comes back after the visibility timeout to a worker
    (here one started after the loss, as a supervisor would), the chord's finish runs and
    checks completeness, and the result equals a single-process run."""
    from celery.result import AsyncResult

    from health.models import NightlyRun
    from health.tasks import health_nightly_task

    _book()
    try:
        started = health_nightly_task.delay(None, 3).get(timeout=60)
        lost = workers.kill_mid_chunk(1)
        time.sleep(4)  # past the visibility timeout
        workers.start(3)
        AsyncResult(started["finish_id"]).get(timeout=120)
    except Exception:
        print(workers.tail())
        raise
    by_workers = _state()
    assert len(by_workers[0]) == 31
    run = NightlyRun.objects.get(day=today())
    assert run.finished_at is not None and run.finished_by == "chord"
    # The chunk worker 1 was killed in the middle of came back and succeeded on another worker.
    assert f"[{lost}] succeeded" not in workers.logs[1].read_text()
    assert f"[{lost}] succeeded" in "".join(workers.logs[n].read_text() for n in (2, 3))

    HealthScore.objects.all().delete()
    Account.objects.update(health_score=None, health_band="", health_change_7d=None)
    health_recompute()
    assert _state() == by_workers
