"""A local HubSpot: CRM API v3 objects (companies, contacts, deals), associations v4, owners,
properties and the OAuth 2 token endpoint, as documented on developers.hubspot.com:

- Objects (v3): `GET /crm/v3/objects/{type}` (limit ≤ 100, `after` paging, `properties`,
  `associations`, `archived`), `POST /crm/v3/objects/{type}/search` (filterGroups with
  GTE / EQ, sorts, `after`; at most 10,000 results per query: "api-reference/crm-search"),
  `POST .../batch/read` and `.../batch/update` (≤ 100 inputs): "guides/crm/understanding-the-crm",
  "api-reference/crm-companies-v3".
- Associations v4: `POST /crm/v4/associations/{from}/{to}/batch/read`; company → company types
  13 (parent to child) and 14 (child to parent), contact → company 1 (primary), deal → company
  5 (primary): "api-reference/crm-associations-v4/guide", changelog 2018-9-11.
- Owners: `GET /crm/v3/owners/` ("api-reference/crm-owners-v3").
- Properties: `GET /crm/v3/properties/{type}` ("api-reference/crm-properties-v3").
- OAuth: authorise page (`/oauth/authorize`, answers at once with a code) and
  `POST /oauth/v1/token` (authorization_code and refresh_token grants; form-encoded):
  "guides/apps/authentication/working-with-oauth".
- Errors: 401 `{"status": "error", "category": "INVALID_AUTHENTICATION" | "EXPIRED_AUTHENTICATION"}`,
  429 `{"status": "error", "errorType": "RATE_LIMIT", "policyName": "SECONDLY", "message": "You
  have reached your secondly limit."}` ("guides/apps/api-usage/usage-details": rate limits).

Merges: the surviving company lists the absorbed ids in `hs_merged_object_ids` ("1;2") and
the absorbed ones are archived, as HubSpot does.
"""

from __future__ import annotations

import bisect
import secrets
import time
from datetime import UTC, datetime
from urllib.parse import urlencode

from .base import FakeServer, Reply

__all__ = ["HubSpotFake"]

TYPES = ("companies", "contacts", "deals")
SYSTEM = ("hs_object_id", "createdate", "hs_lastmodifieddate")
PROPERTIES = {
    "companies": [
        "name",
        "domain",
        "industry",
        "customer_tier",
        "hubspot_owner_id",
        "hs_merged_object_ids",
        "pulse_health_score",
        "pulse_health_band",
        "pulse_churn_risk",
        "pulse_last_nps",
    ],
    "contacts": ["firstname", "lastname", "email", "jobtitle", "hs_language", "hubspot_owner_id"],
    "deals": ["dealname", "amount", "closedate", "dealstage", "pipeline", "dealtype", "hubspot_owner_id"],
}
SEARCH_CAP = 10_000
PRIMARY = {("contacts", "companies"): (1, "Primary"), ("deals", "companies"): (5, "Primary")}


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


class HubSpotFake(FakeServer):
    no_limit_prefixes = ("/oauth/",)

    def __init__(self):
        super().__init__()
        self.records: dict[str, dict[int, dict]] = {t: {} for t in TYPES}
        self.order: dict[str, list[int]] = {t: [] for t in TYPES}
        self.assoc: dict[tuple[str, int], list[tuple[str, int, int, str]]] = {}
        self.owners: list[dict] = []
        self.tokens: set[str] = {"pat-valid"}
        self.expired: set[str] = set()
        self.refresh_tokens: dict[str, str] = {}
        self.codes: dict[str, str] = {}
        self.next_id = 100
        self.clock = int(time.time() * 1000) - 86_400_000
        self.pushed: list[dict] = []
        self._search_cache: dict = {}

    # Section: test-side helpers

    def tick(self, ms: int = 1000) -> int:
        with self.lock:
            self.clock = max(self.clock + ms, int(time.time() * 1000) - 3_600_000)
            return self.clock

    def add(self, object_type: str, properties: dict, *, id: int | None = None, company: int | None = None) -> int:
        with self.lock:
            if id is None:
                self.next_id += 1
                id = self.next_id
            now = self.tick(1)
            self.records[object_type][id] = {
                "id": id,
                "properties": {k: None if v is None else str(v) for k, v in properties.items()},
                "created": now,
                "updated": now,
                "archived": False,
                "archivedAt": None,
            }
            bisect.insort(self.order[object_type], id)
            if company is not None:
                self.associate(object_type, id, "companies", company, *PRIMARY[(object_type, "companies")])
            self._search_cache.clear()
            return id

    def add_many(self, object_type: str, rows: list[tuple[int, dict, int | None]]) -> None:
        """Bulk load for the bench: (id, properties, company id or None); ids ascending."""
        with self.lock:
            now = self.tick(1)
            table, order = self.records[object_type], self.order[object_type]
            pair = PRIMARY.get((object_type, "companies"))
            for i, (id, props, company) in enumerate(rows):
                stamp = now + i  # one millisecond apart, as records made one after another
                table[id] = {
                    "id": id,
                    "properties": props,
                    "created": stamp,
                    "updated": stamp,
                    "archived": False,
                    "archivedAt": None,
                }
                order.append(id)
                if company is not None and pair:
                    self.assoc.setdefault((object_type, id), []).append(("companies", company, *pair))
            order.sort()
            self.clock = now + len(rows)
            self.next_id = max(self.next_id, order[-1] if order else 0)
            self._search_cache.clear()

    def associate(self, from_type, from_id, to_type, to_id, type_id, label=None):
        with self.lock:
            self.assoc.setdefault((from_type, from_id), []).append((to_type, to_id, type_id, label))

    def set_parent(self, child: int, parent: int) -> None:
        self.associate("companies", child, "companies", parent, 14, "Parent Company")
        self.associate("companies", parent, "companies", child, 13, "Child Company")

    def update(self, object_type: str, id: int, properties: dict) -> None:
        with self.lock:
            record = self.records[object_type][id]
            record["properties"].update({k: None if v is None else str(v) for k, v in properties.items()})
            record["updated"] = self.tick(1)
            self._search_cache.clear()

    def archive(self, object_type: str, id: int) -> None:
        with self.lock:
            record = self.records[object_type][id]
            record["archived"], record["archivedAt"] = True, self.tick(1)
            self._search_cache.clear()

    def merge(self, object_type: str, primary: int, merged: int) -> None:
        """HubSpot's merge: the secondary is archived, the primary lists it in hs_merged_object_ids."""
        with self.lock:
            props = self.records[object_type][primary]["properties"]
            ids = [i for i in (props.get("hs_merged_object_ids") or "").split(";") if i]
            self.update(object_type, primary, {"hs_merged_object_ids": ";".join([*ids, str(merged)])})
            self.archive(object_type, merged)

    def add_owner(self, email: str, first: str = "", last: str = "") -> str:
        with self.lock:
            owner_id = str(len(self.owners) + 9000)
            self.owners.append(
                {
                    "id": owner_id,
                    "email": email,
                    "firstName": first,
                    "lastName": last,
                    "userId": int(owner_id) + 1,
                    "createdAt": _iso(self.clock),
                    "updatedAt": _iso(self.clock),
                    "archived": False,
                }
            )
            return owner_id

    def revoke(self, token: str) -> None:
        with self.lock:
            self.tokens.discard(token)

    # Section: HTTP

    def rate_limit_reply(self) -> Reply:
        headers = {"X-HubSpot-RateLimit-Secondly": "10", "X-HubSpot-RateLimit-Secondly-Remaining": "0"}
        if self.retry_after is not None:
            headers["Retry-After"] = self.retry_after
        return Reply(
            429,
            {
                "status": "error",
                "message": "You have reached your secondly limit.",
                "errorType": "RATE_LIMIT",
                "correlationId": secrets.token_hex(8),
                "policyName": "SECONDLY",
                "groupName": "publicapi:private-app",
            },
            headers,
        )

    def _auth(self, headers: dict) -> None:
        value = headers.get("Authorization") or headers.get("authorization") or ""
        token = value.removeprefix("Bearer ").strip()
        if token in self.expired:
            raise Reply(
                401,
                {
                    "status": "error",
                    "message": "The OAuth token used to make this call expired 1 hour(s) ago.",
                    "correlationId": secrets.token_hex(8),
                    "category": "EXPIRED_AUTHENTICATION",
                },
            )
        if token not in self.tokens:
            raise Reply(
                401,
                {
                    "status": "error",
                    "message": "Authentication credentials not found. This API supports OAuth 2.0 authentication.",
                    "correlationId": secrets.token_hex(8),
                    "category": "INVALID_AUTHENTICATION",
                },
            )

    def handle(self, method, path, query, body, headers):
        if path == "/oauth/authorize":
            return self._authorize(query)
        if path == "/oauth/v1/token" and method == "POST":
            return self._token(body or {})
        self._auth(headers)
        parts = [p for p in path.split("/") if p]
        with self.lock:
            if parts[:3] == ["crm", "v3", "owners"]:
                return 200, self._owners(query)
            if parts[:3] == ["crm", "v3", "properties"] and len(parts) == 4:
                names = [*SYSTEM, *PROPERTIES.get(parts[3], [])]
                return 200, {
                    "results": [{"name": n, "label": n.replace("_", " ").title(), "type": "string"} for n in names]
                }
            if parts[:3] == ["crm", "v4", "associations"] and parts[-2:] == ["batch", "read"]:
                return 200, self._assoc_read(parts[3], parts[4], body or {})
            if parts[:3] == ["crm", "v3", "objects"] and len(parts) >= 4 and parts[3] in TYPES:
                object_type = parts[3]
                rest = parts[4:]
                if method == "GET" and not rest:
                    return 200, self._list(object_type, query)
                if method == "POST" and rest == ["search"]:
                    return 200, self._search(object_type, body or {})
                if method == "POST" and rest == ["batch", "read"]:
                    return 200, self._batch_read(object_type, body or {})
                if method == "POST" and rest == ["batch", "update"]:
                    return 200, self._batch_update(object_type, body or {})
        raise Reply(
            404, {"status": "error", "message": f"No route for {method} {path}", "category": "OBJECT_NOT_FOUND"}
        )

    def _authorize(self, query):
        code = secrets.token_urlsafe(12)
        self.codes[code] = query.get("redirect_uri", [""])[0]
        target = query.get("redirect_uri", [""])[0]
        return 302, f"{target}?{urlencode({'code': code, 'state': query.get('state', [''])[0]})}"

    def _token(self, form):
        grant = form.get("grant_type")
        if grant == "authorization_code":
            if form.get("code") not in self.codes:
                raise Reply(400, {"status": "BAD_AUTH_CODE", "message": "missing or unknown auth code"})
            self.codes.pop(form["code"])
        elif grant == "refresh_token":
            if form.get("refresh_token") not in self.refresh_tokens:
                raise Reply(400, {"status": "BAD_REFRESH_TOKEN", "message": "missing or unknown refresh token"})
        else:
            raise Reply(400, {"status": "BAD_GRANT_TYPE", "message": "unknown grant_type"})
        access, refresh = "oauth-" + secrets.token_urlsafe(12), form.get("refresh_token") or secrets.token_urlsafe(12)
        self.tokens.add(access)
        self.refresh_tokens[refresh] = access
        return 200, {"token_type": "bearer", "access_token": access, "refresh_token": refresh, "expires_in": 1800}

    def _owners(self, query):
        limit = min(int(query.get("limit", ["100"])[0] or 100), 500)
        after = int(query.get("after", ["0"])[0] or 0)
        page = self.owners[after : after + limit]
        out = {"results": page}
        if after + limit < len(self.owners):
            out["paging"] = {"next": {"after": str(after + limit)}}
        return out

    def _public(self, object_type, record, properties, associations=()):
        props = {k: record["properties"].get(k) for k in properties if k in record["properties"]}
        props.update(
            hs_object_id=str(record["id"]),
            createdate=_iso(record["created"]),
            hs_lastmodifieddate=_iso(record["updated"]),
        )
        out = {
            "id": str(record["id"]),
            "properties": props,
            "createdAt": _iso(record["created"]),
            "updatedAt": _iso(record["updated"]),
            "archived": record["archived"],
        }
        if record["archived"]:
            out["archivedAt"] = _iso(record["archivedAt"])
        assoc = {}
        for to_type in associations:
            found = [
                {"id": str(to_id), "type": f"{object_type[:-1]}_to_{to_type[:-1]}"}
                for t, to_id, _type_id, _label in self.assoc.get((object_type, record["id"]), [])
                if t == to_type
            ]
            if found:
                assoc[to_type] = {"results": found}
        if assoc:
            out["associations"] = assoc
        return out

    @staticmethod
    def _multi(query, name) -> list[str]:
        values = []
        for value in query.get(name, []):
            values.extend(v for v in value.split(",") if v)
        return values

    def _list(self, object_type, query):
        limit = min(int(query.get("limit", ["10"])[0] or 10), 100)
        after = int(query.get("after", ["0"])[0] or 0)
        archived = query.get("archived", ["false"])[0].lower() == "true"
        properties = self._multi(query, "properties") or PROPERTIES[object_type][:3]
        associations = self._multi(query, "associations")
        order, table = self.order[object_type], self.records[object_type]
        start = bisect.bisect_right(order, after)
        results = []
        i = start
        while i < len(order) and len(results) < limit:
            record = table[order[i]]
            if record["archived"] == archived:
                results.append(self._public(object_type, record, properties, associations))
            i += 1
        out = {"results": results}
        if i < len(order) and results:
            out["paging"] = {"next": {"after": results[-1]["id"], "link": f"?after={results[-1]['id']}"}}
        return out

    def _matches(self, record, filters) -> bool:
        for f in filters:
            name, op, value = f.get("propertyName"), f.get("operator"), f.get("value")
            if name == "hs_lastmodifieddate":
                have = record["updated"]
                want = int(value)
            else:
                have, want = record["properties"].get(name), value
            if op == "GTE" and not have >= want:
                return False
            if op == "GT" and not have > want:
                return False
            if op == "EQ" and have != want:
                return False
        return True

    def _search(self, object_type, body):
        limit = min(int(body.get("limit") or 10), 200)
        after = int(body.get("after") or 0)
        if after + limit > SEARCH_CAP:
            raise Reply(
                400,
                {"status": "error", "message": "Search results are limited to 10,000.", "category": "VALIDATION_ERROR"},
            )
        groups = body.get("filterGroups") or [{"filters": []}]
        key = (object_type, repr(groups))
        hits = self._search_cache.get(key)
        if hits is None:
            table = self.records[object_type]
            hits = [
                r
                for r in table.values()
                if not r["archived"] and any(self._matches(r, g.get("filters", [])) for g in groups)
            ]
            hits.sort(key=lambda r: (r["updated"], r["id"]))
            self._search_cache[key] = hits
        properties = body.get("properties") or PROPERTIES[object_type][:3]
        page = [self._public(object_type, r, properties) for r in hits[after : after + limit]]
        out = {"total": len(hits), "results": page}
        if after + limit < len(hits):
            out["paging"] = {"next": {"after": str(after + limit)}}
        return out

    def _batch_read(self, object_type, body):
        table = self.records[object_type]
        properties = body.get("properties") or PROPERTIES[object_type][:3]
        results = [
            self._public(object_type, table[int(i["id"])], properties)
            for i in body.get("inputs", [])
            if int(i["id"]) in table and not table[int(i["id"])]["archived"]
        ]
        return {"status": "COMPLETE", "results": results}

    def _batch_update(self, object_type, body):
        inputs = body.get("inputs", [])
        if len(inputs) > 100:
            raise Reply(
                400, {"status": "error", "message": "Batch size is limited to 100.", "category": "VALIDATION_ERROR"}
            )
        table = self.records[object_type]
        results = []
        for item in inputs:
            record = table.get(int(item["id"]))
            if record is None:
                raise Reply(
                    404,
                    {"status": "error", "message": f"Object {item['id']} not found", "category": "OBJECT_NOT_FOUND"},
                )
            self.pushed.append({"id": item["id"], "properties": dict(item.get("properties", {}))})
            record["properties"].update(
                {k: None if v is None else str(v) for k, v in item.get("properties", {}).items()}
            )
            record["updated"] = self.tick(1)
            results.append(self._public(object_type, record, list(item.get("properties", {}))))
        self._search_cache.clear()
        return {"status": "COMPLETE", "results": results}

    def _assoc_read(self, from_type, to_type, body):
        results = []
        for item in body.get("inputs", []):
            from_id = int(item["id"])
            to = [
                {
                    "toObjectId": to_id,
                    "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": label}],
                }
                for t, to_id, type_id, label in self.assoc.get((from_type, from_id), [])
                if t == to_type
            ]
            if to:
                results.append({"from": {"id": str(from_id)}, "to": to})
        return {"status": "COMPLETE", "results": results}
