"""A local Salesforce org: REST API v59.0 and Bulk API 2.0 query jobs, as documented on
developer.salesforce.com (served over https with a throwaway certificate, since
simple-salesforce speaks only https):

- REST ("api_rest", v59.0): `GET /services/data/v59.0/query?q=` and `/queryAll?q=` (deleted and
  merged records: `IsDeleted`, `MasterRecordId`), batches with `nextRecordsUrl`
  (`/services/data/v59.0/query/<locator>`), `GET /sobjects/<type>/describe/`,
  `PATCH /composite/sobjects` (sObject Collections update, ≤ 200 records, `allOrNone`).
  A SOQL subset: `SELECT f, ... FROM T [WHERE a >= datetime AND b = true AND Id IN ('x')]
  [ORDER BY f, ...] [LIMIT n]`.
- Bulk API 2.0 ("api_asynch", "Query Jobs"): `POST /services/data/v59.0/jobs/query`,
  `GET /jobs/query/<id>` (state JobComplete), `GET /jobs/query/<id>/results?maxRecords=&locator=`
  (CSV, headers `Sforce-Locator` ("null" on the last page) and `Sforce-NumberOfRecords`).
- OAuth 2.0 web server flow with PKCE ("remoteaccess_oauth_web_server_flow"):
  `/services/oauth2/authorize` (answers at once with a code), `POST /services/oauth2/token`
  (authorization_code with code_verifier, refresh_token); the token answer names `instance_url`.
- Errors: 401 `[{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]`;
  the org's API request limit: 403 `[{"message": "TotalRequests Limit exceeded.", "errorCode":
  "REQUEST_LIMIT_EXCEEDED"}]` ("salesforce_app_limits_cheatsheet": API request limits).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
import secrets
import time
from datetime import UTC, datetime
from urllib.parse import urlencode

from .base import FakeServer, Reply

__all__ = ["SalesforceFake"]

VERSION = "v59.0"
PREFIX = {"Account": "001", "Contact": "003", "Opportunity": "006", "User": "005"}
FIELDS = {
    "Account": ["Name", "Website", "Industry", "Type", "ParentId", "OwnerId"],
    "Contact": ["FirstName", "LastName", "Email", "Title", "AccountId", "OwnerId"],
    "Opportunity": ["Name", "Amount", "CloseDate", "StageName", "Type", "AccountId", "OwnerId"],
    "User": ["Email", "FirstName", "LastName", "IsActive"],
}
MERGEABLE = {"Account", "Contact"}
SOQL = re.compile(
    r"^\s*SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<object>\w+)"
    r"(?:\s+WHERE\s+(?P<where>.+?))?(?:\s+ORDER\s+BY\s+(?P<order>.+?))?(?:\s+LIMIT\s+(?P<limit>\d+))?\s*$",
    re.IGNORECASE | re.DOTALL,
)
CONDITION = re.compile(r"^\s*(\w+)\s*(>=|<=|>|<|=|!=|IN)\s*(.+?)\s*$", re.IGNORECASE)


def _stamp(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}+0000"


def _literal(text: str):
    text = text.strip()
    if text.startswith("("):
        return [_literal(v) for v in re.findall(r"'(?:[^'\\]|\\.)*'|[^,()\s]+", text)]
    if text.startswith("'"):
        return text[1:-1].replace("\\'", "'")
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if text.lower() == "null":
        return None
    if re.match(r"^\d{4}-\d{2}-\d{2}T", text):
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    return text


class SalesforceFake(FakeServer):
    no_limit_prefixes = ("/services/oauth2/",)

    def __init__(self):
        super().__init__(tls=True)
        self.records: dict[str, dict[str, dict]] = {t: {} for t in PREFIX}
        self.tokens: set[str] = {"sf-valid"}
        self.refresh_tokens: dict[str, str] = {}
        self.codes: dict[str, dict] = {}
        self.cursors: dict[str, list] = {}
        self.jobs: dict[str, list] = {}
        self.batch_size = 2000
        self.serial = 0
        self.clock = int(time.time() * 1000) - 86_400_000
        self.updates: list[dict] = []

    # Section: test-side helpers

    def tick(self, ms: int = 1) -> int:
        with self.lock:
            self.clock = max(self.clock + ms, int(time.time() * 1000) - 3_600_000)
            return self.clock

    def add(self, sobject: str, fields: dict) -> str:
        with self.lock:
            self.serial += 1
            record_id = f"{PREFIX[sobject]}{self.serial:012d}AAA"
            self.records[sobject][record_id] = {
                "Id": record_id,
                **{f: None for f in FIELDS[sobject]},
                **fields,
                "IsDeleted": False,
                "MasterRecordId": None,
                "_modified": self.tick(),
            }
            return record_id

    def update(self, sobject: str, record_id: str, fields: dict) -> None:
        with self.lock:
            record = self.records[sobject][record_id]
            record.update(fields)
            record["_modified"] = self.tick()

    def delete(self, sobject: str, record_id: str, *, merged_into: str | None = None) -> None:
        self.update(sobject, record_id, {"IsDeleted": True, "MasterRecordId": merged_into})

    # Section: SOQL

    def _rows(self, soql: str, *, include_deleted: bool) -> tuple[str, list[str], list[dict]]:
        match = SOQL.match(soql)
        if not match:
            raise Reply(400, [{"message": f"unexpected token: {soql[:40]}", "errorCode": "MALFORMED_QUERY"}])
        sobject = match["object"]
        if sobject not in self.records:
            raise Reply(400, [{"message": f"sObject type '{sobject}' is not supported.", "errorCode": "INVALID_TYPE"}])
        fields = [f.strip() for f in match["fields"].split(",")]
        known = {"Id", "SystemModstamp", "IsDeleted", *FIELDS[sobject]} | (
            {"MasterRecordId"} if sobject in MERGEABLE else set()
        )
        for name in fields:
            if name not in known and not name.endswith("__c"):
                raise Reply(
                    400,
                    [{"message": f"No such column '{name}' on entity '{sobject}'.", "errorCode": "INVALID_FIELD"}],
                )
        conditions = []
        for part in re.split(r"\s+AND\s+", match["where"] or "", flags=re.IGNORECASE):
            if part.strip():
                cond = CONDITION.match(part)
                if not cond:
                    raise Reply(400, [{"message": f"unexpected token: {part}", "errorCode": "MALFORMED_QUERY"}])
                conditions.append((cond[1], cond[2].upper(), _literal(cond[3])))
        rows = []
        for record in self.records[sobject].values():
            if record["IsDeleted"] and not include_deleted:
                continue
            view = {**record, "SystemModstamp": datetime.fromtimestamp(record["_modified"] / 1000, tz=UTC)}
            if all(self._holds(view.get(f), op, v) for f, op, v in conditions):
                rows.append(record)
        order = [o.strip().split()[0] for o in (match["order"] or "").split(",") if o.strip()]
        if order:
            rows.sort(
                key=lambda r: tuple((r["_modified"] if f == "SystemModstamp" else (r.get(f) or "")) for f in order)
            )
        if match["limit"]:
            rows = rows[: int(match["limit"])]
        return sobject, fields, rows

    @staticmethod
    def _holds(have, op, want) -> bool:
        if op == "IN":
            return have in want
        if op in ("=", "!="):
            return (have == want) == (op == "=")
        if have is None:
            return False
        return {">=": have >= want, ">": have > want, "<=": have <= want, "<": have < want}[op]

    def _out(self, sobject, fields, record) -> dict:
        out = {"attributes": {"type": sobject, "url": f"/services/data/{VERSION}/sobjects/{sobject}/{record['Id']}"}}
        for name in fields:
            out[name] = _stamp(record["_modified"]) if name == "SystemModstamp" else record.get(name)
        return out

    def _batch(self, key: str, offset: int) -> dict:
        sobject, fields, rows = self.cursors[key]
        page = rows[offset : offset + self.batch_size]
        out = {"totalSize": len(rows), "done": offset + self.batch_size >= len(rows)}
        out["records"] = [self._out(sobject, fields, r) for r in page]
        if not out["done"]:
            out["nextRecordsUrl"] = f"/services/data/{VERSION}/query/{key}-{offset + self.batch_size}"
        return out

    # Section: HTTP

    def rate_limit_reply(self) -> Reply:
        return Reply(403, [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}])

    def _auth(self, headers):
        token = (headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        if token not in self.tokens:
            raise Reply(401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])

    def revoke(self, token: str) -> None:
        with self.lock:
            self.tokens.discard(token)

    def handle(self, method, path, query, body, headers):
        if path == "/services/oauth2/authorize":
            return self._authorize(query)
        if path == "/services/oauth2/token" and method == "POST":
            return self._token(body or {})
        self._auth(headers)
        base = f"/services/data/{VERSION}"
        if not path.startswith(base):
            raise Reply(404, [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}])
        rest = path[len(base) :].rstrip("/")
        with self.lock:
            if rest in ("/query", "/queryAll") and method == "GET":
                key = f"01g{secrets.token_hex(6)}"
                self.cursors[key] = self._rows(query.get("q", [""])[0], include_deleted=rest == "/queryAll")
                return 200, self._batch(key, 0)
            if rest.startswith("/query/") and method == "GET":
                key, _sep, offset = rest.removeprefix("/query/").rpartition("-")
                if key not in self.cursors:
                    raise Reply(400, [{"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}])
                return 200, self._batch(key, int(offset))
            if rest == "/composite/sobjects" and method == "PATCH":
                return 200, self._collections_update(body or {})
            match = re.fullmatch(r"/sobjects/(\w+)/describe", rest)
            if match and match[1] in FIELDS:
                names = ["Id", "SystemModstamp", *FIELDS[match[1]]]
                return 200, {"name": match[1], "fields": [{"name": n, "label": n, "type": "string"} for n in names]}
            if rest == "/jobs/query" and method == "POST":
                return 200, self._job_create(body or {})
            match = re.fullmatch(r"/jobs/query/(\w+)(/results)?", rest)
            if match and match[1] in self.jobs:
                if match[2]:
                    return self._job_results(match[1], query)
                sobject, _fields, rows = self.jobs[match[1]]
                return 200, {
                    "id": match[1],
                    "operation": "query",
                    "object": sobject,
                    "state": "JobComplete",
                    "numberRecordsProcessed": len(rows),
                    "apiVersion": 59.0,
                }
        raise Reply(404, [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}])

    def _collections_update(self, body):
        records = body.get("records") or []
        if len(records) > 200:
            raise Reply(400, [{"message": "Maximum 200 records", "errorCode": "EXCEEDED_ID_LIMIT"}])
        out = []
        for item in records:
            sobject = (item.get("attributes") or {}).get("type")
            record = self.records.get(sobject, {}).get(item.get("id"))
            if record is None or record["IsDeleted"]:
                out.append(
                    {
                        "id": item.get("id"),
                        "success": False,
                        "errors": [{"statusCode": "ENTITY_IS_DELETED", "message": "entity is deleted", "fields": []}],
                    }
                )
                continue
            fields = {k: v for k, v in item.items() if k not in ("attributes", "id")}
            bad = [k for k in fields if k not in FIELDS[sobject] and not k.endswith("__c")]
            if bad:
                out.append(
                    {
                        "id": item["id"],
                        "success": False,
                        "errors": [
                            {
                                "statusCode": "INVALID_FIELD",
                                "message": f"No such column '{bad[0]}' on sobject of type {sobject}",
                                "fields": bad,
                            }
                        ],
                    }
                )
                continue
            self.updates.append({"id": item["id"], **fields})
            record.update(fields)
            record["_modified"] = self.tick()
            out.append({"id": item["id"], "success": True, "errors": []})
        return out

    def _job_create(self, body):
        if body.get("operation") != "query":
            raise Reply(400, [{"message": "operation must be query", "errorCode": "INVALIDJOB"}])
        job_id = f"750{secrets.token_hex(6)}"
        self.jobs[job_id] = self._rows(body.get("query", ""), include_deleted=False)
        return {"id": job_id, "operation": "query", "object": self.jobs[job_id][0], "state": "UploadComplete"}

    def _job_results(self, job_id, query):
        sobject, fields, rows = self.jobs[job_id]
        size = int(query.get("maxRecords", [str(self.batch_size)])[0] or self.batch_size)
        offset = int(query.get("locator", ["0"])[0] or 0)
        page = rows[offset : offset + size]
        buffer = io.StringIO()
        writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(fields)
        for record in page:
            row = self._out(sobject, fields, record)
            writer.writerow(["" if row[f] is None else row[f] for f in fields])
        more = offset + size < len(rows)
        headers = {
            "Content-Type": "text/csv",
            "Sforce-Locator": str(offset + size) if more else "null",
            "Sforce-NumberOfRecords": str(len(page)),
        }
        return 200, buffer.getvalue().encode(), headers

    def _authorize(self, query):
        code = secrets.token_urlsafe(12)
        self.codes[code] = {
            "challenge": query.get("code_challenge", [""])[0],
            "redirect_uri": query.get("redirect_uri", [""])[0],
        }
        target = query.get("redirect_uri", [""])[0]
        return 302, f"{target}?{urlencode({'code': code, 'state': query.get('state', [''])[0]})}"

    def _token(self, form):
        grant = form.get("grant_type")
        refresh = None
        if grant == "authorization_code":
            kept = self.codes.pop(form.get("code", ""), None)
            if kept is None:
                raise Reply(400, {"error": "invalid_grant", "error_description": "invalid authorization code"})
            if kept["challenge"]:
                digest = hashlib.sha256((form.get("code_verifier") or "").encode()).digest()
                if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != kept["challenge"]:
                    raise Reply(400, {"error": "invalid_grant", "error_description": "invalid code verifier"})
            refresh = secrets.token_urlsafe(12)
        elif grant == "refresh_token":
            if form.get("refresh_token") not in self.refresh_tokens:
                raise Reply(400, {"error": "invalid_grant", "error_description": "expired access/refresh token"})
        else:
            raise Reply(400, {"error": "unsupported_grant_type", "error_description": "grant type not supported"})
        access = "00D" + secrets.token_urlsafe(16)
        self.tokens.add(access)
        out = {
            "access_token": access,
            "instance_url": self.url,
            "id": f"{self.url}/id/00Dxx0000000001/005xx0000000001",
            "token_type": "Bearer",
            "issued_at": str(int(time.time() * 1000)),
            "signature": base64.b64encode(secrets.token_bytes(32)).decode(),
        }
        if refresh:
            self.refresh_tokens[refresh] = access
            out["refresh_token"] = refresh
        return 200, out
