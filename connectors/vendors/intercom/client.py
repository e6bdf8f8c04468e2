"""Intercom REST API 2.11 (`Intercom-Version: 2.11`) over a requests session with the connectors'
retry policy (429 and 5xx retried with backoff: connectors.http; Intercom sends
`X-RateLimit-Reset`, not `Retry-After`). The official Python SDK does not cover 2.11's search
pagination the way the exports need it, so this is plain HTTP (developers.intercom.com,
"Pagination", "Scroll over all companies", "Search contacts", "Search conversations").

- companies: `GET /companies/scroll`, then `?scroll_param=` until a page comes back empty; the
  scroll has no modified-since filter, so an incremental pull reads it all and keeps those
  updated since the mark.
- contacts: `POST /contacts/search` on `updated_at > mark` (Unix seconds), sorted ascending,
  `pagination: {per_page, starting_after}` from `pages.next.starting_after`.
- conversations: `POST /conversations/search`, the same; a conversation becomes a ticket:
  opened `created_at`, first response `statistics.first_admin_reply_at`, resolved
  `statistics.last_close_at` while closed, its subject the source's subject or the title.

Auth: an access token (`Authorization: Bearer`); 401 is `AuthFailed`."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.utils.translation import gettext as _
from requests import RequestException

from ...http import http_session
from ...models import Connection
from ...registry import AuthFailed, Page, RateLimited, RemoteRecord, VendorError

__all__ = ["API_VERSION", "IntercomClient"]

API_VERSION = "2.11"
PER_PAGE = 150  # search's maximum


def _at(epoch) -> datetime | None:
    return datetime.fromtimestamp(epoch, tz=UTC) if isinstance(epoch, int | float) and epoch > 0 else None


def _domain(website: str | None) -> str:
    if not website:
        return ""
    host = urlsplit(website if "//" in website else f"//{website}").hostname or ""
    return host.removeprefix("www.")


class IntercomClient:
    def __init__(self, connection: Connection):
        self.connection = connection
        self.base = connection.base_url.rstrip("/")
        self.session = http_session()
        token = connection.credentials.get("access_token") or connection.credentials.get("token") or ""
        self.session.headers.update(
            {"Authorization": f"Bearer {token}", "Intercom-Version": API_VERSION, "Accept": "application/json"}
        )

    # Section: HTTP

    def _call(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = self.session.request(method, self.base + path, **kwargs)
        except RequestException as exc:
            raise VendorError(_("Intercom did not answer: %(error)s") % {"error": exc}) from None
        if response.status_code == 200:
            return response.json()
        try:
            errors = response.json().get("errors") or []
        except ValueError:
            errors = []
        detail = "; ".join(str(e.get("message") or e.get("code")) for e in errors) or response.reason
        if response.status_code == 401:
            raise AuthFailed(_("Intercom: %(detail)s") % {"detail": detail})
        if response.status_code == 429:
            raise RateLimited(_("Intercom kept answering 429 (rate limited)"))
        raise VendorError(
            _("Intercom answered %(status)d: %(detail)s") % {"status": response.status_code, "detail": detail}
        )

    # Section: pulls

    def fetch_page(self, object_key: str, *, cursor, since: datetime | None) -> Page:
        mark = int(since.timestamp()) if since else 0
        if object_key == "companies":
            body = self._call("GET", "/companies/scroll", params={"scroll_param": cursor} if cursor else {})
            data = body.get("data") or []
            records = [self._company(c) for c in data if (c.get("updated_at") or 0) >= mark]
            return Page(
                records=records, cursor=body.get("scroll_param") if data else None, total=body.get("total_count")
            )
        path = "/contacts/search" if object_key == "contacts" else "/conversations/search"
        query = {
            "query": {"field": "updated_at", "operator": ">", "value": max(0, mark - 1)},
            "sort": {"field": "updated_at", "order": "ascending"},
            "pagination": {"per_page": PER_PAGE, **({"starting_after": cursor} if cursor else {})},
        }
        body = self._call("POST", path, json=query)
        convert = self._contact if object_key == "contacts" else self._conversation
        following = ((body.get("pages") or {}).get("next") or {}).get("starting_after")
        return Page(
            records=[convert(item) for item in body.get("data") or []], cursor=following, total=body.get("total_count")
        )

    def fetch_ids(self, object_key: str, ids: list[str]) -> list[RemoteRecord]:
        path, convert = {
            "companies": ("/companies/{}", self._company),
            "contacts": ("/contacts/{}", self._contact),
            "conversations": ("/conversations/{}", self._conversation),
        }[object_key]
        return [convert(self._call("GET", path.format(rid))) for rid in ids]

    def push(self, object_key: str, updates: list[tuple[str, dict]]) -> None:
        raise VendorError(_("Intercom objects are not pushed"))

    def remote_fields(self, object_key: str) -> list[tuple[str, str]]:
        return {
            "companies": [("name", "name"), ("website", "website"), ("company_id", "company_id")],
            "contacts": [("name", "name"), ("email", "email"), ("role", "role")],
            "conversations": [("title", "title"), ("state", "state"), ("priority", "priority")],
        }[object_key]

    # Section: records

    @staticmethod
    def _company(item: dict) -> RemoteRecord:
        fields = {
            "name": item.get("name"),
            "domain": _domain(item.get("website")),
            "external_id": item.get("company_id"),
        }
        return RemoteRecord(id=str(item["id"]), modified_at=_at(item.get("updated_at")), fields=fields)

    @staticmethod
    def _contact(item: dict) -> RemoteRecord:
        companies = ((item.get("companies") or {}).get("data")) or []
        fields = {"name": item.get("name"), "email": item.get("email"), "role": item.get("role")}
        links = {"account": str(companies[0]["id"]) if companies else None}
        return RemoteRecord(id=str(item["id"]), modified_at=_at(item.get("updated_at")), fields=fields, links=links)

    @staticmethod
    def _conversation(item: dict) -> RemoteRecord:
        stats = item.get("statistics") or {}
        people = ((item.get("contacts") or {}).get("contacts")) or []
        state = item.get("state") or "open"
        subject = ((item.get("source") or {}).get("subject")) or item.get("title") or ""
        fields = {
            "subject": subject,
            "opened_at": _at(item.get("created_at")),
            "first_response_at": _at(stats.get("first_admin_reply_at")),
            "resolved_at": _at(stats.get("last_close_at")) if state == "closed" else None,
            "status": {"open": "open", "snoozed": "pending", "closed": "closed"}.get(state, "open"),
            "priority": "high" if item.get("priority") == "priority" else "normal",
        }
        links = {"contact": str(people[0]["id"]) if people else None}
        return RemoteRecord(id=str(item["id"]), modified_at=_at(item.get("updated_at")), fields=fields, links=links)
