"""Survey answers through the public widget endpoint under gunicorn (issue 5's benchmark).

Load: wrk (Debian's package) on loopback, bounded in time, 4 connections, against gunicorn with
2 sync workers on PostgreSQL, Celery on Redis (the production mode: what follows an answer, i.e.
health refresh, playbook signal, webhook, timeline, runs in the worker, not in the request).

- product: POST /widget/<key>/answer/ with identity signature, a signed delivery token, a score
  and a comment, from an allowed Origin; every request answers a different delivery (a new row).
- baseline: POST /bench/insert/ on the same gunicorn, a minimal view doing one INSERT.
Both run twice, interleaved, after a warm-up; the figures are the means. Also printed: p50/p99,
the in-process cost of the Celery follow-up per answer, and the widget's size gzipped.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_surveys \
        .venv/bin/python -m bench --only surveys --scale 0.05
"""

from __future__ import annotations

import gzip
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.setup import ratio

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "bs-"
ORIGIN = "http://bench-host.localhost:9000"
FULL_DELIVERIES = 20_000
CONNECTIONS = 4
WORKERS = 2

LUA = """
local bodies = {}
for line in io.lines(os.getenv("BENCH_BODIES")) do bodies[#bodies + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", nil, nil, bodies[(i - 1) % #bodies + 1])
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare(n: int, secret_key: str) -> tuple[str, list[str], str]:
    """Accounts, contacts, a workspace + NPS survey, and n widget deliveries with their tokens."""
    from django.db import connection
    from django.test import override_settings

    from accounts.models import Account, Contact
    from surveys.models import FatigueTouch, Survey, SurveyDelivery, SurveyResponse, SurveyWorkspace
    from surveys.tokens import make_token

    from .surveys_urls import BASELINE_TABLE

    SurveyResponse.objects.filter(account__external_id__startswith=PREFIX).delete()
    FatigueTouch.objects.filter(account__external_id__startswith=PREFIX).delete()
    Account.objects.filter(external_id__startswith=PREFIX).delete()
    Survey.objects.filter(name="bench NPS").delete()
    SurveyWorkspace.objects.filter(name="bench-surveys").delete()
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {BASELINE_TABLE} (id bigserial PRIMARY KEY, body text, created_at timestamptz)"
        )
        cursor.execute(f"TRUNCATE {BASELINE_TABLE}")

    workspace = SurveyWorkspace.objects.create(name="bench-surveys", allowed_origins=ORIGIN)
    survey = Survey.objects.create(name="bench NPS", kind="nps", status="active", workspace=workspace)
    accounts = Account.objects.bulk_create(
        [Account(external_id=f"{PREFIX}{i}", name=f"Bench {i}") for i in range(max(1, n // 10))]
    )
    contacts = Contact.objects.bulk_create(
        [
            Contact(external_id=f"{PREFIX}c{i}", account=accounts[i % len(accounts)], email=f"c{i}@bench.local")
            for i in range(n)
        ],
        batch_size=5000,
    )
    deliveries = SurveyDelivery.objects.bulk_create(
        [SurveyDelivery(survey=survey, contact=c, account_id=c.account_id, channel="widget") for c in contacts],
        batch_size=5000,
    )
    bodies = []
    with override_settings(SECRET_KEY=secret_key):
        for d, c in zip(deliveries, contacts, strict=True):
            token = make_token(
                "widget",
                {
                    "d": d.id,
                    "s": survey.id,
                    "k": "nps",
                    "c": c.id,
                    "a": c.account_id,
                    "u": c.external_id,
                    "w": workspace.id,
                    "l": "en",
                },
            )
            body = {
                "user_id": c.external_id,
                "user_hash": workspace.user_hash(c.external_id),
                "token": token,
                "score": (d.id * 7) % 11,
                "comment": "The reports are slow to load in the morning but support is helpful.",
            }
            bodies.append(json.dumps(body, separators=(",", ":")))
    return workspace.key, bodies, bodies[0]


def _wrk(url: str, bodies_file: str, script: str, seconds: float, origin: str | None) -> dict:
    cmd = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--latency", "-s", script]
    cmd += ["-H", "Content-Type: text/plain"]
    if origin:
        cmd += ["-H", f"Origin: {origin}"]
    out = subprocess.run(
        [*cmd, url],
        env={**os.environ, "BENCH_BODIES": bodies_file},
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)

    def pct(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {
        "rps": rps,
        "p50": pct("50"),
        "p99": pct("99"),
        "non2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def _wait_ready(base: str, proc: subprocess.Popen) -> None:
    for _ in range(100):
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited early")
        try:
            urllib.request.urlopen(base + "/widget/v1.js", timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def _followup_cost(sample: int) -> float:
    """ms per answer of the Celery sweep that follows answers up (timeline, fatigue, playbook
    signal and its listeners, webhook), in-process, leaving out the health recompute it queues
    (health's own cost). Runs on `sample` of this run's pending answers."""
    from unittest import mock

    from surveys.models import SurveyResponse
    from surveys.services import responses_followup

    mine = SurveyResponse.objects.filter(account__external_id__startswith=PREFIX, followup_pending=True)
    keep = list(mine.order_by("id").values_list("id", flat=True)[:sample])
    mine.exclude(id__in=keep).update(followup_pending=False)
    if not keep:
        return float("nan")
    with mock.patch("surveys.services.followup._health_refresh_soon"):
        started = time.perf_counter()
        done = responses_followup()
    return (time.perf_counter() - started) * 1000 / max(1, done)


def run(args) -> None:
    from surveys.models import SurveyResponse
    from surveys.views.widget import widget_source

    source = widget_source()
    print(f"widget.js: {len(source):,} bytes, {len(gzip.compress(source, 9)):,} bytes gzipped (limit 10,240)")
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install -y wrk (Debian's package); load test skipped")
        return

    n = max(1000, int(FULL_DELIVERIES * args.scale))
    # wrk runs whole seconds; the smoke run (`make bench-smoke`) only checks that the load test still runs.
    seconds = 1.0 if args.smoke else max(3.0, 10.0 * min(1.0, args.scale * 4))
    warm_seconds = 1 if args.smoke else 2
    secret_key = "bench-" + secrets.token_urlsafe(32)
    key, bodies, _ = _prepare(n, secret_key)
    tmp = Path(tempfile.mkdtemp(prefix="bench_surveys_"))
    (tmp / "answers.txt").write_text("\n".join(bodies))
    (tmp / "baseline.txt").write_text("\n".join(bodies[:100]))
    (tmp / "post.lua").write_text(LUA)
    # warm-up bodies: answers we do not count (the last 5% of deliveries)
    warm = len(bodies) // 20
    (tmp / "warm.txt").write_text("\n".join(bodies[-warm:]))
    (tmp / "answers.txt").write_text("\n".join(bodies[:-warm]))

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.surveys_settings",
        "DEBUG": "0",
        "SECRET_KEY": secret_key,
        "PULSE_CONNECTOR_KEY": os.environ.get("PULSE_CONNECTOR_KEY") or "YmVuY2gtb25seS1rZXktbm90LWZvci1wcm9kdWN0aW8=",
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "PYTHONPATH": str(ROOT),
    }
    gunicorn = [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-k", "sync", "-b", f"127.0.0.1:{port}"]
    proc = subprocess.Popen([*gunicorn, "csplatform.wsgi:application"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    answer_url = f"{base}/widget/{key}/answer/"
    baseline_url = f"{base}/bench/insert/"
    script = str(tmp / "post.lua")
    try:
        _wait_ready(base, proc)
        _wrk(answer_url, str(tmp / "warm.txt"), script, warm_seconds, ORIGIN)
        _wrk(baseline_url, str(tmp / "baseline.txt"), script, warm_seconds, None)
        runs = {"answer": [], "baseline": []}
        half = (len(bodies) - warm) // 2
        answers = bodies[:-warm]
        for part in (answers[:half], answers[half:]):
            (tmp / "part.txt").write_text("\n".join(part))
            runs["baseline"].append(_wrk(baseline_url, str(tmp / "baseline.txt"), script, seconds, None))
            runs["answer"].append(_wrk(answer_url, str(tmp / "part.txt"), script, seconds, ORIGIN))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        import redis

        redis.Redis.from_url(redis_url).delete("celery")  # the queued follow-ups of this run
        shutil.rmtree(tmp, ignore_errors=True)

    def mean(name, key):
        return sum(r[key] for r in runs[name]) / len(runs[name])

    stored = SurveyResponse.objects.filter(account__external_id__startswith=PREFIX).count()
    a_rps, b_rps = mean("answer", "rps"), mean("baseline", "rps")
    print(
        f"gunicorn {WORKERS} sync workers, PostgreSQL, Celery on Redis; "
        f"wrk 1 thread, {CONNECTIONS} connections, 2 x {seconds:.0f} s each"
    )
    print(
        f"answers  POST /widget/<key>/answer/  {a_rps:8.1f} req/s  p50 {mean('answer', 'p50'):6.2f} ms  "
        f"p99 {mean('answer', 'p99'):6.2f} ms  non-2xx {sum(r['non2xx'] for r in runs['answer'])}"
    )
    print(
        f"baseline POST /bench/insert/ (1 INSERT) {b_rps:8.1f} req/s  p50 {mean('baseline', 'p50'):6.2f} ms  "
        f"p99 {mean('baseline', 'p99'):6.2f} ms  non-2xx {sum(r['non2xx'] for r in runs['baseline'])}"
    )
    print(f"ratio answers / baseline: {ratio(a_rps, b_rps)} (target >= 0.70x), p99 target < 100 ms")
    print(f"answers stored: {stored:,} of {n:,} deliveries (the rest were not reached in the time)")
    print(
        "Celery follow-up sweep per answer (in-process, 200 answers, health recompute left out): "
        f"{_followup_cost(200):.2f} ms"
    )
