"""Hosts on one machine: network namespaces joined by veth pairs to one bridge (iproute2, as
root), each host running its own processes and reached only at its own address; a PostgreSQL
cluster of its own (initdb / pg_ctl as the postgres user) and a streaming standby of it
(pg_basebackup -R). Everything made here is removed by `Network.down()`, also after a failure."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), Path("/usr/lib/postgresql/15/bin"))


def available() -> str:
    """Why this machine cannot run the hosts, or "" when it can."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    for tool in ("ip", "redis-server", "runuser"):
        if not shutil.which(tool):
            return f"{tool} is missing"
    if not (PG_BIN / "initdb").exists():
        return f"no PostgreSQL server binaries in {PG_BIN}"
    return ""


def sh(*args: str, check: bool = True, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=check, capture_output=True, text=True, **kw)


class Host:
    def __init__(self, network: Network, name: str, address: str):
        self.network, self.name, self.address = network, name, address
        self.ns = f"{network.prefix}-{name}"

    def cmd(self, *args: str, user: str | None = None) -> list[str]:
        run_as = ["runuser", "-u", user, "--"] if user else []
        return ["ip", "netns", "exec", self.ns, *run_as, *args]

    def run(self, *args: str, user: str | None = None, env: dict | None = None, timeout: float = 300) -> str:
        done = subprocess.run(
            self.cmd(*args, user=user), cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
        if done.returncode:
            raise RuntimeError(f"{self.name}: {' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self, label: str, *args: str, env: dict | None = None, user: str | None = None) -> subprocess.Popen:
        """A long-running process on this host, its output in `<workdir>/<label>.log`."""
        log = self.network.workdir / f"{label}.log"
        proc = subprocess.Popen(
            self.cmd(*args, user=user), cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
        )
        self.network.logs[label] = log
        return proc

    def pids(self) -> list[int]:
        out = sh("ip", "netns", "pids", self.ns, check=False).stdout
        return [int(p) for p in out.split()]

    def signal_all(self, sig: int) -> None:
        for pid in self.pids():
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass

    def kill_all(self) -> int:
        """SIGKILL every process on the host (a machine lost: no shutdown, no ack). Returns how many."""
        pids = self.pids()
        self.signal_all(signal.SIGKILL)
        deadline = time.time() + 20
        while self.pids() and time.time() < deadline:
            time.sleep(0.05)
        return len(pids)


class Network:
    """One bridge, one namespace per host; the bridge's own address lets the test (the operator)
    reach the hosts, which reach one another through it."""

    def __init__(self, names: list[str]):
        tag = os.getpid() % 100_000
        self.prefix = f"pm{tag}"
        self.subnet = f"10.{200 + tag % 50}.{tag // 50 % 250}"
        self.bridge = f"{self.prefix}br"
        self.workdir = Path(tempfile.mkdtemp(prefix="pulse-multihost-"))
        os.chmod(self.workdir, 0o755)
        self.logs: dict[str, Path] = {}
        self.hosts = {name: Host(self, name, f"{self.subnet}.{i + 2}") for i, name in enumerate(names)}
        self.clusters: list[Cluster] = []

    def __getitem__(self, name: str) -> Host:
        return self.hosts[name]

    def up(self) -> None:
        sh("ip", "link", "add", self.bridge, "type", "bridge")
        sh("ip", "addr", "add", f"{self.subnet}.1/24", "dev", self.bridge)
        sh("ip", "link", "set", self.bridge, "up")
        for i, host in enumerate(self.hosts.values()):
            outer, inner = f"{self.prefix}h{i}", f"{self.prefix}p{i}"
            sh("ip", "netns", "add", host.ns)
            sh("ip", "link", "add", outer, "type", "veth", "peer", "name", inner)
            sh("ip", "link", "set", inner, "netns", host.ns)
            sh("ip", "link", "set", outer, "master", self.bridge)
            sh("ip", "link", "set", outer, "up")
            sh("ip", "-n", host.ns, "addr", "add", f"{host.address}/24", "dev", inner)
            sh("ip", "-n", host.ns, "link", "set", inner, "up")
            sh("ip", "-n", host.ns, "link", "set", "lo", "up")

    def down(self) -> None:
        """Every process on every host killed, the clusters' files, namespaces, links and bridge gone."""
        for host in self.hosts.values():
            host.kill_all()
        for i, host in enumerate(self.hosts.values()):
            sh("ip", "link", "del", f"{self.prefix}h{i}", check=False)  # both ends of the pair
            sh("ip", "netns", "del", host.ns, check=False)
        sh("ip", "link", "del", self.bridge, check=False)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def tail(self, chars: int = 3000) -> str:
        return "\n".join(f"--- {label}\n{log.read_text()[-chars:]}" for label, log in self.logs.items() if log.exists())


class Cluster:
    """A PostgreSQL cluster on a host, run by the postgres user; `standby_of` makes it a streaming
    replica of another (pg_basebackup -R), read-only (hot standby)."""

    def __init__(self, host: Host, label: str, port: int = 5432):
        self.host, self.label, self.port = host, label, port
        self.data = host.network.workdir / label
        self.log = host.network.workdir / f"{label}.log"
        # Not the data directory: pg_basebackup would copy the socket's lock file into a standby.
        self.sockets = host.network.workdir / f"{label}-sockets"
        host.network.clusters.append(self)

    @property
    def url(self) -> str:
        return f"postgres://postgres@{self.host.address}:{self.port}"

    def _prepare(self) -> None:
        for directory in (self.data, self.sockets):
            directory.mkdir(mode=0o700)
            shutil.chown(directory, "postgres", "postgres")
        self.log.touch()
        shutil.chown(self.log, "postgres", "postgres")

    def init(self) -> None:
        self._prepare()
        self.host.run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", user="postgres")
        subnet = self.host.network.subnet
        with (self.data / "pg_hba.conf").open("a") as hba:
            hba.write(f"host all all {subnet}.0/24 trust\nhost replication all {subnet}.0/24 trust\n")

    def init_standby(self, primary: Cluster) -> None:
        self._prepare()
        self.host.run(
            str(PG_BIN / "pg_basebackup"), "-h", primary.host.address, "-p", str(primary.port), "-U", "postgres",
            "-D", str(self.data), "-R", "-X", "stream", "-c", "fast", user="postgres",
        )  # fmt: skip

    def start(self, *settings: str) -> None:
        options = [
            f"-c listen_addresses={self.host.address}",
            f"-c port={self.port}",
            f"-c unix_socket_directories={self.sockets}",
            "-c fsync=off",
            *[f"-c {s}" for s in settings],
        ]
        try:
            self.host.run(
                str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", " ".join(options),
                "-w", "-t", "60", "start", user="postgres",
            )  # fmt: skip
        except RuntimeError as failed:
            raise RuntimeError(f"{failed}\n--- {self.label}.log\n{self.log.read_text()[-3000:]}") from None

    def stop(self) -> None:
        self.host.run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", user="postgres")

    def load(self, dump: Path, db: str) -> None:
        """A plain `pg_dump` file into database `db`, stopping at the first error."""
        self.host.run(
            str(PG_BIN / "psql"), "-h", self.host.address, "-p", str(self.port), "-U", "postgres", "-d", db,
            "-Xq", "-v", "ON_ERROR_STOP=1", "-f", str(dump), timeout=600,
        )  # fmt: skip

    def sql(self, query: str, db: str = "postgres") -> str:
        """One statement through psql on the cluster's host (unaligned, no headers)."""
        return self.host.run(
            str(PG_BIN / "psql"), "-h", self.host.address, "-p", str(self.port), "-U", "postgres", "-d", db,
            "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", query,
        ).strip()  # fmt: skip


def dump_database(settings: dict, path: Path) -> None:
    """`pg_dump` of a migrated database (schema and the rows migrations wrote), for a cluster on
    a host to load instead of running every migration again (`Cluster.load`)."""
    env = {**os.environ, "PGPASSWORD": str(settings.get("PASSWORD") or "")}
    sh(
        str(PG_BIN / "pg_dump"), "--no-owner", "--no-privileges", "-h", settings.get("HOST") or "127.0.0.1",
        "-p", str(settings.get("PORT") or 5432), "-U", settings.get("USER") or "postgres", "-d", settings["NAME"],
        "-f", str(path), env=env,
    )  # fmt: skip
    path.chmod(0o644)


# {"dump": Path} once `migrated_dump` below has dumped the session's test database.
MIGRATED: dict = {}


def migrated_dump(request, workdir: Path) -> None:
    """For tests/conftest.py's `django_db_setup` right after the test database is migrated,
    before any test writes to it (or a transactional test's flush empties the rows migrations
    wrote): when the session runs the multi-host tests on PostgreSQL as root, dump it once."""
    from django.db import connection

    if connection.vendor != "postgresql" or available():
        return
    if not any(item.get_closest_marker("multihost") for item in request.session.items):
        return
    path = workdir / "migrated.sql"
    dump_database(connection.settings_dict, path)
    MIGRATED["dump"] = path


def django_env(**extra: str) -> dict:
    """The environment of a Pulse process on a host: the project's, pointed at the hosts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "REPLICA_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="csplatform.settings",
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


PYTHON = sys.executable
