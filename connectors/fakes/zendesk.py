"""A local Zendesk (Support API v2) for the tests: the endpoints connectors.vendors.zendesk reads,
answering as developer.zendesk.com documents them.

- Incremental exports ("Incremental Exports", api-reference/ticketing/ticket-management/
  incremental_exports): organizations time-based (`start_time` → `organizations`, `end_time`,
  `next_page`, `end_of_stream` when a page is not full); users and tickets cursor-based
  (`start_time` or `cursor` → `after_cursor`, `after_url`, `end_of_stream`); tickets with
  `include=metric_sets` sideload each ticket's metric set ("Ticket Metrics":
  `reply_time_in_minutes`, `full_resolution_time_in_minutes` as {calendar, business},
  `replies`, `solved_at`). A deleted ticket stays in the export with `status: "deleted"`.
- `show_many` for organizations, users and tickets; `GET /api/v2/tickets/{id}/metrics.json`.
- Auth ("Security and authentication"): HTTP Basic `{email}/token:{api token}` or a Bearer
  OAuth token; else 401 `{"error": "Couldn't authenticate you"}`.
- Rate limits ("Rate limits"): 429 with `Retry-After` (seconds) and
  `{"error": "APIRateLimitExceeded", "description": ...}`.
"""

from __future__ import annotations

import base64
import itertools
import json
import time
from datetime import UTC, datetime

from .base import FakeServer, Reply

__all__ = ["ZendeskFake"]


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ZendeskFake(FakeServer):
    def __init__(self, *, token: str = "zd-token", email: str = "agent@example.com"):
        super().__init__()
        self.valid = {f"{email}/token:{token}"}
        self.bearer = {"zd-oauth"}
        self.ids = itertools.count(1001)
        self.clock = int(time.time()) - 3600  # epoch seconds; each change moves it on
        self.records: dict[str, dict[int, dict]] = {"organizations": {}, "users": {}, "tickets": {}}
        self.metrics: dict[int, dict] = {}
        self.page_size = 1000

    # Section: the test's side

    def _tick(self) -> int:
        self.clock += 1
        return self.clock

    def add_organization(self, name: str, *, domains=(), external_id=None) -> int:
        oid = next(self.ids)
        now = self._tick()
        self.records["organizations"][oid] = {
            "id": oid,
            "name": name,
            "domain_names": list(domains),
            "external_id": external_id,
            "created_at": _iso(now),
            "updated_at": _iso(now),
            "deleted_at": None,
        }
        return oid

    def add_user(self, name: str, email: str, *, organization=None, role: str = "end-user") -> int:
        uid = next(self.ids)
        now = self._tick()
        self.records["users"][uid] = {
            "id": uid,
            "name": name,
            "email": email,
            "organization_id": organization,
            "role": role,
            "active": True,
            "created_at": _iso(now),
            "updated_at": _iso(now),
        }
        return uid

    def add_ticket(
        self,
        subject: str,
        *,
        requester: int,
        organization=None,
        status: str = "open",
        priority: str = "normal",
        reply_minutes=None,
        resolution_minutes=None,
        replies: int = 0,
        created: int | None = None,
    ) -> int:
        tid = next(self.ids)
        now = self._tick()
        self.records["tickets"][tid] = {
            "id": tid,
            "subject": subject,
            "requester_id": requester,
            "organization_id": organization,
            "status": status,
            "priority": priority,
            "created_at": _iso(created or now - 7200),
            "updated_at": _iso(now),
        }
        self.metrics[tid] = {
            "id": tid + 500000,
            "ticket_id": tid,
            "reply_time_in_minutes": {"calendar": reply_minutes, "business": reply_minutes},
            "full_resolution_time_in_minutes": {"calendar": resolution_minutes, "business": resolution_minutes},
            "replies": replies,
            "solved_at": None,
        }
        return tid

    def update(self, kind: str, rid: int, **values) -> None:
        with self.lock:
            self.records[kind][rid].update(values, updated_at=_iso(self._tick()))

    def update_metrics(self, tid: int, **values) -> None:
        with self.lock:
            self.metrics[tid].update(values)
            self.records["tickets"][tid]["updated_at"] = _iso(self._tick())

    # Section: HTTP

    def rate_limit_reply(self) -> Reply:
        return Reply(
            429,
            {"error": "APIRateLimitExceeded", "description": "Number of allowed API requests per minute exceeded"},
            {"Retry-After": self.retry_after or "0"},
        )

    def _authorised(self, headers: dict) -> None:
        auth = headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                if base64.b64decode(auth[6:]).decode() in self.valid:
                    return
            except ValueError:
                pass
        elif auth.startswith("Bearer ") and auth[7:] in self.bearer:
            return
        raise Reply(401, {"error": "Couldn't authenticate you"})

    def handle(self, method, path, query, body, headers):
        self._authorised(headers)
        q = {k: v[0] for k, v in query.items()}
        size = min(int(q.get("per_page") or 1000), 1000, self.page_size)
        with self.lock:
            if path == "/api/v2/incremental/organizations.json":
                return 200, self._time_export("organizations", int(q.get("start_time") or 0), size)
            if path in ("/api/v2/incremental/users/cursor.json", "/api/v2/incremental/tickets/cursor.json"):
                kind = "users" if "/users/" in path else "tickets"
                page = self._cursor_export(kind, q, size)
                if kind == "tickets" and "metric_sets" in (q.get("include") or ""):
                    page["metric_sets"] = [self.metrics[t["id"]] for t in page["tickets"] if t["id"] in self.metrics]
                return 200, page
            for kind in ("organizations", "users", "tickets"):
                if path == f"/api/v2/{kind}/show_many.json":
                    ids = [int(i) for i in (q.get("ids") or "").split(",") if i]
                    return 200, {kind: [self.records[kind][i] for i in ids if i in self.records[kind]]}
            if path.startswith("/api/v2/tickets/") and path.endswith("/metrics.json"):
                tid = int(path.split("/")[4])
                if tid not in self.metrics:
                    raise Reply(404, {"error": "RecordNotFound", "description": "Not found"})
                return 200, {"ticket_metric": self.metrics[tid]}
        raise Reply(404, {"error": "InvalidEndpoint", "description": "Not found"})

    def _updated(self, kind: str):
        rows = sorted(self.records[kind].values(), key=lambda r: (r["updated_at"], r["id"]))
        return [(int(datetime.fromisoformat(r["updated_at"]).timestamp()), r) for r in rows]

    def _time_export(self, kind: str, start: int, size: int) -> dict:
        rows = [r for at, r in self._updated(kind) if at >= start][:size]
        end = int(datetime.fromisoformat(rows[-1]["updated_at"]).timestamp()) if rows else start
        return {
            kind: rows,
            "count": len(rows),
            "end_time": end,
            "next_page": f"{self.url}/api/v2/incremental/{kind}.json?start_time={end}",
            "end_of_stream": len(rows) < size,
        }

    def _cursor_export(self, kind: str, q: dict, size: int) -> dict:
        if "cursor" in q:
            try:
                after = tuple(json.loads(base64.urlsafe_b64decode(q["cursor"].encode())))
            except ValueError:
                raise Reply(400, {"error": "InvalidPaginationParameter", "description": "bad cursor"}) from None
            rows = [r for at, r in self._updated(kind) if (at, r["id"]) > after]
        else:
            start = int(q.get("start_time") or 0)
            rows = [r for at, r in self._updated(kind) if at >= start]
        page = rows[:size]
        last = page[-1] if page else None
        cursor = None
        if last is not None:
            mark = [int(datetime.fromisoformat(last["updated_at"]).timestamp()), last["id"]]
            cursor = base64.urlsafe_b64encode(json.dumps(mark).encode()).decode()
        elif "cursor" in q:
            cursor = q["cursor"]
        return {
            kind: page,
            "after_cursor": cursor,
            "before_cursor": None,
            "after_url": f"{self.url}/api/v2/incremental/{kind}/cursor.json?cursor={cursor}" if cursor else None,
            "end_of_stream": len(rows) <= size,
        }
