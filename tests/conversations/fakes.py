"""Local stand-ins for Google and Microsoft, as a real HTTP server on 127.0.0.1 that follows the
documented requests and answers (only what Pulse calls):

- Google OAuth 2.0 for web server apps (developers.google.com/identity/protocols/oauth2/
  web-server): `GET /o/oauth2/v2/auth` (a consent page whose "Allow" redirects back with `code`
  and `state`), `POST /token` (authorization_code with the PKCE S256 check, refresh_token;
  `invalid_grant` once revoked), `POST /revoke`, OpenID `GET /oauth2/v3/userinfo`.
- Google Calendar API v3 `events.list` (developers.google.com/calendar/api/v3/reference/
  events/list; the sync guide): `timeMin`, `singleEvents`, `pageToken`, `syncToken`
  (changes only, cancelled included), `nextSyncToken` on the last page, 410 Gone for an
  expired token.
- Gmail API v1 (developers.google.com/gmail/api/reference/rest): `users.getProfile`,
  `users.messages.list` (paged), `users.messages.get?format=raw` (base64url),
  `users.history.list` (`startHistoryId`, `messagesAdded`, paged, 404 for an expired id).
- Microsoft identity platform v2.0 (learn.microsoft.com/entra/identity-platform/
  v2-oauth2-auth-code-flow): `/{tenant}/oauth2/v2.0/authorize` and `/token`.
- Microsoft Graph v1.0 (learn.microsoft.com/graph/api/overview): `GET /me`,
  `/me/calendarView/delta` and `/me/mailFolders/{id}/messages/delta` (`@odata.nextLink`,
  `@odata.deltaLink`, `@removed`, 410 for an expired delta token), `/me/messages/{id}/$value`.

Any endpoint can be told to answer 429 with `Retry-After` the next N times (`fail_next`).
Mounted under /google/... and /ms/... so one server plays both.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

PAGE = 2  # small pages so every test pages


@dataclass
class FakeState:
    email: str = "csm@team.example"
    codes: dict = field(default_factory=dict)  # code -> {challenge, redirect_uri, provider}
    access: dict = field(default_factory=dict)  # access token -> provider
    refresh: dict = field(default_factory=dict)  # refresh token -> provider
    revoked: set = field(default_factory=set)
    token_posts: list = field(default_factory=list)
    requests: list = field(default_factory=list)  # (method, path) of every API call
    fail_next: dict = field(default_factory=dict)  # path fragment -> [count, retry_after]
    expire_tokens: bool = False  # every sync token / history id / delta link is stale once
    # Google Calendar: event id -> (version, resource)
    g_events: dict = field(default_factory=dict)
    # Graph calendar: event id -> (version, resource)
    m_events: dict = field(default_factory=dict)
    # Gmail: id -> (history id, raw bytes, labels); Graph mail: id -> (version, folder, raw)
    g_messages: dict = field(default_factory=dict)
    m_messages: dict = field(default_factory=dict)
    version: int = 100
    access_lifetime: int = 3600

    def bump(self) -> int:
        self.version += 1
        return self.version

    # helpers the tests call
    def put_google_event(self, resource: dict) -> None:
        self.g_events[resource["id"]] = (self.bump(), resource)

    def put_graph_event(self, resource: dict) -> None:
        self.m_events[resource["id"]] = (self.bump(), resource)

    def put_gmail(self, message_id: str, raw: bytes, labels=("INBOX",)) -> None:
        self.g_messages[message_id] = (self.bump(), raw, list(labels))

    def put_graph_mail(self, message_id: str, raw: bytes, folder: str = "inbox") -> None:
        self.m_messages[message_id] = (self.bump(), folder, raw)


def _pkce_ok(verifier: str, challenge: str) -> bool:
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return secrets.compare_digest(digest, challenge)


class Handler(BaseHTTPRequestHandler):
    server: FakeServer

    def log_message(self, *args):  # quiet
        pass

    # Section: plumbing

    @property
    def state(self) -> FakeState:
        return self.server.state

    def _send(self, status: int, body=b"", content_type="application/json", headers=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _form(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        data = parse_qs(self.rfile.read(length).decode()) if length else {}
        return {k: v[0] for k, v in data.items()}

    def _authorized(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        return self.state.access.get(token)

    def _rate_limited(self, path: str) -> bool:
        for fragment, rule in list(self.state.fail_next.items()):
            if fragment in path and rule[0] > 0:
                rule[0] -= 1
                self._send(
                    429,
                    {"error": {"code": 429, "message": "Rate Limit Exceeded"}},
                    headers={"Retry-After": str(rule[1])},
                )
                return True
        return False

    # Section: dispatch

    def do_GET(self):
        parts = urlsplit(self.path)
        path, query = parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}
        if path.endswith("/o/oauth2/v2/auth") or path.endswith("/oauth2/v2.0/authorize"):
            return self._consent(path, query)
        if path.endswith("/approve"):
            return self._approve(query)
        self.state.requests.append(("GET", self.path))
        if self._rate_limited(path):
            return None
        if self._authorized() is None:
            return self._send(401, {"error": {"code": 401, "message": "Invalid Credentials"}})
        routes = [
            ("/google/apis/oauth2/v3/userinfo", lambda: self._send(200, {"email": self.state.email, "sub": "1"})),
            ("/google/apis/calendar/v3/calendars/primary/events", lambda: self._g_events(query)),
            ("/google/gmail/gmail/v1/users/me/profile", self._g_profile),
            ("/google/gmail/gmail/v1/users/me/history", lambda: self._g_history(query)),
            ("/google/gmail/gmail/v1/users/me/messages", lambda: self._g_list(query)),
            ("/ms/graph/v1.0/me/calendarView/delta", lambda: self._m_delta("events", query)),
            (
                "/ms/graph/v1.0/me",
                lambda: self._send(200, {"mail": self.state.email, "userPrincipalName": self.state.email}),
            ),
        ]
        for prefix, answer in routes:
            if path == prefix:
                return answer()
        if path.startswith("/google/gmail/gmail/v1/users/me/messages/"):
            return self._g_get(path.rsplit("/", 1)[1])
        if path.startswith("/ms/graph/v1.0/me/mailFolders/") and path.endswith("/messages/delta"):
            return self._m_delta(path.split("/")[-3], query)
        if path.startswith("/ms/graph/v1.0/me/messages/") and path.endswith("/$value"):
            message = self.state.m_messages.get(path.split("/")[-2])
            if message is None:
                return self._send(404, {"error": {"code": "ErrorItemNotFound"}})
            return self._send(200, message[2], content_type="message/rfc822")
        return self._send(404, {"error": "not found"})

    def do_POST(self):
        path = urlsplit(self.path).path
        form = self._form()
        if path.endswith("/approve"):
            return self._approve(form)
        if path.endswith("/token"):
            return self._token(path, form)
        if path.endswith("/revoke"):
            token = form.get("token") or parse_qs(urlsplit(self.path).query).get("token", [""])[0]
            if token in self.state.refresh or token in self.state.access:
                self.state.revoked.add(token)
                return self._send(200, {})
            return self._send(400, {"error": "invalid_token"})
        return self._send(404, {"error": "not found"})

    # Section: OAuth

    def _consent(self, path: str, query: dict):
        provider = "google" if path.startswith("/google") else "microsoft"
        missing = [k for k in ("client_id", "redirect_uri", "state", "code_challenge") if not query.get(k)]
        if missing or query.get("code_challenge_method") != "S256":
            return self._send(400, f"invalid_request: {', '.join(missing) or 'code_challenge_method'}", "text/plain")
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in query.items()
        )
        page = (
            f"<!doctype html><html><head><title>Sign in</title></head><body><h1>Fake {provider} consent</h1>"
            f"<p>Pulse wants to read {html.escape(self.state.email)}'s mail and calendar.</p>"
            f'<form method="post" action="{path.rsplit("/", 1)[0]}/approve">{hidden}'
            f'<input type="hidden" name="provider" value="{provider}">'
            f'<button type="submit" id="allow">Allow</button></form></body></html>'
        )
        return self._send(200, page, "text/html; charset=utf-8")

    def _approve(self, data: dict):
        code = secrets.token_urlsafe(16)
        self.state.codes[code] = {
            "challenge": data["code_challenge"],
            "redirect_uri": data["redirect_uri"],
            "provider": data.get("provider", "google"),
        }
        target = f"{data['redirect_uri']}?{urlencode({'code': code, 'state': data['state']})}"
        self.send_response(302)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _token(self, path: str, form: dict):
        self.state.token_posts.append(form)
        provider = "google" if path.startswith("/google") else "microsoft"
        if form.get("grant_type") == "authorization_code":
            grant = self.state.codes.pop(form.get("code", ""), None)
            if (
                grant is None
                or grant["redirect_uri"] != form.get("redirect_uri")
                or not _pkce_ok(form.get("code_verifier", ""), grant["challenge"])
            ):
                return self._send(400, {"error": "invalid_grant", "error_description": "Bad code or verifier."})
        elif form.get("grant_type") == "refresh_token":
            token = form.get("refresh_token", "")
            if token not in self.state.refresh or token in self.state.revoked:
                return self._send(400, {"error": "invalid_grant", "error_description": "Token has been revoked."})
        else:
            return self._send(400, {"error": "unsupported_grant_type"})
        access = secrets.token_urlsafe(24)
        self.state.access[access] = provider
        body = {"access_token": access, "expires_in": self.state.access_lifetime, "token_type": "Bearer", "scope": "s"}
        if form.get("grant_type") == "authorization_code" or provider == "microsoft":
            refresh = secrets.token_urlsafe(24)
            self.state.refresh[refresh] = provider
            body["refresh_token"] = refresh
        return self._send(200, body)

    # Section: Google Calendar

    def _changes(self, items: dict, since: int) -> list:
        return [r for v, r in sorted(items.values(), key=lambda p: p[0]) if v > since]

    def _g_events(self, query: dict):
        if "syncToken" in query:
            if self.state.expire_tokens:
                self.state.expire_tokens = False
                return self._send(410, {"error": {"code": 410, "message": "Sync token is no longer valid"}})
            since = int(query["syncToken"].removeprefix("sync-"))
            items = self._changes(self.state.g_events, since)
        else:
            items = [r for r in self._changes(self.state.g_events, 0) if r.get("status") != "cancelled"]
            time_min = query.get("timeMin", "")
            items = [r for r in items if (r.get("end") or {}).get("dateTime", "9") >= time_min]
        start = int(query.get("pageToken", "0"))
        page = items[start : start + PAGE]
        body = {"kind": "calendar#events", "items": page}
        if start + PAGE < len(items):
            body["nextPageToken"] = str(start + PAGE)
        else:
            body["nextSyncToken"] = f"sync-{self.state.version}"
        return self._send(200, body)

    # Section: Gmail

    def _g_profile(self):
        return self._send(200, {"emailAddress": self.state.email, "historyId": str(self.state.version)})

    def _g_list(self, query: dict):
        ids = [
            {"id": mid, "threadId": mid}
            for mid, (_v, _raw, labels) in sorted(self.state.g_messages.items(), key=lambda p: -p[1][0])
            if "SPAM" not in labels and "TRASH" not in labels
        ]
        start = int(query.get("pageToken", "0"))
        body = {"messages": ids[start : start + PAGE], "resultSizeEstimate": len(ids)}
        if start + PAGE < len(ids):
            body["nextPageToken"] = str(start + PAGE)
        return self._send(200, body)

    def _g_get(self, message_id: str):
        message = self.state.g_messages.get(message_id)
        if message is None:
            return self._send(404, {"error": {"code": 404, "message": "Requested entity was not found."}})
        version, raw, labels = message
        return self._send(
            200,
            {
                "id": message_id,
                "threadId": message_id,
                "labelIds": labels,
                "historyId": str(version),
                "raw": base64.urlsafe_b64encode(raw).decode().rstrip("="),
            },
        )

    def _g_history(self, query: dict):
        if self.state.expire_tokens:
            self.state.expire_tokens = False
            return self._send(404, {"error": {"code": 404, "message": "Requested entity was not found."}})
        since = int(query["startHistoryId"])
        records = [
            {"id": str(v), "messagesAdded": [{"message": {"id": mid, "threadId": mid, "labelIds": labels}}]}
            for mid, (v, _raw, labels) in sorted(self.state.g_messages.items(), key=lambda p: p[1][0])
            if v > since
        ]
        start = int(query.get("pageToken", "0"))
        body = {"history": records[start : start + PAGE], "historyId": str(self.state.version)}
        if start + PAGE < len(records):
            body["nextPageToken"] = str(start + PAGE)
        return self._send(200, body)

    # Section: Graph delta (calendar view and mail folders)

    def _m_delta(self, what: str, query: dict):
        base = f"http://{self.headers['Host']}{urlsplit(self.path).path}"
        if "$deltatoken" in query:
            if self.state.expire_tokens:
                self.state.expire_tokens = False
                return self._send(410, {"error": {"code": "SyncStateNotFound", "message": "The sync state is gone."}})
            since, start, full = int(query["$deltatoken"]), 0, False
        elif "$skiptoken" in query:
            since_s, start_s, full_s = query["$skiptoken"].split(".")
            since, start, full = int(since_s), int(start_s), full_s == "1"
        else:
            since, start, full = 0, 0, True
        if what == "events":
            if full and "$skiptoken" not in query and not query.get("startDateTime"):
                return self._send(400, {"error": {"code": "ErrorInvalidParameter", "message": "startDateTime"}})
            items = self._changes(self.state.m_events, since)
            if full:
                items = [r for r in items if "@removed" not in r and not r.get("isCancelled")]
        else:
            items = [
                {"id": mid, "isDraft": False}
                for mid, (v, folder, _raw) in sorted(self.state.m_messages.items(), key=lambda p: p[1][0])
                if folder == what and v > since
            ]
        page = items[start : start + PAGE]
        body = {"value": page}
        if start + PAGE < len(items):
            body["@odata.nextLink"] = f"{base}?{urlencode({'$skiptoken': f'{since}.{start + PAGE}.{int(full)}'})}"
        else:
            body["@odata.deltaLink"] = f"{base}?{urlencode({'$deltatoken': str(self.state.version)})}"
        return self._send(200, body)


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.state = FakeState()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def reset(self) -> None:
        self.state = FakeState()

    def settings_overrides(self) -> dict:
        return {
            "GOOGLE_OAUTH_CLIENT_ID": "pulse-google",
            "GOOGLE_OAUTH_CLIENT_SECRET": "google-secret",
            "MICROSOFT_OAUTH_CLIENT_ID": "pulse-microsoft",
            "MICROSOFT_OAUTH_CLIENT_SECRET": "microsoft-secret",
            "GOOGLE_OAUTH_BASE": f"{self.url}/google/accounts",
            "GOOGLE_TOKEN_BASE": f"{self.url}/google/oauth2",
            "GOOGLE_API_BASE": f"{self.url}/google/apis",
            "GOOGLE_GMAIL_BASE": f"{self.url}/google/gmail",
            "MICROSOFT_LOGIN_BASE": f"{self.url}/ms/login",
            "MICROSOFT_GRAPH_BASE": f"{self.url}/ms/graph/v1.0",
        }
