"""Usage-event ingestion into PostgreSQL (issue 3, Benchmark).

Events per second through POST /api/v1/events/bulk (JSON arrays of BULK_BATCH rows) and through
the Segment-compatible POST /v1/batch (SEGMENT_BATCH track messages), both driven through
Django's WSGI handler as a WSGI server calls it (`_Server`: middleware, DRF, API-key auth, JSON
parsing, validation, dedupe, COPY, daily rollups, signals), each against a raw COPY of the same
rows into the same table in the same run. Not django.test.Client: it connects signal receivers
on every request whose weakref finalizers it never frees (~2.5 KB a request), which made the
process's memory grow with the batch count. The baseline COPY is rolled back, so the table grows
only by what the endpoints store. It runs before the endpoint on even batches and after it on
odd ones: a write just after a rolled-back COPY of the same rows pays for the dead index entries
that COPY left (measured: the same COPY twice in a row, 45.9 then 56.6 ms for 10,000 rows), so
neither side always takes the second turn. Its message keys differ from the rows' own in the
lowest bit, so that its index entries are never taken for the endpoint's keys (a unique check
that meets an equal key must visit that row) and, when it runs second, do not collide with the
rows just stored. Reported per stage while the table grows from empty to 20M x --scale rows,
with the process's peak memory (flat = it does not grow with the batch count).

Celery tasks that signal receivers queue (e.g. health's debounced refresh) are counted, not run:
in production a worker runs them; here they would time something other than ingestion. The
work ingestion itself queues for after commit, the daily-rollup refresh and (/v1/batch) the
contacts' last_seen_at, is run after each request, like a worker would, and timed apart
("worker s/batch").

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_datain \\
        .venv/bin/python -m bench --only ingest --scale 0.05
"""

import hashlib
import json
import time
from datetime import UTC, datetime, timedelta

from bench.setup import peak_rss_mb, ratio

FULL_ROWS = 20_000_000
ACCOUNTS = 2_000
CONTACTS_PER_ACCOUNT = 5
BULK_BATCH = 10_000
SEGMENT_BATCH = 1_000
STAGES = 10
SEGMENT_SHARE = 0.2  # of each stage's rows go through /v1/batch
MIXED_BATCHES = 10  # realistic /v1/batch batches (identify, group, page and track) after the stages
EVENTS = [f"feature_{i}" for i in range(24)]
HISTORY = timedelta(days=365)


def _rows(start: int, count: int, total: int, origin: datetime):
    """Deterministic rows number start..start+count, in time order over a year."""
    step = HISTORY / max(total, 1)
    for n in range(start, start + count):
        h = int.from_bytes(hashlib.blake2b(n.to_bytes(8, "big"), digest_size=8).digest(), "big")
        account = h % ACCOUNTS
        contact = (h >> 16) % CONTACTS_PER_ACCOUNT
        yield {
            "account": f"bench-{account}",
            "contact": f"bench-{account}-{contact}",
            "event": EVENTS[(h >> 32) % len(EVENTS)],
            "occurred_at": (origin + step * n).isoformat(),
            "properties": {"plan": "growth", "n": n % 97},
            "message_id": f"m-{n:012d}",
        }


def _setup():
    from django.db import connection

    from accounts.models import Account, Contact
    from core.choices import APIKeyScope
    from core.services import api_key_create

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE accounts_usageevent, accounts_accountdailyusage")
    if Account.objects.filter(external_id__startswith="bench-").count() < ACCOUNTS:
        Account.objects.bulk_create(
            [Account(external_id=f"bench-{i}", name=f"Bench {i}") for i in range(ACCOUNTS)],
            ignore_conflicts=True,
            batch_size=2000,
        )
        accounts = dict(Account.objects.filter(external_id__startswith="bench-").values_list("external_id", "id"))
        Contact.objects.bulk_create(
            [
                Contact(external_id=f"bench-{i}-{c}", account_id=accounts[f"bench-{i}"])
                for i in range(ACCOUNTS)
                for c in range(CONTACTS_PER_ACCOUNT)
            ],
            ignore_conflicts=True,
            batch_size=5000,
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE accounts_account")
        cursor.execute("VACUUM ANALYZE accounts_contact")
    return api_key_create(name="bench-ingest", scope=APIKeyScope.WRITE)[1]


def _ids():
    from accounts.models import Account, Contact

    accounts = dict(Account.objects.filter(external_id__startswith="bench-").values_list("external_id", "id"))
    contacts = dict(Contact.objects.filter(external_id__startswith="bench-").values_list("external_id", "id"))
    return accounts, contacts


def _raw_copy(rows: list[dict], accounts: dict, contacts: dict) -> float:
    """COPY the same rows into the same table with psycopg, then roll back. Returns seconds.
    The rows' message keys (a column of the table; the lowest bit flipped: see the module's
    docstring) are computed before the clock starts: the baseline pays only for writing."""
    from django.db import connection, transaction

    from usage.ingest import COPY_COLUMNS, EVENTS_TABLE, message_key

    day = datetime.fromisoformat
    keys = [message_key(r["message_id"], day(r["occurred_at"]).astimezone(UTC).date()) ^ 1 for r in rows]
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {EVENTS_TABLE} ({COPY_COLUMNS}) FROM STDIN") as copy:
            for r, key in zip(rows, keys, strict=True):
                copy.write_row(
                    (
                        accounts[r["account"]],
                        contacts[r["contact"]],
                        r["event"],
                        r["occurred_at"],
                        json.dumps(r["properties"]),
                        r["message_id"],
                        key,
                    )
                )
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


class _Server:
    """POSTs through django.core.handlers.wsgi.WSGIHandler, the way a WSGI server calls it."""

    def __init__(self):
        from django.core.handlers.wsgi import WSGIHandler

        self.handler = WSGIHandler()

    def post(self, path: str, body: bytes, authorization: str) -> tuple[int, bytes]:
        import io
        import sys

        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "localhost",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_AUTHORIZATION": authorization,
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        status: list[str] = []
        response = self.handler(environ, lambda s, headers, exc_info=None: status.append(s))
        try:
            content = b"".join(response)
        finally:
            response.close()
        return int(status[0].split()[0]), content


def _segment_body(rows: list[dict]) -> bytes:
    return json.dumps(
        {
            "batch": [
                {
                    "type": "track",
                    "userId": r["contact"],
                    "event": r["event"],
                    "properties": r["properties"],
                    "timestamp": r["occurred_at"],
                    "messageId": r["message_id"],
                    "context": {"groupId": r["account"]},
                }
                for r in rows
            ]
        }
    ).encode()


def _mixed_body(rows: list[dict]) -> tuple[bytes, list[dict]]:
    """A Segment batch as a website and a backend send it: of every 20 messages one identify (the
    contact's e-mail and name), one group (the account's name, unchanged), two page calls, the
    rest tracks. Returns the body and the rows that are events (for the raw COPY)."""
    messages, events = [], []
    for i, r in enumerate(rows):
        common = {"userId": r["contact"], "timestamp": r["occurred_at"], "messageId": r["message_id"]}
        kind = i % 20
        if kind == 0:
            traits = {"email": f"{r['contact']}@bench.test", "name": f"User {r['contact']}"}
            messages.append({"type": "identify", **common, "traits": traits, "context": {"groupId": r["account"]}})
        elif kind == 1:
            traits = {"name": f"Bench {r['account'].removeprefix('bench-')}"}
            messages.append({"type": "group", **common, "groupId": r["account"], "traits": traits})
        elif kind in (2, 3):
            page = {"type": "page", **common, "name": r["event"], "properties": r["properties"]}
            messages.append({**page, "context": {"groupId": r["account"]}})
            events.append({**r, "event": "Page Viewed", "properties": {**r["properties"], "name": r["event"]}})
        else:
            track = {"type": "track", **common, "event": r["event"], "properties": r["properties"]}
            messages.append({**track, "context": {"groupId": r["account"]}})
            events.append(r)
    return json.dumps({"batch": messages}).encode(), events


def run(args) -> None:
    import base64
    from unittest import mock

    from celery.app.task import Task
    from django.db import connection

    # The smoke run (`make bench-smoke`) sends batches a tenth the size so the floor of STAGES bulk
    # batches stays small; a real run sends the sizes the issue asks for.
    bulk_batch, segment_batch = (BULK_BATCH // 10, SEGMENT_BATCH // 10) if args.smoke else (BULK_BATCH, SEGMENT_BATCH)
    total = max(int(FULL_ROWS * args.scale), STAGES * bulk_batch)
    raw_key = _setup()
    accounts, contacts = _ids()
    server = _Server()
    bearer = f"Bearer {raw_key}"
    basic = "Basic " + base64.b64encode(f"{raw_key}:".encode()).decode()
    origin = datetime.now(UTC).replace(microsecond=0) - HISTORY - timedelta(days=1)
    queued = {"tasks": 0}
    rollups: list = []

    from usage.tasks import contacts_seen_update_task, usage_rollup_refresh_task

    # Ingestion's own after-commit work, by the names it is queued under: run as a worker would.
    workers = {task.name: task for task in (usage_rollup_refresh_task, contacts_seen_update_task)}

    def fake_apply_async(self, args=None, kwargs=None, **options):
        if self.name in workers:
            rollups.append((workers[self.name], args or ()))
        else:
            queued["tasks"] += 1

    def run_rollups() -> float:
        started = time.perf_counter()
        while rollups:
            task, task_args = rollups.pop(0)
            task.run(*task_args)
        return time.perf_counter() - started

    print(
        f"rows: {total:,} ({args.scale} x 20M) in {STAGES} stages; bulk batches of {bulk_batch:,}, "
        f"/v1/batch of {segment_batch:,}; {ACCOUNTS:,} accounts, {ACCOUNTS * CONTACTS_PER_ACCOUNT:,} contacts"
    )
    print(
        f"{'table rows':>12} {'bulk ev/s':>10} {'COPY ev/s':>10} {'ratio':>6} "
        f"{'batch ev/s':>10} {'COPY ev/s':>10} {'ratio':>6} {'worker s/batch':>14} {'peak MB':>8}"
    )
    sums = {"bulk": 0.0, "bulk_copy": 0.0, "seg": 0.0, "seg_copy": 0.0, "bulk_rows": 0, "seg_rows": 0, "rollup": 0.0}
    batches = 0
    per_stage = total // STAGES
    cursor_row = 0
    with mock.patch.object(Task, "apply_async", fake_apply_async):
        for _stage in range(STAGES):
            stage = {
                "bulk": 0.0,
                "bulk_copy": 0.0,
                "seg": 0.0,
                "seg_copy": 0.0,
                "bulk_rows": 0,
                "seg_rows": 0,
                "rollup": 0.0,
            }
            stage_batches = 0
            stage_end = cursor_row + per_stage
            segment_rows = int(per_stage * SEGMENT_SHARE)
            while cursor_row < stage_end:
                use_segment = stage_end - cursor_row <= segment_rows
                remaining = stage_end - cursor_row
                size = min(segment_batch, remaining) if use_segment else min(bulk_batch, remaining - segment_rows)
                rows = list(_rows(cursor_row, size, total, origin))
                copy_first = (batches + stage_batches) % 2 == 0  # see the module's docstring
                copy_s = _raw_copy(rows, accounts, contacts) if copy_first else 0.0
                if use_segment:
                    body = _segment_body(rows)
                    started = time.perf_counter()
                    code, content = server.post("/v1/batch", body, basic)
                    took = time.perf_counter() - started
                    assert code == 200, content[:500]
                else:
                    body = json.dumps(rows).encode()
                    started = time.perf_counter()
                    code, content = server.post("/api/v1/events/bulk", body, bearer)
                    took = time.perf_counter() - started
                    assert code == 200, content[:500]
                    assert json.loads(content)["stored"] == size, content
                if not copy_first:
                    copy_s = _raw_copy(rows, accounts, contacts)
                kind = "seg" if use_segment else "bulk"
                stage[kind] += took
                stage[f"{kind}_copy"] += copy_s
                stage[f"{kind}_rows"] += size
                stage["rollup"] += run_rollups()
                stage_batches += 1
                cursor_row += size
            batches += stage_batches
            for k in sums:
                sums[k] += stage[k]
            print(
                f"{cursor_row:>12,} {stage['bulk_rows'] / stage['bulk']:>10,.0f} "
                f"{stage['bulk_rows'] / stage['bulk_copy']:>10,.0f} {ratio(stage['bulk_copy'], stage['bulk']):>6} "
                f"{stage['seg_rows'] / stage['seg']:>10,.0f} {stage['seg_rows'] / stage['seg_copy']:>10,.0f} "
                f"{ratio(stage['seg_copy'], stage['seg']):>6} {stage['rollup'] / stage_batches:>14.3f} "
                f"{peak_rss_mb():>8.0f}",
                flush=True,
            )
    # A resend of the first batch: every row is a duplicate, nothing is stored.
    rows = list(_rows(0, bulk_batch, total, origin))
    started = time.perf_counter()
    code, content = server.post("/api/v1/events/bulk", json.dumps(rows).encode(), bearer)
    resend = time.perf_counter() - started
    assert code == 200, content[:500]
    resend_duplicates = json.loads(content)["duplicates"]
    # The same for the first /v1/batch batch (a Segment client's retry): nothing new is stored.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accounts_usageevent")
        before = cursor.fetchone()[0]
    first_segment = per_stage - int(per_stage * SEGMENT_SHARE)
    segment_rows = list(_rows(first_segment, segment_batch, total, origin))
    started = time.perf_counter()
    code, segment_content = server.post("/v1/batch", _segment_body(segment_rows), basic)
    segment_resend = time.perf_counter() - started
    assert code == 200, segment_content[:500]
    # Realistic /v1/batch batches: identify, group and page calls among the tracks.
    mixed = {"took": 0.0, "copy": 0.0, "events": 0}
    with mock.patch.object(Task, "apply_async", fake_apply_async):
        for n in range(MIXED_BATCHES):
            # rows of the run's history (times in the past), under new message ids
            rows = [
                {**r, "message_id": f"mixed-{r['message_id']}"}
                for r in _rows(n * segment_batch, segment_batch, total, origin)
            ]
            body, events = _mixed_body(rows)
            copy_first = n % 2 == 0
            copy_s = _raw_copy(events, accounts, contacts) if copy_first else 0.0
            started = time.perf_counter()
            code, content = server.post("/v1/batch", body, basic)
            mixed["took"] += time.perf_counter() - started
            assert code == 200, content[:500]
            if not copy_first:
                copy_s = _raw_copy(events, accounts, contacts)
            mixed["copy"] += copy_s
            mixed["events"] += len(events)
            run_rollups()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accounts_usageevent")
        stored = cursor.fetchone()[0]
        assert stored == before + mixed["events"], (stored, before, mixed["events"])  # the resend stored nothing
        cursor.execute(
            "SELECT pg_size_pretty(sum(pg_total_relation_size(relid))) FROM pg_partition_tree('accounts_usageevent')"
        )
        events_size = cursor.fetchone()[0]
        cursor.execute(
            "SELECT pg_size_pretty(sum(pg_relation_size(i.indexrelid))) "
            "FROM pg_partition_tree('accounts_usageevent') t JOIN pg_index i ON i.indrelid = t.relid "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE %s",
            ["%_message_key"],
        )
        keys_size = cursor.fetchone()[0]
    print(
        f"overall: bulk {sums['bulk_rows'] / sums['bulk']:,.0f} ev/s vs raw COPY "
        f"{sums['bulk_rows'] / sums['bulk_copy']:,.0f} ev/s = {ratio(sums['bulk_copy'], sums['bulk'])} of COPY; "
        f"/v1/batch {sums['seg_rows'] / sums['seg']:,.0f} ev/s vs COPY {sums['seg_rows'] / sums['seg_copy']:,.0f} ev/s "
        f"= {ratio(sums['seg_copy'], sums['seg'])}; after-commit work (daily-rollup refresh, contacts' last seen; "
        f"queued by ingestion, run as a worker would) {sums['rollup'] / batches:.3f} s per batch"
    )
    print(
        f"resending a /v1/batch batch of {segment_batch:,}: nothing stored, {segment_resend:.2f} s; "
        f"{MIXED_BATCHES} mixed /v1/batch batches of {segment_batch:,} (5% identify, 5% group, 10% page, 80% track): "
        f"{mixed['events'] / mixed['took']:,.0f} ev/s vs raw COPY of their events "
        f"{mixed['events'] / mixed['copy']:,.0f} ev/s = {ratio(mixed['copy'], mixed['took'])}"
    )
    print(
        f"stored {stored:,} rows (events {events_size}, of which message-key indexes {keys_size}); "
        f"resending a batch of {bulk_batch:,}: {resend_duplicates:,} duplicates in {resend:.2f} s; "
        f"Celery tasks queued by receivers (not run): {queued['tasks']:,}; peak memory {peak_rss_mb():.0f} MB"
    )
