"""Issue 23 item 6: a streaming read replica (pg_basebackup -R on a replica host) behind the
database router. The dashboard's reads go to the replica, writes (the sign-in) to the primary;
a replica whose replay is paused past PULSE_REPLICA_MAX_LAG, or that is down, is left for the
primary and the page stays right. Which database ran a statement is read from each server's
own statement log (log_statement=all), only the part a request added."""

from __future__ import annotations

import re
import time

import pytest
import requests

from .hosts import PYTHON, Cluster

pytestmark = [pytest.mark.multihost]

# health_distribution: paying accounts grouped by band (reports/selectors/dashboard.py).
DASHBOARD_READ = re.compile(
    r'SELECT "accounts_account"\."health_band" AS "health_band", COUNT\("accounts_account"\."id"\) AS "accounts"'
    r'.* FROM "accounts_account" WHERE "accounts_account"\."mrr" > 0 GROUP BY'
)
SIGN_IN_WRITE = re.compile(r'UPDATE "core_user" SET "last_login"')


class Log:
    """What a server logged since the last look."""

    def __init__(self, cluster: Cluster):
        self.path, self.offset = cluster.log, cluster.log.stat().st_size

    def new(self) -> str:
        with self.path.open(errors="replace") as f:
            f.seek(self.offset)
            text = f.read()
        self.offset += len(text.encode(errors="replace"))
        return text


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    pytest.fail(what)


def caught_up(primary: Cluster, standby: Cluster) -> bool:
    lsn = primary.sql("SELECT pg_current_wal_lsn()")
    return standby.sql(f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn") == "t"


def health_csv(http: requests.Session, base: str) -> dict[str, int]:
    answer = http.get(f"{base}/dashboard/?export=health", timeout=60)
    assert answer.status_code == 200, answer.text[:2000]
    rows = [line.split(",") for line in answer.text.strip().splitlines()[1:]]
    return {row[0]: int(row[1]) for row in rows}


def test_dashboard_reads_from_the_replica_and_falls_back(site):
    net, primary = site.net, site.primary
    standby = Cluster(net["replica"], "standby")
    standby.init_standby(primary)
    standby.start("log_statement=all")
    primary.sql("ALTER SYSTEM SET log_statement = 'all'")
    primary.sql("SELECT pg_reload_conf()")
    wait_for(
        lambda: primary.sql("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") == "1",
        60,
        "the standby never streamed",
    )
    assert standby.sql("SELECT pg_is_in_recovery()") == "t"

    web = net["web"]
    base = f"http://{web.address}:8001"
    env = {
        **site.env,
        "REPLICA_DATABASE_URL": f"{standby.url}/pulse?application_name=pulse-replica-reads",
        "PULSE_REPLICA_MAX_LAG": "1",
        "PULSE_REPLICA_CHECK_SECONDS": "0",  # every read checks (production: every 5 s)
    }
    web.start(
        "web-replica", PYTHON, "-m", "gunicorn", "csplatform.wsgi:application", "--bind", f"{web.address}:8001",
        "--control-socket", str(net.workdir / "web-replica.ctl"), "--workers", "1", env=env,
    )  # fmt: skip

    def web_up():
        try:
            return requests.get(f"{base}/login/", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    wait_for(web_up, 90, "gunicorn with the replica never answered\n" + net.tail())
    on_primary, on_standby = Log(primary), Log(standby)

    # A write: signing in updates last_login and stores the session, on the primary.
    http = requests.Session()
    http.get(f"{base}/login/", timeout=30)
    signed_in = http.post(
        f"{base}/login/",
        data={"username": "manager", "password": "pass1234!", "csrfmiddlewaretoken": http.cookies["csrftoken"]},
        headers={"Referer": f"{base}/login/"},
        timeout=60,
        allow_redirects=False,
    )
    assert signed_in.status_code == 302, signed_in.text[:2000]
    assert SIGN_IN_WRITE.search(on_primary.new())
    assert not SIGN_IN_WRITE.search(on_standby.new())

    # The dashboard's reads: on the replica, none of them on the primary.
    paying = int(primary.sql("SELECT count(*) FROM accounts_account WHERE mrr > 0", db="pulse"))
    wait_for(lambda: caught_up(primary, standby), 30, "the standby never caught up")
    bands = health_csv(http, base)
    assert sum(bands.values()) == paying
    assert DASHBOARD_READ.search(on_standby.new())
    assert not DASHBOARD_READ.search(on_primary.new())

    # The replica lags: replay paused, a change on the primary it does not have.
    standby.sql("SELECT pg_wal_replay_pause()")
    primary.sql("UPDATE accounts_account SET health_band = 'red' WHERE mrr > 0", db="pulse")
    time.sleep(1.5)  # past PULSE_REPLICA_MAX_LAG
    stale = int(standby.sql("SELECT count(*) FROM accounts_account WHERE mrr > 0 AND health_band = 'red'", db="pulse"))
    assert stale < paying
    bands = health_csv(http, base)
    assert bands["Red"] == paying, bands  # right: read on the primary
    assert DASHBOARD_READ.search(on_primary.new())
    assert not DASHBOARD_READ.search(on_standby.new())

    # Caught up again: back on the replica, still right.
    standby.sql("SELECT pg_wal_replay_resume()")
    wait_for(
        lambda: (
            standby.sql("SELECT count(*) FROM accounts_account WHERE mrr > 0 AND health_band = 'red'", db="pulse")
            == str(paying)
        ),
        30,
        "the standby never replayed the change",
    )
    time.sleep(0.5)
    assert health_csv(http, base)["Red"] == paying
    assert DASHBOARD_READ.search(on_standby.new())
    assert not DASHBOARD_READ.search(on_primary.new())

    # The replica down: the primary answers, right.
    standby.stop()
    started = time.monotonic()
    assert health_csv(http, base)["Red"] == paying
    print(
        f"\n[multihost] replica: sign-in written on the primary, dashboard read on the replica; paused replay "
        f"(lag past 1 s) and a stopped replica both fell back to the primary with the right figures "
        f"({paying} paying accounts red); the first page after the replica stopped took "
        f"{time.monotonic() - started:.2f} s"
    )
    assert DASHBOARD_READ.search(on_primary.new())
