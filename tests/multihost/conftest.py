"""One small site of separate hosts for the multi-host tests (`make multihost`): PostgreSQL and
Redis on the data host, then web, two workers, beat and a replica host, each its own network
namespace. Migrated and seeded once for the module's tests; torn down even when a test fails."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass

import pytest

from .hosts import MIGRATED, PYTHON, Cluster, Network, available, django_env

HOSTS = ["data", "web", "worker1", "worker2", "beat", "replica"]


@dataclass
class Site:
    net: Network
    primary: Cluster
    env: dict

    def step(self, host: str, *args: str, env: dict | None = None, timeout: float = 300):
        import json

        out = self.net[host].run(PYTHON, "-m", "tests.multihost.steps", *args, env=env or self.env, timeout=timeout)
        return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="package")
def site():
    # The PostgreSQL pass of `make test` (CI) and `make multihost`; not the SQLite pass.
    if not (os.environ.get("DATABASE_URL", "").startswith("postgres") or os.environ.get("PULSE_MULTIHOST")):
        pytest.skip("the multi-host run goes with the PostgreSQL pass (or `make multihost`)")
    why = available()
    if why:
        pytest.skip(why)
    net = Network(HOSTS)
    started = time.monotonic()
    try:
        net.up()
        data = net["data"]
        primary = Cluster(data, "primary")
        primary.init()
        primary.start()
        primary.sql("CREATE DATABASE pulse")
        data.start(
            "redis", "redis-server", "--bind", data.address, "--port", "6379", "--save", "", "--appendonly", "no",
            "--protected-mode", "no",
        )  # fmt: skip
        for _ in range(100):
            ping_cmd = net["web"].cmd("redis-cli", "-h", data.address, "ping")
            ping = subprocess.run(ping_cmd, capture_output=True, text=True, check=False)
            if ping.stdout.strip() == "PONG":
                break
            time.sleep(0.1)
        env = django_env(
            DATABASE_URL=f"{primary.url}/pulse",
            REDIS_URL=f"redis://{data.address}:6379/0",
            CELERY_TASK_ALWAYS_EAGER="0",
            CELERY_VISIBILITY_TIMEOUT="3",  # a lost task comes back after 3 s (production: 30 minutes)
            CELERY_UNACKED_RESTORE_SECONDS="1",  # looked for every second (kombu: about every 100 s)
            ALLOWED_HOSTS=net["web"].address,
        )
        database_started = time.monotonic()
        migrated = MIGRATED.get("dump")
        if migrated:
            # The pass's own test database, dumped right after pytest-django migrated it: the
            # same schema and rows, without running every migration again on the host; then
            # `migrate` finds nothing left to apply (and would apply it if the dump were behind).
            primary.load(migrated, "pulse")
        net["web"].run(PYTHON, "manage.py", "migrate", "-v0", env=env, timeout=600)
        how = "loaded from the test database's dump" if migrated else "migrated"
        database = time.monotonic() - database_started
        site = Site(net, primary, env)
        site.step("web", "seed")
        print(
            f"\n[multihost] hosts up, PostgreSQL {how} ({database:.1f} s) and seeded in "
            f"{time.monotonic() - started:.1f} s"
        )
        yield site
    except Exception:
        print(net.tail())
        raise
    finally:
        net.down()
