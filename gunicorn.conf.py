"""gunicorn's configuration (read from the working directory: `gunicorn csplatform.wsgi:application`
in the repository's root uses it; elsewhere pass `-c /path/to/gunicorn.conf.py`). docs/deploy.md,
"The web: two pools", and docs/decisions.md say why.

One file, two pools of the same application: `GUNICORN_POOL=pages` (the default) serves the CSMs'
pages and the API, `GUNICORN_POOL=ingest` serves what machines send in bulk and customers' widgets
(`/api/v1/events*`, `/v1/batch`, `/widget/`), routed there by the proxy in front. The ingest pool's
workers run at a lower OS priority (`GUNICORN_NICE`, default 10 for it), so when the cores are
short the pages get them first; ingestion still gets every idle cycle and is never refused.

Environment (defaults in brackets):
  GUNICORN_BIND [127.0.0.1:8000]       GUNICORN_POOL [pages]
  GUNICORN_WORKERS [one per core for pages, 1 for ingest]   GUNICORN_WORKER_CLASS [gthread]
  GUNICORN_THREADS [4 for pages, 2 for ingest]           GUNICORN_NICE [0 for pages, 10 for ingest]
  GUNICORN_TIMEOUT [60]                GUNICORN_ACCESS_LOG [unset: no access log]
  GUNICORN_CONTROL_SOCKET [unset: no control socket]
  GUNICORN_SWITCH_INTERVAL_MS [1 for pages, unset (Python's 5 ms) for ingest]  how long a thread holding
      the interpreter lock runs before a thread back from the database may take it (docs/deploy.md)
"""

import os

pool = os.environ.get("GUNICORN_POOL", "pages")
if pool not in ("pages", "ingest"):
    raise SystemExit('GUNICORN_POOL must be "pages" or "ingest"')
_ingest = pool == "ingest"

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "1" if _ingest else str(os.cpu_count() or 1)))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "2" if _ingest else "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5  # seconds an idle keep-alive connection stays open (a proxy or a load generator reuses it)
proc_name = f"pulse-{pool}"
# The workers' heartbeat files in memory, not on a disk that may stall (gunicorn's FAQ).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
nice = int(os.environ.get("GUNICORN_NICE", "10" if _ingest else "0"))
# A page makes 10-30 queries; after each one its thread waits for the interpreter lock, up to the
# switch interval while another thread of the worker computes a page: 1 ms instead of Python's 5 halved
# the pages' p50 and cut their p95 by 40% under `make soak` (docs/perf/soak.md, 2026-12-08).
switch_interval_ms = os.environ.get("GUNICORN_SWITCH_INTERVAL_MS", "" if _ingest else "1")
try:
    if switch_interval_ms and not (0 < float(switch_interval_ms) <= 100):
        raise ValueError(switch_interval_ms)
except ValueError:
    raise SystemExit("GUNICORN_SWITCH_INTERVAL_MS must be a number of milliseconds in (0, 100]") from None
# gunicorn 25+ opens a control socket (for `gunicornc`) at one path per user, $HOME/.gunicorn/gunicorn.ctl:
# two pools on one host would take it from each other. Off unless GUNICORN_CONTROL_SOCKET gives a path.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True


def post_fork(server, worker):  # noqa: ARG001 (gunicorn's hook signature)
    """Each worker of a niced pool lowers its own priority (the master stays as it was), and takes
    the interpreter lock's switch interval when one is set."""
    if nice:
        os.nice(nice)
    if switch_interval_ms:
        import sys

        sys.setswitchinterval(float(switch_interval_ms) / 1000)
