"""Where the cores go during the soak's load window: CPU seconds per process role, read from
/proc (psutil is not in the virtualenv), sampled once a second by a thread of `make soak`.

Roles: each process `make soak` started, with its descendants (gunicorn's master and workers, each
Celery worker, beat, the load generator), the PostgreSQL backends of the soak's own database
(their process title names it), PostgreSQL's shared processes (checkpointer, WAL writer,
autovacuum...), Redis, and everything else on the machine (other users' work: on a shared machine
this is what the soak competed with). A process counts from its first sample (or from zero when it
started inside the window) to its last one, so a backend that ends between two samples loses at
most a second of its CPU. The machine's total comes from /proc/stat (its busy time: all but idle
and iowait).

Linux only; elsewhere the table is empty rather than wrong."""

import json
import os
import threading
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PROC = Path("/proc")


def _stat(pid: int) -> tuple[int, float, float] | None:
    """(parent pid, CPU seconds (user + system), start time in seconds since boot) of a process."""
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # the name may hold spaces and parentheses
    # fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15, starttime 22.
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK, int(fields[19]) / TICK


def _cmdline(pid: int) -> str:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def _machine_busy() -> float:
    """CPU seconds the whole machine spent busy since boot (all cores)."""
    values = [int(v) for v in (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return (sum(values[:8]) - idle) / TICK


def _uptime() -> float:
    return float((PROC / "uptime").read_text().split()[0])


class CpuSampler:
    """Start at the load's start, stop at its end; `table()` gives the roles' CPU seconds.

    `leaders` maps a role name to the pid of a process `make soak` started (its descendants count
    to the same role); `database` is the soak database's name (its backends are "postgres (soak)")."""

    def __init__(self, leaders: dict[str, int], database: str, interval: float = 1.0, dsn: str = "") -> None:
        self.leaders = dict(leaders)
        self.database = database
        self.dsn = dsn  # when given, pg_stat_activity is sampled too (what the backends wait on)
        self.waits: dict[str, int] = {}
        self.interval = interval
        self.first: dict[int, tuple[str, float]] = {}  # pid -> (role, CPU s at its first sample)
        self.last: dict[int, float] = {}
        self.roles: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-cpu", daemon=True)
        self.started_at = self.stopped_at = 0.0
        self.busy_start = self.busy_end = 0.0
        self.wall_start = self.wall_end = 0.0

    # Sampling

    def _role(self, pid: int, parents: dict[int, int]) -> str:
        if pid in self.roles:
            return self.roles[pid]
        ancestor, seen = pid, set()
        while ancestor > 1 and ancestor not in seen:
            for name, leader in self.leaders.items():
                if ancestor == leader:
                    self.roles[pid] = name
                    return name
            seen.add(ancestor)
            ancestor = parents.get(ancestor, 0)
        cmd = _cmdline(pid)
        if cmd.startswith("postgres:"):
            # "postgres: 15/main: <user> <database> <client> <state>" for a backend
            words = cmd.split()
            if len(words) >= 5 and ("(" in words[4] or words[4] == "[local]"):
                role = "postgres (soak db)" if words[3] == self.database else "postgres (other dbs)"
            else:
                role = "postgres (shared)"
        elif "redis-server" in cmd:
            role = "redis"
        elif pid == os.getpid():
            role = "soak driver"
        else:
            role = "other processes"
        self.roles[pid] = role
        return role

    def sample(self, first: bool = False) -> None:
        stats: dict[int, tuple[int, float, float]] = {}
        for entry in PROC.iterdir():
            if entry.name.isdigit():
                stat = _stat(int(entry.name))
                if stat is not None:
                    stats[int(entry.name)] = stat
        parents = {pid: stat[0] for pid, stat in stats.items()}
        for pid, (_ppid, cpu, started) in stats.items():
            if pid not in self.first:
                # A process born inside the window counts from zero; one alive before, from now.
                base = 0.0 if not first and started >= self.window_start_uptime else cpu
                self.first[pid] = (self._role(pid, parents), base)
            self.last[pid] = cpu

    def _waits(self, conn) -> None:
        """What the soak database's active backends wait on, this second (pg_stat_activity): a
        lock, I/O, the client, or nothing (on a core, or waiting for one)."""
        rows = conn.execute(
            "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU'),"
            " left(regexp_replace(query, '\\s+', ' ', 'g'), 60) FROM pg_stat_activity"
            " WHERE datname = %s AND state = 'active' AND pid <> pg_backend_pid()",
            (self.database,),
        ).fetchall()
        for wait, query in rows:
            key = f"{wait} | {query}"
            self.waits[key] = self.waits.get(key, 0) + 1

    def _run(self) -> None:
        conn = None
        if self.dsn:
            import psycopg

            conn = psycopg.connect(self.dsn, autocommit=True)
        try:
            while not self._stop.wait(self.interval):
                self.sample()
                if conn is not None:
                    self._waits(conn)
        finally:
            if conn is not None:
                conn.close()

    def start(self) -> None:
        self.window_start_uptime = _uptime()
        self.wall_start = time.time()  # the window on the clock, for the workers' logs (tasklog.py)
        self.started_at, self.busy_start = time.monotonic(), _machine_busy()
        self.sample(first=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()
        self.stopped_at, self.busy_end = time.monotonic(), _machine_busy()
        self.wall_end = time.time()

    # Results

    def table(self) -> dict:
        by_role: dict[str, float] = {}
        for pid, (role, base) in self.first.items():
            by_role[role] = by_role.get(role, 0.0) + max(0.0, self.last.get(pid, base) - base)
        return {
            "seconds": self.stopped_at - self.started_at,
            "wall": [self.wall_start, self.wall_end],
            "cores": os.cpu_count() or 1,
            "machine_busy": self.busy_end - self.busy_start,
            "roles": dict(sorted(by_role.items(), key=lambda item: -item[1])),
            "waits": dict(sorted(self.waits.items(), key=lambda item: -item[1])[:15]),
        }

    def save(self, path: Path) -> dict:
        data = self.table()
        path.write_text(json.dumps(data, indent=1))
        return data


def format_table(data: dict) -> str:
    """The table `make soak` prints: CPU seconds per role, its share of the machine's cores over the
    window (1.0 = every core busy all the time) and its share of what the machine did."""
    seconds, cores, busy = data["seconds"], data["cores"], data["machine_busy"]
    capacity = seconds * cores
    lines = [
        f"\nCPU over the load window ({seconds:.0f} s x {cores} cores = {capacity:.0f} CPU s; machine busy "
        f"{busy:.0f} s, {busy / capacity:.0%}):",
        f"{'process':<24}{'CPU s':>9}{'of cores':>10}{'of busy':>9}",
    ]
    for role, cpu in data["roles"].items():
        if cpu < 0.05:
            continue
        lines.append(f"{role:<24}{cpu:>9.1f}{cpu / capacity:>10.1%}{cpu / busy if busy else 0:>9.1%}")
    if data.get("waits"):
        lines.append("\nthe soak database's active backends, sampled once a second (samples | wait | query):")
        lines += [f"{count:>6} | {key}" for key, count in data["waits"].items()]
    return "\n".join(lines)
