"""`make soak`: the bounded load scenario of issue 23 (docs/perf/soak.md).

One command sets up its own PostgreSQL database, seeds a 2,000-account demo, starts gunicorn, two
Celery workers and beat against Redis, drives 50 logged-in CSMs, survey widget answers and event
ingestion (bulk and Segment `/v1/batch`) for SOAK_SECONDS, prints p50 / p95 / p99 and the server's
CPU time per page and endpoint, errors, rows stored against rows sent and health freshness after
answers, stops every process it started, and exits non-zero when anything was lost or failed.

- `prepare.py` (Django): database, demo, CSMs and their books, sessions, an ingest key, a widget
  workspace with contacts never asked; writes the plan the load generator reads.
- `load.py` (no Django): the asyncio load generator (httpx, already pinned), one coroutine per CSM.
- `report.py` (Django): stored rows against the sent ones, freshness, the table.
- `__main__.py`: the processes, in order, and their teardown.
"""
