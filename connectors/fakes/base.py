"""The HTTP plumbing the fakes share: a threaded server on a free loopback port, JSON in and
out, a switch that answers the next N requests with the vendor's rate-limit response, and a
request log the tests read."""

from __future__ import annotations

import datetime
import ipaddress
import json
import ssl
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

__all__ = ["FakeServer", "Reply"]


def _self_signed() -> str:
    """A throwaway certificate for 127.0.0.1 (key and certificate in one PEM file)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ) + cert.public_bytes(serialization.Encoding.PEM)
    handle = tempfile.NamedTemporaryFile(prefix="fake-vendor-", suffix=".pem", delete=False)
    handle.write(pem)
    handle.close()
    return handle.name


class Reply(Exception):
    """Raise to answer with `status` and a JSON `body` (and headers)."""

    def __init__(self, status: int, body=None, headers: dict | None = None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


class FakeServer:
    """Subclasses implement `handle(method, path, query, body, headers) -> (status, body[, headers])`
    (a dict or list body is sent as JSON, bytes as they are, None as nothing) and
    `rate_limit_reply()`. With `tls=True` it serves https with a throwaway certificate
    (`ca_file`)."""

    def __init__(self, *, tls: bool = False):
        self.lock = threading.RLock()
        self.requests: list[tuple[str, str]] = []
        self.rate_limited = 0  # answer this many next requests with 429
        self.retry_after: str | None = "0"
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _serve(self, method):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                ctype = self.headers.get("Content-Type", "")
                if "application/x-www-form-urlencoded" in ctype:
                    body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                else:
                    try:
                        body = json.loads(raw) if raw else None
                    except ValueError:
                        body = None
                query = parse_qs(parts.query, keep_blank_values=True)
                headers = {}
                try:
                    with fake.lock:
                        fake.requests.append((method, parts.path))
                        if fake.rate_limited > 0 and not parts.path.startswith(fake.no_limit_prefixes):
                            fake.rate_limited -= 1
                            raise fake.rate_limit_reply()
                    result = fake.handle(method, parts.path, query, body, dict(self.headers))
                    status, out = result[:2]
                    headers = result[2] if len(result) > 2 else {}
                except Reply as reply:
                    status, out, headers = reply.status, reply.body, reply.headers
                if status in (301, 302, 303):
                    self.send_response(status)
                    self.send_header("Location", out)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = out if isinstance(out, bytes) else b"" if out is None else json.dumps(out).encode()
                self.send_response(status)
                if "Content-Type" not in headers:
                    self.send_header(
                        "Content-Type", "text/html" if isinstance(out, bytes) else "application/json;charset=utf-8"
                    )
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def do_PATCH(self):
                self._serve("PATCH")

            def do_DELETE(self):
                self._serve("DELETE")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.ca_file = None
        if tls:  # a client that only speaks https (simple-salesforce) trusts `ca_file`
            self.ca_file = _self_signed()
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.ca_file)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    no_limit_prefixes: tuple[str, ...] = ("/__",)

    def rate_limit_reply(self) -> Reply:
        raise NotImplementedError

    def handle(self, method, path, query, body, headers):
        raise NotImplementedError

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def calls(self, method: str, prefix: str) -> int:
        return sum(1 for m, p in self.requests if m == method and p.startswith(prefix))
