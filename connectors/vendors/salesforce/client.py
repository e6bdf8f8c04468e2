"""Salesforce through `simple-salesforce` (REST API v59.0 and Bulk API 2.0, our retry policy
on its requests session).

A first load (no modified-since mark) is a Bulk API 2.0 query job per object, read in CSV
pages by locator (the cursor keeps the job id and locator, so a crash resumes in the same
job); an incremental pull is a REST SOQL query on `SystemModstamp` ≥ the mark (ordered by
it), batches by `nextRecordsUrl`, then a `queryAll` for records deleted or merged away since
the mark (`IsDeleted`, `MasterRecordId`). Push: sObject Collections update (≤ 200) of the
Account fields the mappings name (e.g. `Health_Score__c`).

Errors: an expired session is refreshed once with the stored refresh token (OAuth); a refused
refresh or an invalid token is `AuthFailed`; REQUEST_LIMIT_EXCEEDED (the org's API limit, 403)
is `RateLimited`."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime

import requests
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError, SalesforceExpiredSession

from ...http import http_session
from ...models import Connection
from ...registry import AuthFailed, Page, RateLimited, RemoteRecord, VendorError

__all__ = ["SOBJECTS", "SalesforceClient"]

VERSION = "59.0"
SOBJECTS = {"users": "User", "accounts": "Account", "contacts": "Contact", "opportunities": "Opportunity"}
ALWAYS = {
    "users": ["Id", "SystemModstamp", "Email"],
    "accounts": ["Id", "SystemModstamp", "Name", "ParentId", "OwnerId"],
    "contacts": ["Id", "SystemModstamp", "AccountId", "OwnerId"],
    "opportunities": ["Id", "SystemModstamp", "AccountId", "OwnerId"],
}
MERGEABLE = {"accounts", "contacts"}
BULK_PAGE = 50_000
PUSH_BATCH = 200


def _soql_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class SalesforceClient:
    def __init__(self, connection: Connection):
        self.connection = connection
        self._build()

    def _build(self) -> None:
        creds = self.connection.credentials
        session = http_session()
        self.sf = Salesforce(
            instance_url=creds.get("instance_url") or self.connection.base_url,
            session_id=creds.get("access_token") or creds.get("token") or "",
            version=VERSION,
            session=session,
        )

    # Section: calls and errors

    def _call(self, fn, *args, _refreshed: bool = False, **kwargs):
        try:
            return fn(self.sf)(*args, **kwargs)
        except SalesforceExpiredSession as exc:
            if not _refreshed and self._refresh():
                return self._call(fn, *args, _refreshed=True, **kwargs)
            raise AuthFailed(f"Salesforce: {self._message(exc)}") from None
        except SalesforceError as exc:
            message = self._message(exc)
            if "REQUEST_LIMIT_EXCEEDED" in str(exc.content):
                raise RateLimited(
                    _("Salesforce refused: the org's API request limit is reached (%(message)s)") % {"message": message}
                ) from None
            raise VendorError(f"Salesforce {exc.status}: {message}") from None
        except requests.RequestException as exc:
            raise VendorError(_("Salesforce did not answer: %(error)s") % {"error": exc}) from None

    @staticmethod
    def _message(exc: SalesforceError) -> str:
        content = exc.content
        if isinstance(content, list) and content and isinstance(content[0], dict):
            return "; ".join(f"{c.get('errorCode')}: {c.get('message')}" for c in content)
        return str(content)

    def _refresh(self) -> bool:
        from ...oauth import oauth_refresh

        if not self.connection.credentials.get("refresh_token"):
            return False
        oauth_refresh(connection=self.connection)
        self._build()
        return True

    # Section: reading

    def _fields(self, object_key: str) -> list[str]:
        """The fields to select: the mapped ones (read once per client, i.e. per run)."""
        cache = self.__dict__.setdefault("_field_cache", {})
        if object_key not in cache:
            mapped = {m.remote_field for m in self.connection.mappings.all() if m.object_key == object_key}
            cache[object_key] = list(dict.fromkeys([*ALWAYS[object_key], *sorted(mapped)]))
        return cache[object_key]

    def _record(self, object_key: str, row: dict) -> RemoteRecord:
        row = {k: (None if v == "" else v) for k, v in row.items() if k != "attributes"}
        links = {}
        if row.get("ParentId"):
            links["parent"] = row["ParentId"]
        if row.get("AccountId"):
            links["account"] = row["AccountId"]
        if row.get("OwnerId"):
            links["owner"] = row["OwnerId"]
        deleted = row.get("IsDeleted") in (True, "true")
        return RemoteRecord(
            id=row["Id"],
            modified_at=parse_datetime(row.get("SystemModstamp") or ""),
            fields=row,
            links=links,
            deleted=deleted and not row.get("MasterRecordId"),
            merged_into=row.get("MasterRecordId") if deleted else None,
        )

    def _bulk_page(self, object_key: str, state: dict) -> tuple[list[dict], dict | None]:
        bulk = getattr(self.sf.bulk2, SOBJECTS[object_key])._client
        if not state.get("job"):
            soql = f"SELECT {', '.join(self._fields(object_key))} FROM {SOBJECTS[object_key]}"
            job = self._call(lambda sf: bulk.create_job, "query", query=soql)
            state = {**state, "job": job["id"], "locator": ""}
            for _attempt in range(600):
                info = self._call(lambda sf: bulk.get_job, state["job"], True)
                if info["state"] == "JobComplete":
                    break
                if info["state"] in ("Failed", "Aborted"):
                    raise VendorError(
                        _("Salesforce's bulk query failed: %(message)s") % {"message": info.get("errorMessage", "")}
                    )
                time.sleep(0.5)
        result = self._call(lambda sf: bulk.get_query_results, state["job"], state.get("locator") or "", BULK_PAGE)
        rows = list(csv.DictReader(io.StringIO(result["records"])))
        nxt = {**state, "locator": result["locator"]} if result["locator"] else None
        return rows, nxt

    def fetch_page(self, object_key: str, *, cursor, since: datetime | None) -> Page:
        state = dict(cursor or {"mode": "bulk" if since is None else "rest"})
        sobject = SOBJECTS[object_key]
        total = None
        if state["mode"] == "bulk":
            rows, nxt = self._bulk_page(object_key, state)
        elif state["mode"] == "rest":
            if state.get("next"):
                data = self._call(lambda sf: sf.query_more, state["next"], identifier_is_url=True)
            else:
                soql = (
                    f"SELECT {', '.join(self._fields(object_key))} FROM {sobject} "
                    f"WHERE SystemModstamp >= {_soql_time(since)} ORDER BY SystemModstamp, Id"
                )
                data = self._call(lambda sf: sf.query, soql)
                total = data.get("totalSize")
            rows = data.get("records", [])
            if data.get("nextRecordsUrl"):
                nxt = {**state, "next": data["nextRecordsUrl"]}
            else:
                nxt = {"mode": "deleted", "since": _soql_time(since)}
        else:
            if state.get("next"):
                data = self._call(lambda sf: sf.query_more, state["next"], identifier_is_url=True, include_deleted=True)
            else:
                extra = ", MasterRecordId" if object_key in MERGEABLE else ""
                soql = (
                    f"SELECT Id, IsDeleted, SystemModstamp{extra} FROM {sobject} "
                    f"WHERE IsDeleted = true AND SystemModstamp >= {state['since']}"
                )
                data = self._call(lambda sf: sf.query, soql, include_deleted=True)
            rows = data.get("records", [])
            nxt = {**state, "next": data["nextRecordsUrl"]} if data.get("nextRecordsUrl") else None
        return Page(records=[self._record(object_key, r) for r in rows], cursor=nxt, total=total)

    def sample(self, object_key: str, size: int, *, fields: list[str]) -> list[RemoteRecord]:
        """The `size` records changed last, with `fields` (the mapping page's preview)."""
        names = list(dict.fromkeys([*ALWAYS[object_key], *fields]))
        soql = f"SELECT {', '.join(names)} FROM {SOBJECTS[object_key]} ORDER BY SystemModstamp DESC LIMIT {int(size)}"
        data = self._call(lambda sf: sf.query, soql)
        return [self._record(object_key, r) for r in data.get("records", [])]

    def fetch_ids(self, object_key: str, ids: list[str]) -> list[RemoteRecord]:
        records = []
        for start in range(0, len(ids), 200):
            quoted = ", ".join("'" + i.replace("'", "") + "'" for i in ids[start : start + 200])
            soql = f"SELECT {', '.join(self._fields(object_key))} FROM {SOBJECTS[object_key]} WHERE Id IN ({quoted})"
            data = self._call(lambda sf: sf.query, soql)
            records.extend(self._record(object_key, r) for r in data.get("records", []))
        return records

    # Section: writing and schema

    def push(self, object_key: str, updates: list[tuple[str, dict]]) -> None:
        sobject = SOBJECTS[object_key]
        for start in range(0, len(updates), PUSH_BATCH):
            body = {
                "allOrNone": False,
                "records": [
                    {"attributes": {"type": sobject}, "id": rid, **values}
                    for rid, values in updates[start : start + PUSH_BATCH]
                ],
            }
            results = self._call(lambda sf: sf.restful, "composite/sobjects", method="PATCH", json=body) or []
            refused = [r for r in results if not r.get("success")]
            if refused:
                first = refused[0]["errors"][0] if refused[0].get("errors") else {}
                raise VendorError(
                    _("Salesforce refused %(count)d updates, e.g. %(id)s: %(message)s")
                    % {"count": len(refused), "id": refused[0].get("id"), "message": first.get("message", "")}
                )

    def remote_fields(self, object_key: str) -> list[tuple[str, str]]:
        data = self._call(lambda sf: getattr(sf, SOBJECTS[object_key]).describe)
        return sorted((f["name"], f.get("label") or f["name"]) for f in data.get("fields", []))
