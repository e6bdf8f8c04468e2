"""Exactly once under two real Celery workers over Redis: both pick up a nightly evaluation of
the same playbooks at the same moment, against the same PostgreSQL database; each task is
created once. Needs DATABASE_URL (PostgreSQL) and REDIS_URL; skipped otherwise."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from playbooks.models import Enrolment, PlaybookRun, Task
from tests.factories import AccountFactory
from tests.factories.surveys import SurveyResponseFactory

ROOT = Path(__file__).resolve().parents[2]
TODAY = timezone.now().date()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_celery_workers_create_each_task_once(make_playbook):
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        pytest.skip("needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)")
    from celery import Celery

    # given: 30 accounts renewing, 8 of them with a detractor answer, two playbooks
    for i in range(30):
        account = AccountFactory(renewal_date=TODAY + timedelta(days=10 + i), mrr=Decimal("500"))
        if i < 8:
            SurveyResponseFactory(account=account, score=4)
    make_playbook("renewal_due", {"days": 90})
    make_playbook("survey_answer", {"answer": "detractor"})

    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    queue = f"pb-test-{uuid.uuid4().hex[:8]}"
    env = os.environ | {
        "DATABASE_URL": database_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DJANGO_SETTINGS_MODULE": "csplatform.settings",
    }
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "csplatform",
                "worker",
                "-Q",
                queue,
                "-P",
                "solo",
                "-n",
                f"pb{i}-{queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for i in range(2)
    ]
    # set_as_current=False: a new app is otherwise the current one of this thread from now on, and
    # later tests' task proxies would resolve to it instead of the project's app
    client = Celery(broker=os.environ["REDIS_URL"], backend=os.environ["REDIS_URL"], set_as_current=False)
    try:
        # wait until both workers answer a ping, so both are there to take a task each
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            replies = client.control.ping(
                timeout=1.0, destination=[f"pb{i}-{queue}@{os.uname().nodename}" for i in range(2)]
            )
            if len(replies) == 2:
                break
        else:
            pytest.fail("the two Celery workers did not start")
        # when: the same nightly evaluation is sent twice at once
        results = [
            client.send_task(
                "playbooks.tasks.playbooks_evaluate_task", args=[TODAY.isoformat(), None, "nightly"], queue=queue
            )
            for _ in range(2)
        ]
        enrolled = [r.get(timeout=120) for r in results]
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=30)
    # then: two complete runs, one task per account and playbook
    assert sum(enrolled) == 38
    assert PlaybookRun.objects.filter(status="done").count() == 4
    assert Task.objects.count() == 38 and Enrolment.objects.count() == 38
    assert Task.objects.values("account", "playbook").distinct().count() == 38
