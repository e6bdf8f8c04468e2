"""`make soak` (python -m bench.soak): the whole bounded load scenario, one command.

Environment (defaults in brackets):
  SOAK_SECONDS [300]            how long the load runs (120 for a quick run)
  SOAK_DATABASE_URL [postgres://postgres@127.0.0.1:5432/soak]  dropped and made again each run
  SOAK_KEEP_DB [0]              1: keep the database of a previous run (no new seed; quicker)
  SOAK_REDIS_URL [redis://127.0.0.1:6379/13]  flushed at the start (broker, results, cache)
  SOAK_PORT [8765]              gunicorn's port on 127.0.0.1
  SOAK_WEB_WORKERS [2], SOAK_WEB_CLASS [gthread], SOAK_WEB_THREADS [4]   gunicorn's worker model
                                (gunicorn.conf.py, the pages pool)
  SOAK_INGEST_WORKERS [1]       a second gunicorn pool (gunicorn.conf.py's ingest pool, as docs/deploy.md
                                recommends) on SOAK_PORT + 1 for /api/v1/events*, /v1/batch and /widget/
                                (0: one pool serves everything), with
                                SOAK_INGEST_CLASS [gthread], SOAK_INGEST_THREADS [2], SOAK_INGEST_NICE [10]
  SOAK_CELERY_WORKERS [2]       Celery worker processes (each concurrency 1, -Q health_events,celery,webhooks),
                                plus one health worker (-Q health: the refreshes a person's signal asks for) and beat
  SOAK_WORKER_NICE [10]         OS priority (nice) of the Celery workers and beat: the pages win the cores
                                (docs/deploy.md "OS priorities")
  SOAK_HEALTH_WORKER_NICE [0]   the health worker's: its few single-account refreshes keep the freshness target
  SOAK_HEALTH_REFRESH_DELAY, SOAK_HEALTH_EVENTS_REFRESH_DELAY [unset: the production defaults, 2 and 45 s]
                                HEALTH_REFRESH_DELAY_SECONDS / HEALTH_EVENTS_REFRESH_DELAY_SECONDS of the server
  load: SOAK_CSMS [50], SOAK_EVENTS_PER_S [500], SOAK_SEGMENT_PER_S [50], SOAK_ANSWERS_PER_S [2],
        SOAK_KEEPALIVE [0: a connection per request] (load.py)

The CPU seconds of each process (gunicorn, each Celery worker, beat, PostgreSQL, Redis, the load
generator, the rest of the machine) over the load window are printed after the latencies
(cpu.py; cpu.json). Logs of every process and the plan and results go to artifacts/soak/<run>/. Every process started
here is stopped in `finally`, by its own process group. Exit status: report.py's (1 when a request
failed or a row sent was not stored once), 2 when a process could not start."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from bench.soak.cpu import CpuSampler

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
# The queues each kind of worker takes (settings.CELERY_TASK_ROUTES; docs/deploy.md "Queues").
WORKER_QUEUES = "health_events,celery,webhooks"
HEALTH_WORKER_QUEUES = "health"


def _env() -> dict:
    db = os.environ.get("SOAK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/soak")
    redis = os.environ.get("SOAK_REDIS_URL", "redis://127.0.0.1:6379/13")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "csplatform.settings",
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": db,
        "SOAK_DATABASE_URL": db,
        "REDIS_URL": redis,
        "CELERY_TASK_CPU_LOG": "1",  # "task cpu <name> <s>" lines in the workers' logs (csplatform.celery)
        "CELERY_BROKER_URL": redis,
        "CELERY_RESULT_BACKEND": redis,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        # production settings, over plain HTTP on loopback
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "soak-only-" + "x" * 40,
        "PULSE_CONNECTOR_KEY": os.environ.get("PULSE_CONNECTOR_KEY") or "c29hay1vbmx5LWtleS1ub3QtZm9yLXByb2R1Y3Rpb24=",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "PULSE_SERVER_TIMING": "1",
        "LOG_LEVEL": os.environ.get("SOAK_LOG_LEVEL", "WARNING"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # The refresh cadences: production's unless asked (settings.py).
        **{
            name: os.environ[knob]
            for name, knob in (
                ("HEALTH_REFRESH_DELAY_SECONDS", "SOAK_HEALTH_REFRESH_DELAY"),
                ("HEALTH_EVENTS_REFRESH_DELAY_SECONDS", "SOAK_HEALTH_EVENTS_REFRESH_DELAY"),
            )
            if os.environ.get(knob)
        },
    }


def _recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def _static_stale() -> bool:
    """collectstatic is needed: no manifest yet, or a file under static/ newer than it."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    return any(p.stat().st_mtime > built for p in (ROOT / "static").rglob("*") if p.is_file())


def _wait_ready(base: str, proc: subprocess.Popen, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited early (see gunicorn.log)")
        try:
            with urllib.request.urlopen(f"{base}/login/", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer /login/")


def main() -> int:
    seconds = float(os.environ.get("SOAK_SECONDS", "300"))
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    out = ROOT / "artifacts" / "soak" / run_id
    out.mkdir(parents=True, exist_ok=True)
    env = _env()
    port = int(os.environ.get("SOAK_PORT", "8765"))
    base = f"http://127.0.0.1:{port}"
    web_workers = os.environ.get("SOAK_WEB_WORKERS", "2")
    web_class = os.environ.get("SOAK_WEB_CLASS", "gthread")
    web_threads = os.environ.get("SOAK_WEB_THREADS", "4")
    ingest_workers = os.environ.get("SOAK_INGEST_WORKERS", "1")
    ingest_class = os.environ.get("SOAK_INGEST_CLASS", "gthread")
    ingest_threads = os.environ.get("SOAK_INGEST_THREADS", "2")
    ingest_nice = os.environ.get("SOAK_INGEST_NICE", "10")
    worker_nice = int(os.environ.get("SOAK_WORKER_NICE", "10"))
    health_nice = int(os.environ.get("SOAK_HEALTH_WORKER_NICE", "0"))
    celery_workers = int(os.environ.get("SOAK_CELERY_WORKERS", "2"))
    settings_line = (
        f"gunicorn {web_workers} {web_class} workers"
        + (f" x {web_threads} threads" if web_class == "gthread" else "")
        + (
            f" + ingest pool {ingest_workers} {ingest_class}"
            + (f" x {ingest_threads}" if ingest_class == "gthread" else "")
            + f" nice {ingest_nice}"
            if ingest_workers != "0"
            else ""
        )
        + f", {celery_workers} Celery workers + beat nice {worker_nice}, 1 health worker nice {health_nice}"
        + f", health refresh delays {env.get('HEALTH_REFRESH_DELAY_SECONDS', '2')} s"
        + f" / events {env.get('HEALTH_EVENTS_REFRESH_DELAY_SECONDS', '45')} s"
    )
    procs: list[tuple[str, subprocess.Popen]] = []

    def start(name: str, args: list[str], extra: dict | None = None, nice: int = 0, **kw) -> subprocess.Popen:
        log = open(out / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env={**env, **(extra or {})},
            stdout=kw.pop("stdout", log),
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=(lambda: os.nice(nice)) if nice else None,  # noqa: PLW1509 (no threads yet)
            **kw,
        )
        procs.append((name, proc))
        return proc

    def gunicorn(pool: str, port: int, workers: str, klass: str, threads: str, nice: str) -> subprocess.Popen:
        pool_env = {
            "GUNICORN_POOL": pool,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": workers,
            "GUNICORN_WORKER_CLASS": klass,
            "GUNICORN_THREADS": threads,
            "GUNICORN_NICE": nice,
            "GUNICORN_TIMEOUT": "60",
        }
        args = [PY, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "csplatform.wsgi:application"]
        return start(f"gunicorn-{pool}" if pool != "pages" else "gunicorn", args, pool_env)

    try:
        started = time.monotonic()
        if os.environ.get("SOAK_KEEP_DB", "0") != "1":
            _recreate_database(env["DATABASE_URL"])
        _flush_redis(env["REDIS_URL"])
        print(f"soak {run_id}: preparing the database (migrate, a 2,000-account demo, CSMs)...", flush=True)
        plan = out / "plan.json"
        subprocess.run([PY, "-m", "bench.soak.prepare", str(plan)], cwd=ROOT, env=env, check=True)
        if _static_stale():  # DEBUG=0 serves the manifest's names
            subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        print(f"prepared in {time.monotonic() - started:.0f} s; starting {settings_line}", flush=True)
        web = gunicorn("pages", port, web_workers, web_class, web_threads, "0")
        ingest_base = base
        if ingest_workers != "0":
            ingest_base = f"http://127.0.0.1:{port + 1}"
            ingest = gunicorn("ingest", port + 1, ingest_workers, ingest_class, ingest_threads, ingest_nice)
        for i in range(1, celery_workers + 1):
            start(
                f"worker{i}",
                [PY, "-m", "celery", "-A", "csplatform", "worker", "-Q", WORKER_QUEUES, "--concurrency", "1",
                 "-n", f"soak{i}@%h", "--without-gossip", "--without-mingle", "-l", "WARNING"],
                nice=worker_nice,
            )  # fmt: skip
        # The refreshes a person's signal asks for only (docs/deploy.md "Queues"): a rollup, a
        # playbook run or an event refresh on the other workers never holds a score back.
        start(
            "worker-health",
            [PY, "-m", "celery", "-A", "csplatform", "worker", "-Q", HEALTH_WORKER_QUEUES, "--concurrency", "1",
             "-n", "soakhealth@%h", "--without-gossip", "--without-mingle", "-l", "WARNING"],
            nice=health_nice,
        )  # fmt: skip
        start(
            "beat",
            [PY, "-m", "celery", "-A", "csplatform", "beat", "-l", "WARNING",
             "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler", "--schedule", str(out / "beat.db")],
            nice=worker_nice,
        )  # fmt: skip
        _wait_ready(base, web)
        if ingest_base != base:
            _wait_ready(ingest_base, ingest)
        print(f"load for {seconds:.0f} s against {base} ...", flush=True)
        results = out / "results.json"
        load = start(
            "load",
            [PY, "-m", "bench.soak.load", str(plan), base, str(seconds), run_id, str(results), ingest_base],
            stdout=subprocess.PIPE,
        )
        sampler = CpuSampler(
            {name: proc.pid for name, proc in procs},
            urlsplit(env["DATABASE_URL"]).path.lstrip("/"),
            dsn=env["DATABASE_URL"],
        )
        sampler.start()
        for line in load.stdout:  # load.py says when the load ends (the freshness wait follows)
            if line.strip() == b"load done" and sampler.stopped_at == 0.0:
                sampler.stop()
            sys.stdout.buffer.write(line)
            sys.stdout.flush()
        if load.wait() != 0:
            raise RuntimeError(f"the load generator failed (status {load.returncode})")
        if sampler.stopped_at == 0.0:
            sampler.stop()
        sampler.save(out / "cpu.json")
        for name, proc in procs:
            if proc.poll() is not None and name != "load":
                print(f"{name} exited during the run (status {proc.returncode}; see {out / (name + '.log')})")
                return 2
        return subprocess.run(
            [PY, "-m", "bench.soak.report", str(results), settings_line, str(out / "cpu.json")], cwd=ROOT, env=env
        ).returncode
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"soak could not run: {exc}", file=sys.stderr)
        return 2
    finally:
        # SIGTERM to each leader only: gunicorn's master and Celery's main process stop their own
        # children (a warm shutdown); the whole group is killed only if that takes too long.
        for _name, proc in reversed(procs):
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 20
        for _name, proc in procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        print(f"stopped {len(procs)} processes; logs in {out}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
