"""A local Intercom (REST API 2.11) for the tests: the endpoints connectors.vendors.intercom reads,
answering as developers.intercom.com documents them for `Intercom-Version: 2.11`.

- "Scroll over all companies": `GET /companies/scroll` → `{"type": "list", "data", "total_count",
  "scroll_param"}`; the next call sends `scroll_param`; an empty `data` ends the scroll.
- "Search contacts" / "Search conversations": `POST /contacts/search`, `/conversations/search`
  with `{"query": {"field", "operator", "value"}, "sort", "pagination": {"per_page",
  "starting_after"}}` → `{"type": "list", "data", "total_count", "pages": {"type": "pages",
  "page", "per_page", "total_pages", "next": {"page", "starting_after"}}}` (no `next` on the
  last page). Times are Unix seconds.
- `GET /companies/{id}`, `/contacts/{id}`, `/conversations/{id}`.
- Auth: `Authorization: Bearer <token>`, else 401 `{"type": "error.list", "errors": [{"code":
  "unauthorized", "message": "Access Token Invalid"}]}`. A request without `Intercom-Version`
  is refused (400) so the client's version header is checked.
- Rate limiting ("Rate limiting"): 429 with `X-RateLimit-Limit`, `X-RateLimit-Remaining: 0`,
  `X-RateLimit-Reset` (Unix seconds), `{"type": "error.list", "errors": [{"code":
  "rate_limit_exceeded", "message": "Rate Limit Exceeded"}]}`.
"""

from __future__ import annotations

import base64
import itertools
import json
import time

from .base import FakeServer, Reply

__all__ = ["IntercomFake"]


class IntercomFake(FakeServer):
    def __init__(self, *, token: str = "ic-token"):
        super().__init__()
        self.tokens = {token}
        self.ids = itertools.count(1)
        self.clock = int(time.time()) - 3600
        self.records: dict[str, dict[str, dict]] = {"companies": {}, "contacts": {}, "conversations": {}}
        self.page_size = 150

    def _tick(self) -> int:
        self.clock += 1
        return self.clock

    def _id(self) -> str:
        return f"{next(self.ids):024x}"

    def add_company(self, name: str, *, website: str = "", company_id: str | None = None) -> str:
        cid, now = self._id(), self._tick()
        self.records["companies"][cid] = {
            "type": "company",
            "id": cid,
            "company_id": company_id or cid,
            "name": name,
            "website": website,
            "created_at": now,
            "updated_at": now,
        }
        return cid

    def add_contact(self, name: str, email: str, *, company: str | None = None, role: str = "user") -> str:
        pid, now = self._id(), self._tick()
        companies = [{"type": "company", "id": company}] if company else []
        self.records["contacts"][pid] = {
            "type": "contact",
            "id": pid,
            "role": role,
            "name": name,
            "email": email,
            "companies": {"type": "list", "data": companies, "total_count": len(companies)},
            "created_at": now,
            "updated_at": now,
        }
        return pid

    def add_conversation(
        self,
        title: str,
        *,
        contact: str,
        state: str = "open",
        first_reply: int | None = None,
        closed: int | None = None,
    ) -> str:
        vid, now = self._id(), self._tick()
        created = now - 7200
        self.records["conversations"][vid] = {
            "type": "conversation",
            "id": vid,
            "title": title,
            "created_at": created,
            "updated_at": now,
            "state": state,
            "priority": "not_priority",
            "source": {"type": "conversation", "subject": title},
            "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": contact}]},
            "statistics": {
                "type": "conversation_statistics",
                "first_admin_reply_at": created + first_reply if first_reply is not None else None,
                "last_close_at": created + closed if closed is not None else None,
            },
        }
        return vid

    def update(self, kind: str, rid: str, **values) -> None:
        with self.lock:
            self.records[kind][rid].update(values, updated_at=self._tick())

    # Section: HTTP

    def rate_limit_reply(self) -> Reply:
        return Reply(
            429,
            {"type": "error.list", "errors": [{"code": "rate_limit_exceeded", "message": "Rate Limit Exceeded"}]},
            {"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()))},
        )

    def handle(self, method, path, query, body, headers):
        if headers.get("Authorization", "").removeprefix("Bearer ") not in self.tokens:
            raise Reply(
                401, {"type": "error.list", "errors": [{"code": "unauthorized", "message": "Access Token Invalid"}]}
            )
        if headers.get("Intercom-Version") != "2.11":
            raise Reply(400, {"type": "error.list", "errors": [{"code": "intercom_version_invalid"}]})
        with self.lock:
            if method == "GET" and path == "/companies/scroll":
                return 200, self._scroll((query.get("scroll_param") or [None])[0])
            if method == "POST" and path in ("/contacts/search", "/conversations/search"):
                return 200, self._search(path.split("/")[1], body or {})
            parts = path.strip("/").split("/")
            if method == "GET" and len(parts) == 2 and parts[0] in self.records:
                record = self.records[parts[0]].get(parts[1])
                if record is None:
                    raise Reply(404, {"type": "error.list", "errors": [{"code": "not_found", "message": "Not found"}]})
                return 200, record
        raise Reply(404, {"type": "error.list", "errors": [{"code": "not_found", "message": "Resource Not Found"}]})

    def _scroll(self, param: str | None) -> dict:
        rows = sorted(self.records["companies"].values(), key=lambda r: r["id"])
        start = int(base64.urlsafe_b64decode(param.encode())) if param else 0
        page = rows[start : start + self.page_size]
        following = base64.urlsafe_b64encode(str(start + len(page)).encode()).decode()
        return {"type": "list", "data": page, "pages": None, "total_count": len(rows), "scroll_param": following}

    def _search(self, kind: str, body: dict) -> dict:
        query = body.get("query") or {}
        if query.get("field") != "updated_at" or query.get("operator") not in (">", "<"):
            raise Reply(400, {"type": "error.list", "errors": [{"code": "parameter_invalid"}]})
        value = int(query["value"])
        keep = (lambda at: at > value) if query["operator"] == ">" else (lambda at: at < value)
        rows = sorted(
            (r for r in self.records[kind].values() if keep(r["updated_at"])), key=lambda r: (r["updated_at"], r["id"])
        )
        pagination = body.get("pagination") or {}
        per_page = min(int(pagination.get("per_page") or 50), 150, self.page_size)
        start = 0
        if pagination.get("starting_after"):
            start = json.loads(base64.urlsafe_b64decode(pagination["starting_after"].encode()))
        page = rows[start : start + per_page]
        pages = {
            "type": "pages",
            "page": start // per_page + 1,
            "per_page": per_page,
            "total_pages": max(1, -(-len(rows) // per_page)),
        }
        if start + per_page < len(rows):
            after = base64.urlsafe_b64encode(json.dumps(start + per_page).encode()).decode()
            pages["next"] = {"page": pages["page"] + 1, "starting_after": after}
        return {"type": "list", "data": page, "total_count": len(rows), "pages": pages}
