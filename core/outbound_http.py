"""Outbound HTTP to admin-chosen URLs (webhooks) that cannot reach the server's own network.

A webhook URL is typed by an admin, so without a guard it can point at the cloud metadata
service (169.254.169.254), the database on 10.x or the server's own loopback, and a public
receiver could redirect there. So:

- `outbound_url_check(url)` refuses any URL whose host is, or resolves to, an address that is
  not public: loopback, private, link-local, shared (CGNAT), multicast, reserved, unspecified
  (IPv4-mapped IPv6 addresses are judged as the IPv4 they carry). Every address a name
  resolves to must be public, so a name with one public and one internal record is refused.
- `outbound_post(url, body, headers, timeout)` checks again at send time (DNS may have changed)
  and connects to the address it just checked, with the URL's host name in the `Host` header
  and for TLS (SNI and certificate check), so no second lookup can swap the address (DNS
  rebinding). It never follows redirects: a 3xx answer comes back as a refusal.
- Hosts listed in the `WEBHOOK_ALLOWED_INTERNAL_HOSTS` setting (env var, comma-separated host
  names or IP literals, e.g. `crm.internal,10.0.4.12`) may be internal: an on-premises
  receiver an admin deliberately allows.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

__all__ = ["DeadlineExceeded", "OutboundRefused", "OutboundResponse", "outbound_post", "outbound_url_check"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutboundRefused(ValueError):
    """The URL may not be called; the message says why, in words an admin understands."""


@dataclass(frozen=True)
class OutboundResponse:
    status: int
    body: str
    location: str = ""


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]  # empty when the host did not resolve (allowed only at save time)


def _allowed_internal_hosts() -> set[str]:
    return {h.strip().lower().strip("[]") for h in getattr(settings, "WEBHOOK_ALLOWED_INTERNAL_HOSTS", []) if h}


def _is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_multicast
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
    )


def _resolve(host: str, port: int) -> tuple[str, ...]:
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return tuple(dict.fromkeys(info[4][0] for info in infos))


def _refusal(host: str, address: str, literal: bool) -> str:
    allow = _(
        "Webhooks only go to public addresses unless an administrator lists the host in WEBHOOK_ALLOWED_INTERNAL_HOSTS."
    )
    if literal:
        said = _("%(address)s is an internal address (loopback, private, link-local or reserved).")
    else:
        said = _("%(host)s points at %(address)s, an internal address (loopback, private, link-local or reserved).")
    return f"{said % {'host': host, 'address': address}} {allow}"


def _target(url: str, *, must_resolve: bool) -> _Target:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise OutboundRefused(_("The URL is not valid: %(reason)s.") % {"reason": exc}) from exc
    scheme = (parts.scheme or "").lower()
    if scheme not in {"http", "https"}:
        raise OutboundRefused(_("Only http:// and https:// URLs can receive webhooks."))
    host = (parts.hostname or "").lower()
    if not host:
        raise OutboundRefused(_("The URL has no host."))
    if parts.username or parts.password:
        raise OutboundRefused(_("The URL may not carry a user name or password; use the signing secret."))
    port = port or (443 if scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    allowed = host in _allowed_internal_hosts()
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses: tuple[str, ...] = (str(literal),)
    else:
        try:
            addresses = _resolve(host, port)
        except (OSError, UnicodeError) as exc:
            if must_resolve:
                raise OutboundRefused(_("The host %(host)s could not be resolved.") % {"host": host}) from exc
            addresses = ()
    if not allowed:
        for address in addresses:
            if not _is_public(ipaddress.ip_address(address.split("%", 1)[0])):
                raise OutboundRefused(_refusal(host, address, literal is not None))
    return _Target(scheme=scheme, host=host, port=port, path=path, addresses=addresses)


def outbound_url_check(url: str) -> None:
    """Raise OutboundRefused when `url` may not receive webhooks. A host name that does not
    resolve now passes (it may exist later); the send checks again."""
    _target(url, must_resolve=False)


# Section: sending to the checked address, within one deadline


class DeadlineExceeded(TimeoutError):
    """The whole exchange (connect, send, every read) took longer than its deadline."""


class _Deadline:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        left = self.at - time.monotonic()
        if left <= 0:
            raise DeadlineExceeded(_("No complete answer within %(seconds)s s.") % {"seconds": self.seconds})
        return left


class _DeadlineMixin:
    """Before each send and receive, the socket's timeout becomes what is left of the deadline:
    a receiver that trickles its answer a byte at a time cannot hold the worker past it (a per-
    operation timeout alone would wait 10 s per byte, for hours)."""

    _deadline: _Deadline

    def _within(self, operation, *args, **kwargs):
        self.settimeout(self._deadline.remaining())
        try:
            return operation(*args, **kwargs)
        except TimeoutError:
            self._deadline.remaining()  # raises DeadlineExceeded once the deadline has passed
            raise

    def recv(self, *args, **kwargs):
        return self._within(super().recv, *args, **kwargs)

    def recv_into(self, *args, **kwargs):
        return self._within(super().recv_into, *args, **kwargs)

    def send(self, *args, **kwargs):
        return self._within(super().send, *args, **kwargs)

    def sendall(self, *args, **kwargs):
        return self._within(super().sendall, *args, **kwargs)


class _DeadlineSocket(_DeadlineMixin, socket.socket):
    pass


class _DeadlineSSLSocket(_DeadlineMixin, ssl.SSLSocket):
    pass


def _connect(address: str, port: int, deadline: _Deadline, timeout: float) -> socket.socket:
    raw = socket.create_connection((address, port), min(timeout, deadline.remaining()))
    sock = _DeadlineSocket(raw.family, raw.type, raw.proto, fileno=raw.detach())
    sock._deadline = deadline
    return sock


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float, deadline: _Deadline):
        super().__init__(host, port, timeout=timeout)
        self._address = address
        self._deadline = deadline

    def connect(self):
        self.sock = _connect(self._address, self.port, self._deadline, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float, deadline: _Deadline):
        context = ssl.create_default_context()
        context.sslsocket_class = _DeadlineSSLSocket
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address
        self._deadline = deadline

    def connect(self):
        sock = _connect(self._address, self.port, self._deadline, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host, do_handshake_on_connect=False)
        self.sock._deadline = self._deadline
        self.sock.settimeout(self._deadline.remaining())
        self.sock.do_handshake()


def outbound_post(
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    deadline: float | None = None,
    max_body: int = 2000,
) -> OutboundResponse:
    """POST `body` to `url` after checking where it goes; connect to the checked address only.

    `timeout` bounds each network operation, `deadline` (seconds, default 1.5 x timeout) the
    whole exchange: connecting, sending, the status line, the headers and the first `max_body`
    bytes of the answer, which is all that is read. Raises OutboundRefused (internal address,
    unresolvable host), DeadlineExceeded, OSError (network) or http.client.HTTPException (a
    malformed or truncated answer: a body shorter than its Content-Length is not an answer). A
    redirect is returned as is (status 3xx, `location`), never followed."""
    target = _target(url, must_resolve=True)
    limit = _Deadline(deadline if deadline is not None else timeout * 1.5)
    last_error: OSError | None = None
    for address in target.addresses:
        cls = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
        connection = cls(target.host, target.port, address=address, timeout=timeout, deadline=limit)
        try:
            connection.request("POST", target.path, body=body, headers=headers)
            response = connection.getresponse()
            expected = None if response.length is None else min(response.length, max_body)
            data = response.read(max_body)
            if expected is not None and len(data) < expected:  # closed before its Content-Length
                raise http.client.IncompleteRead(data, expected - len(data))
            return OutboundResponse(
                status=response.status,
                body=data.decode("utf-8", "replace"),
                location=response.getheader("Location", "") or "",
            )
        except ConnectionRefusedError as exc:  # try the host's next address
            last_error = exc
        finally:
            connection.close()
    raise last_error or OSError(_("no address to connect to"))
