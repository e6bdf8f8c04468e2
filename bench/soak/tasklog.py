"""What the Celery workers did during the soak's load window, from their logs (the soak sets
CELERY_TASK_CPU_LOG=1: csplatform.celery logs "task cpu <name> <seconds>" for every task and
"task count <name> <n>" for one that returns a count, e.g. a health refresh's accounts scored).

Prints the tasks run per kind with their CPU seconds (the workers' own, not the database's), and
the health refreshes: accounts scored after a person's signal (`health` queue) and after usage
events (`health_events`), with how often each account was refreshed a minute, so the next
bottleneck and a too-eager refresh cadence are both visible."""

import re
import time
from collections import defaultdict
from pathlib import Path

# Celery's worker log line: "[2026-12-07 18:50:01,123: WARNING/MainProcess] task cpu <name> <s>"
LINE = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}): [^\]]*\] task (cpu|count) (\S+) (\S+)\s*$")
# A person's signals' refreshes: gathered into one run (h5), or one account's (an override's end).
PERSON_REFRESH = ("health.tasks.accounts_health_refresh_gathered_task", "health.tasks.account_health_refresh_task")
EVENTS_REFRESH = ("health.tasks.accounts_health_refresh_task",)


def _when(stamp: str, millis: str) -> float:
    """The log's local time as seconds since the epoch."""
    return time.mktime(time.strptime(stamp, "%Y-%m-%d %H:%M:%S")) + int(millis) / 1000


def read(log_dir: Path, window: tuple[float, float] | None = None) -> dict:
    """{"tasks": {name: [runs, cpu_s]}, "counts": {name: total}} over the workers' logs, only the
    lines inside `window` (epoch seconds) when given."""
    tasks: dict[str, list] = defaultdict(lambda: [0, 0.0])
    counts: dict[str, int] = defaultdict(int)
    for path in sorted(log_dir.glob("worker*.log")):
        for raw in path.read_text(errors="replace").splitlines():
            match = LINE.match(raw)
            if not match:
                continue
            stamp, millis, kind, name, value = match.groups()
            if window and window[1] > window[0] and not window[0] <= _when(stamp, millis) <= window[1]:
                continue
            if kind == "cpu":
                tasks[name][0] += 1
                tasks[name][1] += float(value)
            else:
                counts[name] += int(value)
    return {"tasks": dict(tasks), "counts": dict(counts)}


def format_table(data: dict, seconds: float, accounts: int) -> str:
    tasks, counts = data["tasks"], data["counts"]
    lines = [
        "\nCelery tasks in the load window (the workers' CPU, CELERY_TASK_CPU_LOG):",
        f"{'task':<58}{'runs':>7}{'CPU s':>8}{'ms/run':>8}",
    ]
    for name, (runs, cpu) in sorted(tasks.items(), key=lambda item: -item[1][1]):
        lines.append(f"{name:<58}{runs:>7}{cpu:>8.1f}{1000 * cpu / runs if runs else 0:>8.1f}")
    total_runs, total_cpu = sum(t[0] for t in tasks.values()), sum(t[1] for t in tasks.values())
    lines.append(f"{'all':<58}{total_runs:>7}{total_cpu:>8.1f}")
    minutes = seconds / 60 if seconds else 0
    for label, names in (("after a person's signal", PERSON_REFRESH), ("after usage events", EVENTS_REFRESH)):
        scored = sum(counts.get(name, 0) for name in names)
        runs = sum(tasks.get(name, (0, 0.0))[0] for name in names)
        cpu = sum(tasks.get(name, (0, 0.0))[1] for name in names)
        per = scored / accounts / minutes if accounts and minutes else 0.0
        lines.append(
            f"health refreshes {label}: {runs} runs, {scored} accounts scored, {cpu:.1f} CPU s"
            f" ({1000 * cpu / scored if scored else 0:.1f} ms an account); {per:.2f} refreshes per account"
            f" per minute over {accounts} accounts"
        )
    return "\n".join(lines)
