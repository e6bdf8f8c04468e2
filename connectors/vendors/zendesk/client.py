"""Zendesk Support API v2 over a requests session with the connectors' retry policy (429 and
5xx retried, `Retry-After` honoured: connectors.http). No maintained Python client covers the
cursor exports (zenpy pages the time-based ones), so this is plain HTTP.

Pulls, each an incremental export resumable from its cursor (developer.zendesk.com
"Incremental Exports", api-reference/ticketing/ticket-management/incremental_exports):
- organizations: `GET /api/v2/incremental/organizations.json?start_time=` (time-based: the next
  `start_time` is the page's `end_time`, until `end_of_stream`);
- users: `GET /api/v2/incremental/users/cursor.json?start_time=`, then `?cursor=<after_cursor>`;
- tickets: `GET /api/v2/incremental/tickets/cursor.json?start_time=&include=metric_sets`, then
  `?cursor=`; each ticket's metric set (first reply and full resolution times in minutes, the
  agents' public replies) comes sideloaded. A ticket with `status: deleted` is a deletion.

Auth: an API token, `--token "agent@example.com/token:<api token>"` (HTTP Basic, as Zendesk
documents it), or an OAuth access token (no colon: `Authorization: Bearer`). 401 is
`AuthFailed`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from requests import RequestException

from ...http import http_session
from ...models import Connection
from ...registry import AuthFailed, Page, RateLimited, RemoteRecord, VendorError

__all__ = ["ZendeskClient"]

EXPORTS = {
    "organizations": ("/api/v2/incremental/organizations.json", "organizations"),
    "users": ("/api/v2/incremental/users/cursor.json", "users"),
    "tickets": ("/api/v2/incremental/tickets/cursor.json", "tickets"),
}
SHOW = {"organizations": "/api/v2/organizations/show_many.json", "users": "/api/v2/users/show_many.json"}
PER_PAGE = 1000  # the exports' maximum


def _time(value) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) and value else None


STATUSES = {"new": "open", "open": "open", "pending": "pending", "hold": "pending", "solved": "resolved"}


def _after(start: datetime | None, minutes) -> datetime | None:
    """`start` plus a metric's minutes ({"calendar": n, "business": m}: calendar time)."""
    if isinstance(minutes, dict):
        minutes = minutes.get("calendar")
    if start is None or not isinstance(minutes, int | float) or isinstance(minutes, bool) or minutes < 0:
        return None
    return start + timedelta(minutes=minutes)


def _ticket_fields(ticket: dict, metric: dict) -> dict:
    """A ticket and its metric set in our terms: first response = created + reply time, resolved
    = created + full resolution time (when solved or closed), agents' public replies."""
    opened = _time(ticket.get("created_at"))
    status = STATUSES.get(ticket.get("status") or "", "closed" if ticket.get("status") == "closed" else "open")
    resolved = None
    if status in ("resolved", "closed"):
        resolved = _after(opened, metric.get("full_resolution_time_in_minutes")) or _time(metric.get("solved_at"))
    return {
        "opened_at": opened,
        "first_response_at": _after(opened, metric.get("reply_time_in_minutes")),
        "resolved_at": resolved,
        "agent_replies": metric.get("replies") or 0,
        "status": status,
        "priority": ticket.get("priority") or "normal",
    }


class ZendeskClient:
    def __init__(self, connection: Connection):
        self.connection = connection
        self.base = connection.base_url.rstrip("/")
        self.session = http_session()
        token = connection.credentials.get("access_token") or connection.credentials.get("token") or ""
        if ":" in token:  # "email/token:api token" (or "email:api token")
            user, _sep, secret = token.partition(":")
            if not user.endswith("/token"):
                user += "/token"
            self.session.auth = (user, secret)
        else:
            self.session.headers["Authorization"] = f"Bearer {token}"

    # Section: HTTP

    def _get(self, path: str, params: dict) -> dict:
        try:
            response = self.session.get(self.base + path, params=params)
        except RequestException as exc:
            raise VendorError(_("Zendesk did not answer: %(error)s") % {"error": exc}) from None
        if response.status_code == 200:
            return response.json()
        try:
            body = response.json()
        except ValueError:
            body = {}
        detail = body.get("error") or body.get("description") or response.reason
        if isinstance(detail, dict):
            detail = detail.get("message") or detail.get("title") or str(detail)
        if response.status_code == 401:
            raise AuthFailed(_("Zendesk: %(detail)s") % {"detail": detail})
        if response.status_code == 429:
            raise RateLimited(_("Zendesk kept answering 429 (rate limited)"))
        raise VendorError(
            _("Zendesk answered %(status)d: %(detail)s") % {"status": response.status_code, "detail": detail}
        )

    # Section: pulls

    def fetch_page(self, object_key: str, *, cursor, since: datetime | None) -> Page:
        path, key = EXPORTS[object_key]
        if cursor is not None:
            params = {"cursor": cursor} if object_key != "organizations" else {"start_time": cursor}
        else:
            params = {"start_time": int(since.timestamp()) if since else 0}
        params["per_page"] = PER_PAGE
        if object_key == "tickets":
            params["include"] = "metric_sets"
        body = self._get(path, params)
        metrics = {m.get("ticket_id"): m for m in body.get("metric_sets") or []}
        records = [self._record(object_key, item, metrics) for item in body.get(key) or []]
        if body.get("end_of_stream"):
            following = None
        elif object_key == "organizations":
            following = body.get("end_time")
        else:
            following = body.get("after_cursor")
        return Page(records=records, cursor=following, total=body.get("count"))

    def fetch_ids(self, object_key: str, ids: list[str]) -> list[RemoteRecord]:
        if object_key == "tickets":
            records = []
            for start in range(0, len(ids), 100):
                body = self._get("/api/v2/tickets/show_many.json", {"ids": ",".join(ids[start : start + 100])})
                tickets = body.get("tickets") or []
                metrics = {}
                for ticket in tickets:
                    metric = self._get(f"/api/v2/tickets/{ticket['id']}/metrics.json", {}).get("ticket_metric")
                    metrics[ticket["id"]] = metric or {}
                records += [self._record("tickets", t, metrics) for t in tickets]
            return records
        body = self._get(SHOW[object_key], {"ids": ",".join(ids)})
        return [self._record(object_key, item, {}) for item in body.get(object_key) or []]

    def push(self, object_key: str, updates: list[tuple[str, dict]]) -> None:
        raise VendorError(_("Zendesk objects are not pushed"))

    def remote_fields(self, object_key: str) -> list[tuple[str, str]]:
        return {
            "organizations": [("name", "name"), ("domain_names", "domain_names"), ("external_id", "external_id")],
            "users": [("name", "name"), ("email", "email"), ("time_zone", "time_zone"), ("locale", "locale")],
            "tickets": [("subject", "subject"), ("priority", "priority"), ("status", "status")],
        }[object_key]

    # Section: records

    @staticmethod
    def _record(object_key: str, item: dict, metrics: dict) -> RemoteRecord:
        fields = dict(item)
        links: dict = {}
        deleted = bool(item.get("deleted_at"))
        if object_key == "organizations":
            domains = item.get("domain_names") or []
            fields["domain"] = domains[0] if domains else ""
        elif object_key == "users":
            links["account"] = str(item["organization_id"]) if item.get("organization_id") else None
            deleted = deleted or item.get("active") is False
        else:
            links["account"] = str(item["organization_id"]) if item.get("organization_id") else None
            links["contact"] = str(item["requester_id"]) if item.get("requester_id") else None
            deleted = item.get("status") == "deleted"
            fields.update(_ticket_fields(item, metrics.get(item["id"]) or {}))
        modified = _time(item.get("updated_at")) or datetime.fromtimestamp(0, tz=UTC)
        return RemoteRecord(id=str(item["id"]), modified_at=modified, fields=fields, links=links, deleted=deleted)
