"""A local fake of the parts of Slack this app calls, run as a real HTTP server on 127.0.0.1,
following Slack's documented Web API:

- chat.postMessage  https://api.slack.com/methods/chat.postMessage (JSON or form body, bearer
  token; answers {"ok": true, "channel", "ts"}; when rate limited, HTTP 429 with Retry-After:
  https://api.slack.com/apis/rate-limits)
- users.lookupByEmail  https://api.slack.com/methods/users.lookupByEmail ({"ok": true, "user":
  {"id": ...}} or {"ok": false, "error": "users_not_found"})
- response_url  https://api.slack.com/interactivity/handling#message_responses (POST JSON,
  answered "ok")

It also receives Microsoft Teams incoming-webhook posts (/teams/<name>: the card as JSON,
answered "1", as Teams does). Every request is recorded for the test to read.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TOKEN = "xoxb-test-token"


@dataclass
class Recorded:
    path: str
    body: dict
    headers: dict


@dataclass
class FakeSlack:
    users_by_email: dict[str, str] = field(default_factory=dict)
    rate_limit_next: int = 0  # how many chat.postMessage calls answer 429 first
    requests: list[Recorded] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def calls(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]


def _handler(fake: FakeSlack):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _body(self) -> dict:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            if "json" in (self.headers.get("Content-Type") or ""):
                return json.loads(raw or "{}")
            return {k: v[0] for k, v in parse_qs(raw).items()}

        def _answer(self, status: int, payload, headers: dict | None = None) -> None:
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if not isinstance(payload, bytes) else "text/plain")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # users.lookupByEmail may be a GET with a query string
            self.do_POST()

        def do_POST(self):
            parts = urlsplit(self.path)
            body = self._body() if self.command == "POST" else {}
            body.update({k: v[0] for k, v in parse_qs(parts.query).items()})
            fake.requests.append(Recorded(parts.path, body, dict(self.headers)))
            if parts.path.startswith("/api/"):
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._answer(200, {"ok": False, "error": "invalid_auth"})
                method = parts.path.removeprefix("/api/")
                if method == "chat.postMessage":
                    if fake.rate_limit_next:
                        fake.rate_limit_next -= 1
                        return self._answer(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
                    return self._answer(200, {"ok": True, "channel": body.get("channel"), "ts": "1700000000.000100"})
                if method == "users.lookupByEmail":
                    user_id = fake.users_by_email.get(body.get("email", ""))
                    if user_id is None:
                        return self._answer(200, {"ok": False, "error": "users_not_found"})
                    return self._answer(200, {"ok": True, "user": {"id": user_id}})
                return self._answer(200, {"ok": False, "error": "unknown_method"})
            if parts.path.startswith("/response/"):
                return self._answer(200, b"ok")
            if parts.path.startswith("/teams/"):
                return self._answer(200, b"1")
            return self._answer(404, {"ok": False})

    return Handler


def fake_slack_start() -> FakeSlack:
    fake = FakeSlack()
    fake.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    threading.Thread(target=fake.server.serve_forever, daemon=True).start()
    return fake
