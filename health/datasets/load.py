"""Posting a dataset's payloads to the REST API: accounts and subscriptions in lists of
ITEMS_PER_REQUEST, events in bulk batches of EVENTS_PER_REQUEST (NDJSON)."""

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

__all__ = ["EVENTS_PER_REQUEST", "ITEMS_PER_REQUEST", "DatasetError", "DatasetPayloads", "api_load"]

ITEMS_PER_REQUEST = 2000
EVENTS_PER_REQUEST = 50_000


class DatasetError(Exception):
    """A file that is not in the format, or an API answer that is not a success."""


@dataclass
class DatasetPayloads:
    """What a format read: the API payloads, and the last day the data covers."""

    accounts: list[dict]
    subscriptions: list[dict]
    events: Callable[[], Iterator[dict]]  # streamed: hundreds of thousands of rows
    last_day: date
    notes: dict = field(default_factory=dict)


def _batches(items, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Poster:
    """POST JSON or NDJSON with an API key: to `url` when given, else in-process."""

    def __init__(self, key: str, url: str | None):
        self.key, self.url = key, url.rstrip("/") if url else None
        if self.url is None:
            from rest_framework.test import APIClient

            self.client = APIClient()

    def post(self, path: str, body: bytes, content_type: str) -> dict:
        if self.url is None:
            response = self.client.generic(
                "POST", path, body, content_type=content_type, HTTP_AUTHORIZATION=f"Bearer {self.key}"
            )
            status, text = response.status_code, response.content.decode()
        else:
            request = urllib.request.Request(
                self.url + path,
                data=body,
                method="POST",
                headers={"Authorization": f"Bearer {self.key}", "Content-Type": content_type},
            )
            try:
                with urllib.request.urlopen(request, timeout=600) as answer:  # noqa: S310 (the admin's URL)
                    status, text = answer.status, answer.read().decode()
            except urllib.error.HTTPError as exc:
                status, text = exc.code, exc.read().decode()
        if status not in (200, 201):
            raise DatasetError(f"POST {path}: HTTP {status}: {text[:500]}")
        return json.loads(text) if text else {}


def api_load(*, payloads: DatasetPayloads, key: str, url: str | None = None, log=None) -> dict:
    """Post every account, subscription and event. Returns counts per kind. Idempotent:
    accounts and subscriptions are upserted by external id, events carry a message_id."""
    poster = _Poster(key, url)
    counts = {"accounts": 0, "subscriptions": 0, "events": 0}
    for kind, path in (("accounts", "/api/v1/accounts/"), ("subscriptions", "/api/v1/subscriptions/")):
        for batch in _batches(getattr(payloads, kind), ITEMS_PER_REQUEST):
            poster.post(path, json.dumps(batch).encode(), "application/json")
            counts[kind] += len(batch)
        if log:
            log(f"{kind}: {counts[kind]}")
    for batch in _batches(payloads.events(), EVENTS_PER_REQUEST):
        body = "\n".join(json.dumps(e, separators=(",", ":")) for e in batch).encode()
        result = poster.post("/api/v1/events/bulk", body, "application/x-ndjson")
        counts["events"] += int(result.get("received", len(batch)))
        if log:
            log(f"events: {counts['events']}")
    return counts
