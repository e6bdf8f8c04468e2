"""Celery's own CPU per task (issue 23): a worker as the soak runs it (`celery -A csplatform worker
--concurrency 1 --without-gossip --without-mingle -l WARNING`, CELERY_TASK_CPU_LOG=1) takes
BENCH_TASKS (1,000) no-op tasks from Redis; the worker's processes' CPU (the main process and its
pool child, /proc) is read before and after, and over BENCH_IDLE (10) seconds of an idle worker
first (the broker polling alone). Per task = (busy CPU - idle rate x busy seconds) / tasks.

    REDIS_URL=redis://127.0.0.1:6379/6 DATABASE_URL=postgres://postgres@127.0.0.1:5432/h6 \
        .venv/bin/python -m bench.celery_overhead

The no-op task is this module's `bench_noop` (the worker imports it with `-I bench.celery_overhead`);
the last one sets a Redis key, so the script knows the queue is drained. BENCH_DB=1: each task runs
`SELECT 1` (a real task touches the database: does the worker keep its connection between tasks?);
the connections opened (pg_stat_database.sessions) and PostgreSQL's CPU for them (the postmaster's
reaped children, /proc cutime + cstime: other databases' backends that end meanwhile count too) are
reported, and what a new connection costs on both sides (a backend's /proc schedstat). Extra worker settings
for a comparison go in the environment (whatever csplatform.settings reads)."""

import os
import subprocess
import sys
import time
from pathlib import Path

from celery import shared_task

DONE_KEY = "bench:celery_overhead:done"
QUEUE = "bench_overhead"
TICK = os.sysconf("SC_CLK_TCK")


@shared_task(name="bench.noop")
def bench_noop(last: bool = False, db: bool = False) -> None:
    if db:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    if last:
        import redis

        redis.Redis.from_url(os.environ["REDIS_URL"]).set(DONE_KEY, "1", ex=600)


def _tree_cpu(root: int) -> float:
    """CPU seconds (user + system) of a process and its descendants."""
    total = 0.0
    children: dict[int, list[int]] = {}
    stats: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        stats[int(entry.name)] = (int(fields[11]) + int(fields[12])) / TICK
    todo = [root]
    while todo:
        pid = todo.pop()
        total += stats.get(pid, 0.0)
        todo.extend(children.get(pid, []))
    return total


def _new_connection_cpu(rounds: int = 200) -> tuple[float, float]:
    """What a task that opens its own connection pays: (the backend's CPU, /proc schedstat in ns,
    for its start and a first catalog read; this process's CPU for Django's connect), mean seconds."""
    from django.db import connection

    backend = 0.0
    started = time.process_time()
    for _ in range(rounds):
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM pg_class")
        backend += int((Path("/proc") / str(pid) / "schedstat").read_text().split()[0]) / 1e9
    return backend / rounds, (time.process_time() - started) / rounds


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csplatform.settings")
    import django

    django.setup()
    import redis

    tasks = int(os.environ.get("BENCH_TASKS", "1000"))
    idle = float(os.environ.get("BENCH_IDLE", "10"))
    db = os.environ.get("BENCH_DB") == "1"
    from django.db import connection

    def sessions() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
            return cursor.fetchone()[0]

    def postmaster_children_cpu() -> float:
        try:
            pid_file = Path(os.environ.get("PG_POSTMASTER_PID_FILE", "/var/run/postgresql/15-main.pid"))
            pid = int(pid_file.read_text().split()[0])
            raw = (Path("/proc") / str(pid) / "stat").read_text()
        except (OSError, ValueError, IndexError):
            return float("nan")
        fields = raw[raw.rindex(")") + 2 :].split()
        return (int(fields[13]) + int(fields[14])) / TICK

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    client.delete(DONE_KEY, QUEUE)
    env = {**os.environ, "CELERY_TASK_CPU_LOG": "1"}
    log = open(os.environ.get("BENCH_LOG", "/tmp/celery_overhead.log"), "w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "csplatform", "worker", "-Q", QUEUE, "--concurrency", "1",
         "-n", f"overhead{os.getpid()}@%h", "--without-gossip", "--without-mingle", "-l", "WARNING",
         "-I", "bench.celery_overhead"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        # ready: a first task done
        bench_noop.apply_async(kwargs={"last": True}, queue=QUEUE)
        deadline = time.monotonic() + 60
        while not client.get(DONE_KEY):
            if time.monotonic() > deadline or worker.poll() is not None:
                raise SystemExit("the worker did not start (see the log)")
            time.sleep(0.2)
        client.delete(DONE_KEY)
        time.sleep(2)
        cpu0, t0 = _tree_cpu(worker.pid), time.monotonic()
        time.sleep(idle)
        cpu1, t1 = _tree_cpu(worker.pid), time.monotonic()
        idle_rate = (cpu1 - cpu0) / (t1 - t0)
        s0, pg0 = sessions(), postmaster_children_cpu()
        for i in range(tasks):
            bench_noop.apply_async(kwargs={"last": i == tasks - 1, "db": db}, queue=QUEUE)
        while not client.get(DONE_KEY):
            time.sleep(0.05)
        cpu2, t2 = _tree_cpu(worker.pid), time.monotonic()
        opened, pg_cpu = sessions() - s0, postmaster_children_cpu() - pg0
        busy = cpu2 - cpu1
        per_task = (busy - idle_rate * (t2 - t1)) / tasks
        print(
            f"idle worker {idle_rate * 1000:.1f} ms CPU/s; {tasks} no-op tasks in {t2 - t1:.1f} s: "
            f"{busy:.2f} CPU s, {per_task * 1000:.2f} ms CPU per task (idle rate taken off); "
            f"{'with' if db else 'without'} SELECT 1: {opened} connections opened, ended backends' CPU "
            f"{pg_cpu:.2f} s; load {os.getloadavg()[0]:.2f}"
        )
        backend, django_side = _new_connection_cpu()
        print(f"a new connection: backend CPU {backend * 1000:.2f} ms, Django's side {django_side * 1000:.2f} ms")
    finally:
        worker.terminate()
        worker.wait(30)
        client.delete(DONE_KEY, QUEUE)


if __name__ == "__main__":
    main()
