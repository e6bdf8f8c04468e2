"""HubSpot CRM v3 through `hubspot-api-client` (its generated APIs with our retry policy; raw
JSON read with orjson, `_preload_content=False`, so a page of 100 records costs no model
objects).

Pulls: owners (`/crm/v3/owners/`), then companies, contacts and deals. A full pull pages the
list endpoint (`after`); an incremental one the search endpoint on `hs_lastmodifieddate` ≥
the mark, ascending, and restarts the query from the last modified time when it reaches
search's 10,000-result cap; then the archived list for records deleted or merged away since
the mark. Associations (parent company: type 14 "child to parent"; a contact's or deal's
company) come from associations v4 batch reads, one per page. Deals are those of
`options["pipeline"]` when set. Push: companies batch update (≤ 100).

OAuth connections refresh their access token on a 401 once (the refresh token is stored
encrypted); a refused refresh or a revoked private-app token is `AuthFailed`."""

from __future__ import annotations

from datetime import datetime

import orjson
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from hubspot import Client
from urllib3.exceptions import HTTPError

from ...http import retry_policy
from ...models import Connection
from ...registry import AuthFailed, Page, RateLimited, RemoteRecord, VendorError

__all__ = ["HubSpotClient", "OBJECT_TYPES"]

OBJECT_TYPES = {"companies": "companies", "contacts": "contacts", "deals": "deals"}
PAGE = 100
SEARCH_CAP = 10_000
ALWAYS = {
    "companies": ["name", "hubspot_owner_id", "hs_merged_object_ids", "hs_lastmodifieddate"],
    "contacts": ["hubspot_owner_id", "hs_lastmodifieddate"],
    "deals": ["pipeline", "hubspot_owner_id", "hs_lastmodifieddate"],
}
CHILD_TO_PARENT = 14


def _ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


class HubSpotClient:
    def __init__(self, connection: Connection):
        self.connection = connection
        self._build()

    def _build(self) -> None:
        creds = self.connection.credentials
        token = creds.get("access_token") or creds.get("token") or ""
        client = Client.create(access_token=token, retry=retry_policy(), host=self.connection.base_url)
        self.objects = client.crm.objects
        self.basic, self.search, self.batch = (
            self.objects.basic_api,
            self.objects.search_api,
            self.objects.batch_api,
        )
        self.owners_api = client.crm.owners.owners_api
        self.assoc_api = client.crm.associations.v4.batch_api
        self.properties_api = client.crm.properties.core_api

    # Section: calls and errors

    def _call(self, fn, *args, _refreshed: bool = False, **kwargs) -> dict:
        try:
            response = fn(*args, _preload_content=False, **kwargs)
        except HTTPError as exc:
            raise VendorError(_("HubSpot did not answer: %(error)s") % {"error": exc}) from None
        except Exception as exc:
            status = getattr(exc, "status", None)
            if status is None or not type(exc).__module__.startswith("hubspot."):
                raise
            body = getattr(exc, "body", None) or b""
            try:
                detail = orjson.loads(body)
            except orjson.JSONDecodeError:
                detail = {}
            message = detail.get("message") or str(getattr(exc, "reason", "")) or str(status)
            if status == 401:
                if not _refreshed and self._refresh():
                    bound = getattr(fn, "__name__", "")
                    fn = getattr(self._api_of(fn), bound)
                    return self._call(fn, *args, _refreshed=True, **kwargs)
                raise AuthFailed(f"HubSpot: {message}") from None
            if status == 429:
                raise RateLimited(
                    _("HubSpot kept answering 429 (rate limit): %(message)s") % {"message": message}
                ) from None
            raise VendorError(f"HubSpot {status}: {message}") from None
        return orjson.loads(response.data)

    def _api_of(self, fn):
        owner = fn.__self__
        for api in (self.basic, self.search, self.batch, self.owners_api, self.assoc_api, self.properties_api):
            if type(api) is type(owner):
                return api
        return owner

    def _refresh(self) -> bool:
        """OAuth: a new access token from the refresh token (stored encrypted), then rebuild."""
        from ...oauth import oauth_refresh

        if not self.connection.credentials.get("refresh_token"):
            return False
        oauth_refresh(connection=self.connection)
        self._build()
        return True

    # Section: reading

    def _properties(self, object_key: str) -> list[str]:
        """The properties to ask for: the mapped ones (read once per client, i.e. per run)."""
        cache = self.__dict__.setdefault("_property_cache", {})
        if object_key not in cache:
            mapped = {m.remote_field for m in self.connection.mappings.all() if m.object_key == object_key}
            cache[object_key] = sorted(mapped | set(ALWAYS.get(object_key, [])))
        return cache[object_key]

    def _associations(self, from_type: str, to_type: str, ids: list[str]) -> dict[str, list[tuple[str, int]]]:
        if not ids:
            return {}
        data = self._call(self.assoc_api.get_page, from_type, to_type, {"inputs": [{"id": i} for i in ids]})
        out: dict[str, list[tuple[str, int]]] = {}
        for result in data.get("results", []):
            out[str(result["from"]["id"])] = [
                (str(to["toObjectId"]), t.get("typeId")) for to in result.get("to", []) for t in to["associationTypes"]
            ]
        return out

    def _records(self, object_key: str, results: list[dict]) -> list[RemoteRecord]:
        ids = [r["id"] for r in results if not r.get("archived")]
        links: dict[str, dict] = {i: {} for i in ids}
        if object_key == "companies":
            for cid, pairs in self._associations("companies", "companies", ids).items():
                parent = next((to for to, type_id in pairs if type_id == CHILD_TO_PARENT), None)
                links[cid]["parent"] = parent
        elif object_key in ("contacts", "deals"):
            for rid, pairs in self._associations(object_key, "companies", ids).items():
                links[rid]["account"] = pairs[0][0] if pairs else None
        pipeline = self.connection.options.get("pipeline")
        records = []
        for result in results:
            props = result.get("properties") or {}
            if object_key == "deals" and pipeline and props.get("pipeline") not in (None, str(pipeline)):
                continue
            modified = parse_datetime(props.get("hs_lastmodifieddate") or result.get("updatedAt") or "")
            link = links.get(result["id"], {})
            if props.get("hubspot_owner_id"):
                link["owner"] = props["hubspot_owner_id"]
            records.append(
                RemoteRecord(
                    id=str(result["id"]),
                    modified_at=modified,
                    fields=props,
                    links=link,
                    deleted=bool(result.get("archived")),
                    merged_ids=[i for i in (props.get("hs_merged_object_ids") or "").split(";") if i],
                )
            )
        return records

    def fetch_page(self, object_key: str, *, cursor, since: datetime | None) -> Page:
        if object_key == "owners":
            data = self._call(self.owners_api.get_page, limit=PAGE, after=cursor)
            records = [
                RemoteRecord(id=str(o["id"]), modified_at=parse_datetime(o.get("updatedAt") or ""), fields=o)
                for o in data.get("results", [])
            ]
            return Page(records=records, cursor=((data.get("paging") or {}).get("next") or {}).get("after"))
        object_type = OBJECT_TYPES[object_key]
        state = dict(cursor or {"mode": "list" if since is None else "search", "after": None})
        if since is not None and "since_ms" not in state:
            state["since_ms"] = _ms(since)
        properties = self._properties(object_key)
        total = None
        if state["mode"] == "list":
            data = self._call(
                self.basic.get_page,
                object_type,
                limit=PAGE,
                after=state["after"],
                properties=properties,
                archived=False,
            )
            results = data.get("results", [])
            after = ((data.get("paging") or {}).get("next") or {}).get("after")
            nxt = {**state, "after": after} if after else None
        elif state["mode"] == "search":
            filters = [{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": str(state["since_ms"])}]
            if object_key == "deals" and self.connection.options.get("pipeline"):
                filters.append(
                    {"propertyName": "pipeline", "operator": "EQ", "value": str(self.connection.options["pipeline"])}
                )
            body = {
                "filterGroups": [{"filters": filters}],
                "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
                "properties": properties,
                "limit": PAGE,
            }
            if state["after"]:
                body["after"] = state["after"]
            data = self._call(self.search.do_search, object_type, body)
            results, total = data.get("results", []), data.get("total")
            after = ((data.get("paging") or {}).get("next") or {}).get("after")
            if after and int(after) + PAGE > SEARCH_CAP and results:  # the cap: query again from here
                last = parse_datetime(results[-1]["properties"]["hs_lastmodifieddate"])
                nxt = {**state, "after": None, "since_ms": _ms(last)}
            elif after:
                nxt = {**state, "after": after}
            else:  # then what was archived (deleted or merged away) since the mark
                nxt = {**state, "mode": "archived", "after": None}
        else:
            data = self._call(
                self.basic.get_page, object_type, limit=PAGE, after=state["after"], properties=properties, archived=True
            )
            since_ms = state.get("since_ms") or 0
            results = [
                r
                for r in data.get("results", [])
                if not r.get("archivedAt") or _ms(parse_datetime(r["archivedAt"])) >= since_ms
            ]
            after = ((data.get("paging") or {}).get("next") or {}).get("after")
            nxt = {**state, "after": after} if after else None
        return Page(records=self._records(object_key, results), cursor=nxt, total=total)

    def sample(self, object_key: str, size: int, *, fields: list[str]) -> list[RemoteRecord]:
        """The first `size` records with `fields` (the mapping page's preview)."""
        if object_key == "owners":
            return self.fetch_page(object_key, cursor=None, since=None).records[:size]
        properties = sorted(set(fields) | set(ALWAYS.get(object_key, [])))
        data = self._call(self.basic.get_page, OBJECT_TYPES[object_key], limit=size, properties=properties)
        return self._records(object_key, data.get("results", []))

    def fetch_ids(self, object_key: str, ids: list[str]) -> list[RemoteRecord]:
        if object_key == "owners":
            return []
        records = []
        for start in range(0, len(ids), PAGE):
            body = {
                "inputs": [{"id": i} for i in ids[start : start + PAGE]],
                "properties": self._properties(object_key),
            }
            data = self._call(self.batch.read, OBJECT_TYPES[object_key], body)
            records.extend(self._records(object_key, data.get("results", [])))
        return records

    # Section: writing and schema

    def push(self, object_key: str, updates: list[tuple[str, dict]]) -> None:
        for start in range(0, len(updates), PAGE):
            inputs = [
                {"id": rid, "properties": {k: "" if v is None else str(v) for k, v in values.items()}}
                for rid, values in updates[start : start + PAGE]
            ]
            self._call(self.batch.update, OBJECT_TYPES[object_key], {"inputs": inputs})

    def remote_fields(self, object_key: str) -> list[tuple[str, str]]:
        if object_key == "owners":
            return [("email", "Email"), ("firstName", "First name"), ("lastName", "Last name")]
        data = self._call(self.properties_api.get_all, OBJECT_TYPES[object_key])
        return sorted((p["name"], p.get("label") or p["name"]) for p in data.get("results", []))
