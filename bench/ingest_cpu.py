"""CPU of the ingest pool's requests (issue 23), in-process on the soak's data: BENCH_ROUNDS (40)
bulk posts of 250 new events (POST /api/v1/events/bulk), as many Segment batches of 25 (POST
/v1/batch) and widget eligibility asks (POST /widget/<workspace>/eligibility/, each respondent once),
shaped as bench/soak/load.py sends them (made before the clock starts), through Django's WSGI
handler (the test client). For each kind: this process's CPU (time.process_time) and the PostgreSQL
backend's (/proc schedstat, ns) per request, after BENCH_WARMUP (5) requests of each kind. Celery
publishes go to Redis as in the soak (REDIS_URL: no worker takes them; the queues the run filled are
emptied at the end).

    SOAK_KEEP_DB=1 make soak (or `python -m bench.soak.prepare plan.json` on an empty database), then
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h6_soak REDIS_URL=redis://127.0.0.1:6379/6 \
        .venv/bin/python -m bench.ingest_cpu plan.json

BENCH_PROFILE=bulk|segment|eligibility: cProfile (CPU clock) of that kind's measured requests,
the top functions by own time printed at the end."""

import base64
import json
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

EVENTS = ["Report Viewed", "Dashboard Opened", "Export Run", "Login"]


def _backend_cpu(pid: int) -> float:
    return int((Path("/proc") / str(pid) / "schedstat").read_text().split()[0]) / 1e9


def _now_iso() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds")


def main(plan_path: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csplatform.settings")
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        os.environ.setdefault(name, "0")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    plan = json.loads(Path(plan_path).read_text())
    rounds = int(os.environ.get("BENCH_ROUNDS", "40"))
    warmup = int(os.environ.get("BENCH_WARMUP", "5"))
    profile_kind = os.environ.get("BENCH_PROFILE", "")
    rng = random.Random(7)
    run = uuid.uuid4().hex[:8]
    seq = iter(range(10**9))
    targets = plan["event_targets"]
    respondents = iter(plan["respondents"][int(os.environ.get("BENCH_RESPONDENT_FROM", "0")) :])
    key = plan["ingest_key"]
    client = Client()

    def bulk():
        rows = []
        for _ in range(250):
            account, contact = targets[rng.randrange(len(targets))]
            rows.append(
                {
                    "account": account,
                    "contact": contact,
                    "event": rng.choice(EVENTS),
                    "occurred_at": _now_iso(),
                    "properties": {"soak": run},
                    "message_id": f"soak-bench-{run}-{next(seq)}",
                }
            )
        body = json.dumps(rows)
        return lambda: client.post(
            "/api/v1/events/bulk", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
        )

    basic = "Basic " + base64.b64encode(f"{key}:".encode()).decode()

    def segment():
        batch = []
        for _ in range(25):
            account, contact = targets[rng.randrange(len(targets))]
            batch.append(
                {
                    "type": "track",
                    "event": "Feature Used",
                    "userId": contact,
                    "messageId": f"soak-bench-{run}-{next(seq)}",
                    "timestamp": _now_iso() + "Z",
                    "context": {"groupId": account},
                    "properties": {"soak": run},
                }
            )
        body = json.dumps({"batch": batch})
        return lambda: client.post("/v1/batch", body, content_type="application/json", HTTP_AUTHORIZATION=basic)

    def eligibility():
        who = next(respondents)
        ident = json.dumps({"user_id": who["user_id"], "user_hash": who["user_hash"]})
        url = f"/widget/{plan['workspace']}/eligibility/"
        return lambda: client.post(url, ident, content_type="text/plain", HTTP_ORIGIN=plan["origin"])

    kinds = {"bulk": bulk, "segment": segment, "eligibility": eligibility}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    import cProfile
    import pstats

    profiler = cProfile.Profile(time.process_time)
    print(f"load {os.getloadavg()[0]:.2f}; {rounds} requests of each kind after {warmup} warm-up", flush=True)
    for name, call in kinds.items():
        for _ in range(warmup):
            answer = call()()
            assert answer.status_code == 200, (name, answer.status_code, answer.content[:300])
        requests = [call() for _ in range(rounds)]  # the bodies made before the clock starts
        cpu0, db0 = time.process_time(), _backend_cpu(backend)
        for request in requests:
            if name == profile_kind:
                profiler.enable()
            answer = request()
            if name == profile_kind:
                profiler.disable()
            assert answer.status_code == 200, (name, answer.status_code, answer.content[:300])
        if name == profile_kind:
            print("(profiled: the figures below include cProfile's own cost)")
        cpu, db = (time.process_time() - cpu0) / rounds, (_backend_cpu(backend) - db0) / rounds
        print(f"{name:12s} process {cpu * 1000:6.2f} ms, backend {db * 1000:6.2f} ms a request", flush=True)
    if profile_kind:
        profiler.dump_stats(os.environ.get("BENCH_PROFILE_OUT", "/tmp/ingest_cpu.prof"))
        pstats.Stats(profiler).sort_stats("tottime").print_stats(35)
    _empty_queues()


def _empty_queues() -> None:
    """The tasks the run queued (no worker takes them here)."""
    from django.conf import settings

    if not settings.CELERY_BROKER_URL.startswith("redis"):
        return
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    for queue in ("celery", "health", "health_events", "webhooks"):
        client.delete(queue)
    for name in ("unacked", "unacked_index"):
        client.delete(name)


if __name__ == "__main__":
    main(sys.argv[1])
