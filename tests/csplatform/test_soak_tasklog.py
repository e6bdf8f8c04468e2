"""`make soak`'s task table (bench/soak/tasklog.py): the workers' "task cpu" / "task count" lines
(csplatform.celery with CELERY_TASK_CPU_LOG=1) summed per task inside the load window."""

import time

from bench.soak import tasklog

LOG = """\
[2026-12-07 18:00:00,000: WARNING/MainProcess] task cpu health.tasks.accounts_health_refresh_task 9.0000
[2026-12-07 18:00:01,000: WARNING/MainProcess] task cpu health.tasks.accounts_health_refresh_task 0.5000
[2026-12-07 18:00:01,000: WARNING/MainProcess] task count health.tasks.accounts_health_refresh_task 100
[2026-12-07 18:00:02,500: WARNING/ForkPoolWorker-1] task cpu playbooks.tasks.playbooks_event_task 0.0200
[2026-12-07 18:00:03,000: INFO/MainProcess] Task something received
[2026-12-07 18:00:04,000: WARNING/MainProcess] task cpu health.tasks.account_health_refresh_task 0.0400
[2026-12-07 18:00:04,000: WARNING/MainProcess] task count health.tasks.account_health_refresh_task 1
[2026-12-07 18:00:05,000: WARNING/MainProcess] task cpu health.tasks.account_health_refresh_task 0.0600
[2026-12-07 18:00:05,000: WARNING/MainProcess] task count health.tasks.account_health_refresh_task 1
"""


def _at(clock: str) -> float:
    return time.mktime(time.strptime(f"2026-12-07 {clock}", "%Y-%m-%d %H:%M:%S"))


def test_lines_are_summed_per_task_inside_the_window(tmp_path):
    (tmp_path / "worker1.log").write_text(LOG)
    (tmp_path / "worker-health.log").write_text(LOG.splitlines(keepends=True)[-1])
    (tmp_path / "gunicorn.log").write_text(LOG)  # not a worker's: ignored
    data = tasklog.read(tmp_path, (_at("18:00:01"), _at("18:00:10")))
    refresh = data["tasks"]["health.tasks.accounts_health_refresh_task"]
    assert refresh[0] == 1 and abs(refresh[1] - 0.5) < 1e-9  # the 18:00:00 run is before the window
    assert data["tasks"]["health.tasks.account_health_refresh_task"][0] == 2
    assert data["counts"] == {
        "health.tasks.accounts_health_refresh_task": 100,
        "health.tasks.account_health_refresh_task": 3,
    }
    assert tasklog.read(tmp_path)["tasks"]["health.tasks.accounts_health_refresh_task"][0] == 2


def test_the_table_gives_runs_cpu_and_refreshes_per_account_a_minute(tmp_path):
    (tmp_path / "worker1.log").write_text(LOG)
    table = tasklog.format_table(tasklog.read(tmp_path), seconds=120, accounts=50)
    first = table.strip().splitlines()[2]
    assert first.split() == ["health.tasks.accounts_health_refresh_task", "2", "9.5", "4750.0"]
    # 100 accounts scored after events over 50 accounts and 2 minutes: once a minute each.
    assert "after usage events: 2 runs, 100 accounts scored, 9.5 CPU s (95.0 ms an account); 1.00 refreshes" in table
    assert "after a person's signal: 2 runs, 2 accounts scored, 0.1 CPU s (50.0 ms an account); 0.02" in table
