"""Connectors (issue 20): a HubSpot-shaped first load from the local HubSpot (a real HTTP server
on 127.0.0.1 answering as CRM API v3 does: 100-record pages, associations v4 per page) through
the whole connector (hubspot-api-client, mapping, the upsert services), then an incremental run
with 1% of each object changed. Sizes at --scale 1: 100,000 companies, 1,000,000 contacts,
200,000 deals (proportional at other scales).

Printed:
- the first load: rows, time and rate, with a progress bar while it runs;
- baseline, same run: the same companies and contacts (other external ids) through our own bulk
  API (`POST /api/v1/accounts/` and `/api/v1/contacts/`, lists of 1,000, in-process), its rate,
  and the ratio connector / API (the API has no bulk endpoint for opportunities: deals are timed
  but not in the ratio);
- the first incremental run after the load (the companies whose health the load pushed come
  back once, unchanged: HubSpot moves hs_lastmodifieddate on our own update), then the
  incremental run with 1% changed (search on hs_lastmodifieddate): rows changed, time (target:
  under a minute at --scale 1), and that a rerun changes nothing.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/h5 .venv/bin/python -m bench --only connectors --scale 0.01
"""

from __future__ import annotations

import json
import threading
import time

from bench.setup import ratio, switch_database

FULL = {"companies": 100_000, "contacts": 1_000_000, "deals": 200_000}
API_BATCH = 1000


def _cleanup() -> None:
    from accounts.models import Account
    from connectors.models import Connection

    Connection.objects.filter(name="bench").delete()
    Account.objects.filter(external_id__startswith="hubspot:").delete()
    Account.objects.filter(external_id__startswith="bapi-").delete()


def _fill(fake, sizes: dict) -> tuple[list[int], list[int], list[int]]:
    companies = list(range(1_000_000, 1_000_000 + sizes["companies"]))
    fake.add_many(
        "companies",
        [
            (cid, {"name": f"Company {cid}", "domain": f"c{cid}.example", "industry": "Software"}, None)
            for cid in companies
        ],
    )
    contacts = list(range(10_000_000, 10_000_000 + sizes["contacts"]))
    fake.add_many(
        "contacts",
        [
            (
                pid,
                {"firstname": f"P{pid}", "lastname": "Doe", "email": f"p{pid}@c.example", "jobtitle": "Analyst"},
                companies[i % len(companies)],
            )
            for i, pid in enumerate(contacts)
        ],
    )
    deals = list(range(50_000_000, 50_000_000 + sizes["deals"]))
    fake.add_many(
        "deals",
        [
            (
                did,
                {
                    "dealname": f"Renewal {did}",
                    "amount": str(1000 + i % 5000),
                    "closedate": "2027-06-30T00:00:00Z",
                    "dealstage": "appointmentscheduled",
                    "pipeline": "default",
                    "dealtype": "existingbusiness",
                },
                companies[i % len(companies)],
            )
            for i, did in enumerate(deals)
        ],
    )
    return companies, contacts, deals


def _progress(run_id: int, total: int, stop: threading.Event) -> None:
    """A progress bar from a second connection: the run saves its progress with each page."""
    from django.db import connection
    from tqdm import tqdm

    from connectors.models import SyncRun

    with tqdm(total=total, unit="rec", mininterval=1.0, leave=True) as bar:
        done = 0
        while not stop.wait(1.0):
            now = SyncRun.objects.filter(pk=run_id).values_list("progress_done", flat=True).first() or 0
            bar.update(now - done)
            done = now
        now = SyncRun.objects.filter(pk=run_id).values_list("progress_done", flat=True).first() or 0
        bar.update(now - done)
    connection.close()


def _sync(connection, *, progress_total: int | None = None):
    from connectors.models import SyncRun
    from connectors.sync import sync_run_execute

    run = SyncRun.objects.create(connection=connection)
    stop = threading.Event()
    thread = None
    if progress_total:
        thread = threading.Thread(target=_progress, args=(run.pk, progress_total, stop), daemon=True)
        thread.start()
    started = time.perf_counter()
    run = sync_run_execute(run=run)
    took = time.perf_counter() - started
    stop.set()
    if thread:
        thread.join()
    if run.status != "succeeded":
        raise SystemExit(f"connector run failed: {run.reason}")
    return run, took


def _api_baseline(companies: list[int], contacts: list[int]) -> float:
    from django.test import Client

    from core.choices import APIKeyScope
    from core.services import api_key_create

    _, key = api_key_create(name="bench connectors", scope=APIKeyScope.WRITE)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    started = time.perf_counter()
    for start in range(0, len(companies), API_BATCH):
        body = [
            {"external_id": f"bapi-{cid}", "name": f"Company {cid}", "domain": f"c{cid}.example"}
            for cid in companies[start : start + API_BATCH]
        ]
        response = client.post("/api/v1/accounts/", json.dumps(body), content_type="application/json")
        assert response.status_code in (200, 201), response.content[:300]
    for start in range(0, len(contacts), API_BATCH):
        body = [
            {
                "external_id": f"bapi-p{pid}",
                "account": f"bapi-{companies[(start + i) % len(companies)]}",
                "email": f"p{pid}@c.example",
                "name": f"P{pid} Doe",
            }
            for i, pid in enumerate(contacts[start : start + API_BATCH])
        ]
        response = client.post("/api/v1/contacts/", json.dumps(body), content_type="application/json")
        assert response.status_code in (200, 201), response.content[:300]
    return time.perf_counter() - started


def run(args) -> None:
    from django.conf import settings

    from connectors.fakes import HubSpotFake
    from connectors.services import connection_create

    switch_database("connectors")
    settings.ALLOWED_HOSTS = ["*"]
    sizes = {k: max(10, int(v * args.scale)) for k, v in FULL.items()}
    total = sum(sizes.values())
    _cleanup()
    with HubSpotFake() as fake:
        fake.tokens.add("bench")
        started = time.perf_counter()
        companies, contacts, deals = _fill(fake, sizes)
        print(
            f"local HubSpot: {sizes['companies']:,} companies, {sizes['contacts']:,} contacts, "
            f"{sizes['deals']:,} deals (built in {time.perf_counter() - started:.1f} s)"
        )
        connection = connection_create(kind="hubspot", name="bench", base_url=fake.url, token="bench")
        connection.interval_minutes = 0
        connection.save(update_fields=["interval_minutes"])

        first, took = _sync(connection, progress_total=total)
        rate = total / took
        print(
            f"first load: {first.created:,} created, {first.failed:,} failed, {first.pushed:,} pushed "
            f"of {total:,} rows in {took:.1f} s "
            f"= {rate:,.0f} rows/s ({fake.calls('GET', '/crm/v3/objects'):,} list pages, "
            f"{fake.calls('POST', '/crm/v4/associations'):,} association reads)"
        )

        api_rows = sizes["companies"] + sizes["contacts"]
        api_took = _api_baseline(companies, contacts)
        api_rate = api_rows / api_took
        print(
            f"baseline, our bulk API, same companies and contacts: {api_rows:,} rows in {api_took:.1f} s "
            f"= {api_rate:,.0f} rows/s"
        )
        print(f"connector / bulk API rate: {ratio(rate, api_rate)}")

        settle, took = _sync(connection)
        print(
            f"first incremental after the load: {settle.updated:,} updated, {settle.unchanged:,} unchanged "
            f"in {took:.1f} s (the companies our push touched come back once, unchanged)"
        )
        changed = {k: max(1, v // 100) for k, v in sizes.items()}
        for object_type, ids in (("companies", companies), ("contacts", contacts), ("deals", deals)):
            step = max(1, len(ids) // changed[object_type])
            for record_id in ids[::step][: changed[object_type]]:
                props = {"name": f"Changed {record_id}"} if object_type == "companies" else {}
                if object_type == "contacts":
                    props = {"jobtitle": "Director"}
                if object_type == "deals":
                    props = {"amount": "9999"}
                fake.update(object_type, record_id, props)
        incremental, took = _sync(connection)
        print(
            f"incremental, 1% changed ({sum(changed.values()):,} rows): {incremental.updated:,} updated, "
            f"{incremental.unchanged:,} unchanged in {took:.1f} s (target at --scale 1: under 60 s)"
        )
        again, took = _sync(connection)
        print(f"rerun: {again.created} created, {again.updated} updated in {took:.1f} s (nothing changes)")
    _cleanup()
