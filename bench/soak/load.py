"""The soak's load generator: asyncio and httpx, no Django (it shares the 2 cores with the server,
so it stays one light process; Locust's gevent workers would cost more than they measure,
docs/decisions.md "make soak: a hand-rolled asyncio client").

- SOAK_CSMS coroutines, one per logged-in CSM (its session cookie from the plan): home, portfolio,
  an account of its book, inbox or dashboard, then 1.5-3.5 s of think time.
- Bulk ingestion: SOAK_EVENTS_PER_S events a second to /api/v1/events/bulk, in SOAK_BULK_BATCH rows.
- Segment: SOAK_SEGMENT_PER_S `track` messages a second to /v1/batch.
- Ingestion and the widget go to the ingest pool's address when there is one (the proxy's routing
  in production, docs/deploy.md), else to the same server as the pages.
- Widget: SOAK_ANSWERS_PER_S respondents a second ask eligibility and answer; each answered
  account is watched until its health score is recomputed after the answer (freshness).

Every event carries a message id `soak-<run>-<n>`; the results (JSON) list what was sent and
accepted, so report.py can count what was stored."""

import asyncio
import base64
import itertools
import json
import os
import random
import re
import sys
import time
from datetime import UTC, datetime

import httpx

TIMING = re.compile(r"cpu;dur=([0-9.]+), app;dur=([0-9.]+)")


class Recorder:
    def __init__(self) -> None:
        # name, status, ms, server cpu ms, server wall ms (the rest of ms was spent queued or in transit)
        self.rows: list[tuple[str, int, float, float | None, float | None]] = []
        self.errors: list[str] = []

    async def call(self, client: httpx.AsyncClient, name: str, method: str, url: str, ok=(200,), **kw):
        started = time.perf_counter()
        try:
            response = await client.request(method, url, **kw)
        except httpx.HTTPError as exc:
            self.rows.append((name, 0, (time.perf_counter() - started) * 1000, None, None))
            self.errors.append(f"{name}: {type(exc).__name__} {exc}")
            return None
        ms = (time.perf_counter() - started) * 1000
        match = TIMING.search(response.headers.get("server-timing", ""))
        cpu, app = (float(match.group(1)), float(match.group(2))) if match else (None, None)
        self.rows.append((name, response.status_code, ms, cpu, app))
        if response.status_code not in ok:
            self.errors.append(f"{name}: HTTP {response.status_code} {response.text[:200]!r}")
            return None
        return response


def _now_iso() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds")


async def csm(client, rec: Recorder, session: dict, cookie_name: str, until: float, rng: random.Random) -> None:
    headers = {"Cookie": f"{cookie_name}={session['cookie']}"}
    await asyncio.sleep(rng.uniform(0, 3.5))  # the CSMs do not all arrive in the same second
    pages = ["home", "portfolio", "account", "account", "inbox", "dashboard"]
    while time.monotonic() < until:
        page = rng.choice(pages)
        url = {
            "home": "/",
            "portfolio": "/accounts/",
            "inbox": "/tasks/",
            "dashboard": "/dashboard/",
        }.get(page) or f"/accounts/{rng.choice(session['accounts'])}/"
        await rec.call(client, f"page {page}", "GET", url, headers=headers)
        await asyncio.sleep(rng.uniform(1.5, 3.5))


async def ticker(rate_per_s: float, until: float, fire) -> None:
    """Call fire() (a coroutine function) rate_per_s times a second on schedule, without
    waiting for the previous call (a slow answer must not slow the offered load)."""
    if rate_per_s <= 0:
        return
    interval, pending = 1.0 / rate_per_s, set()
    next_at = time.monotonic()
    while next_at < until:
        task = asyncio.create_task(fire())
        pending.add(task)
        task.add_done_callback(pending.discard)
        next_at += interval
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    if pending:
        await asyncio.gather(*pending)


async def run(plan: dict, base: str, seconds: float, run_id: str, ingest_base: str | None = None) -> dict:
    rng = random.Random(7)
    rec = Recorder()
    events_per_s = float(os.environ.get("SOAK_EVENTS_PER_S", "500"))
    bulk_batch = int(os.environ.get("SOAK_BULK_BATCH", "250"))
    segment_per_s = float(os.environ.get("SOAK_SEGMENT_PER_S", "50"))
    segment_batch = int(os.environ.get("SOAK_SEGMENT_BATCH", "25"))
    answers_per_s = float(os.environ.get("SOAK_ANSWERS_PER_S", "2"))
    seq = itertools.count()
    # accepted (2xx) counts; "events_sent" also counts batches whose answer never came (a timeout):
    # the server may have stored those, so they bound what may be stored from above.
    sent = {"bulk_events": 0, "segment_events": 0, "events_sent": 0, "answers": 0, "not_eligible": 0}
    answered: list[dict] = []  # {"account", "user_id", "at"}
    targets = plan["event_targets"]
    respondents = iter(plan["respondents"])
    key = plan["ingest_key"]
    bearer = {"Authorization": f"Bearer {key}"}
    basic = {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}

    async def bulk() -> None:
        rows = []
        for _ in range(bulk_batch):
            account, contact = targets[rng.randrange(len(targets))]
            rows.append(
                {
                    "account": account,
                    "contact": contact,
                    "event": rng.choice(["Report Viewed", "Dashboard Opened", "Export Run", "Login"]),
                    "occurred_at": _now_iso(),
                    "properties": {"soak": run_id},
                    "message_id": f"soak-{run_id}-{next(seq)}",
                }
            )
        sent["events_sent"] += len(rows)
        if await rec.call(machines, "ingest bulk", "POST", "/api/v1/events/bulk", json=rows, headers=bearer):
            sent["bulk_events"] += len(rows)

    async def segment() -> None:
        batch = []
        for _ in range(segment_batch):
            account, contact = targets[rng.randrange(len(targets))]
            batch.append(
                {
                    "type": "track",
                    "event": "Feature Used",
                    "userId": contact,
                    "messageId": f"soak-{run_id}-{next(seq)}",
                    "timestamp": _now_iso() + "Z",
                    "context": {"groupId": account},
                    "properties": {"soak": run_id},
                }
            )
        sent["events_sent"] += len(batch)
        if await rec.call(machines, "ingest /v1/batch", "POST", "/v1/batch", json={"batch": batch}, headers=basic):
            sent["segment_events"] += len(batch)

    async def widget() -> None:
        who = next(respondents, None)
        if who is None:
            return
        headers = {"Origin": plan["origin"], "Content-Type": "text/plain"}
        ident = {"user_id": who["user_id"], "user_hash": who["user_hash"]}
        url = f"/widget/{plan['workspace']}"
        offer = await rec.call(
            machines, "widget eligibility", "POST", f"{url}/eligibility/", content=json.dumps(ident), headers=headers
        )
        if offer is None:
            return
        data = offer.json()
        if not data.get("show"):
            sent["not_eligible"] += 1
            return
        # A detractor's score moves the account's NPS measure (unless it is already -100), so the
        # health snapshot is rewritten and its computed_at shows when the answer was taken in
        # (a recompute that changes nothing keeps the row's computed_at).
        body = {**ident, "token": data["token"], "score": rng.randint(0, 6)}
        answer = json.dumps(body)
        if await rec.call(machines, "widget answer", "POST", f"{url}/answer/", content=answer, headers=headers):
            sent["answers"] += 1
            answered.append({"account": who["account"], "user_id": who["user_id"], "at": time.time()})

    freshness: dict[str, float] = {}  # user_id -> seconds from the answer to a score computed after it
    load_done = asyncio.Event()

    async def watch() -> None:
        """Poll the accounts answered and not yet seen recomputed, once a second, until every one
        is or SOAK_FRESHNESS_WAIT seconds after the load ended."""
        import psycopg

        wait = float(os.environ.get("SOAK_FRESHNESS_WAIT", "60"))
        deadline = None
        with await asyncio.to_thread(psycopg.connect, os.environ["SOAK_DATABASE_URL"], autocommit=True) as conn:
            while True:
                pending = [a for a in answered if a["user_id"] not in freshness]
                if load_done.is_set():
                    deadline = deadline or time.monotonic() + wait
                    if not pending or time.monotonic() > deadline:
                        return
                if pending:
                    ids = list({a["account"] for a in pending})
                    cur = await asyncio.to_thread(
                        conn.execute,
                        "SELECT account_id, max(computed_at) FROM health_healthscore WHERE account_id = ANY(%s) "
                        "GROUP BY account_id",
                        (ids,),
                    )
                    computed = {account: at.timestamp() for account, at in cur.fetchall()}
                    for a in pending:
                        if computed.get(a["account"], 0) >= a["at"]:
                            freshness[a["user_id"]] = computed[a["account"]] - a["at"]
                await asyncio.sleep(1.0)

    async def load(client) -> None:
        until = time.monotonic() + seconds
        await asyncio.gather(
            *[
                csm(client, rec, session, plan["session_cookie"], until, random.Random(i))
                for i, session in enumerate(plan["sessions"])
            ],
            ticker(events_per_s / bulk_batch, until, bulk),
            ticker(segment_per_s / segment_batch, until, segment),
            ticker(answers_per_s, until, widget),
        )
        load_done.set()
        print("load done", flush=True)  # bench.soak stops its CPU sampling here

    # SOAK_KEEPALIVE=1 reuses connections (as browsers and ingest clients do); 0 opens one a request.
    keepalive = 300 if os.environ.get("SOAK_KEEPALIVE", "1") == "1" else 0
    limits = httpx.Limits(max_connections=300, max_keepalive_connections=keepalive)
    ingest_base = ingest_base or base
    async with (
        httpx.AsyncClient(base_url=base, timeout=60.0, limits=limits) as client,
        httpx.AsyncClient(base_url=ingest_base, timeout=60.0, limits=limits) as machines,
    ):
        started = time.monotonic()
        watcher = asyncio.create_task(watch())
        await load(client)
        elapsed = time.monotonic() - started
        await watcher
    return {
        "run": run_id,
        "seconds": elapsed,
        "rows": rec.rows,
        "errors": rec.errors,
        "sent": sent,
        "answered": answered,
        "freshness": freshness,
    }


def main() -> None:
    plan_path, base, seconds, run_id, out = sys.argv[1:6]
    ingest_base = sys.argv[6] if len(sys.argv) > 6 else None  # the ingest pool, when there is one
    with open(plan_path) as fh:
        plan = json.load(fh)
    results = asyncio.run(run(plan, base, float(seconds), run_id, ingest_base))
    with open(out, "w") as fh:
        json.dump(results, fh)


if __name__ == "__main__":
    main()
