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
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

__all__ = ["OutboundRefused", "OutboundResponse", "outbound_post", "outbound_url_check"]

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


# Section: sending to the checked address


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def outbound_post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> OutboundResponse:
    """POST `body` to `url` after checking where it goes; connect to the checked address only.

    Raises OutboundRefused (internal address, unresolvable host) or OSError (network). A
    redirect is returned as is (status 3xx, `location`), never followed."""
    target = _target(url, must_resolve=True)
    last_error: OSError | None = None
    for address in target.addresses:
        cls = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
        connection = cls(target.host, target.port, address=address, timeout=timeout)
        try:
            connection.request("POST", target.path, body=body, headers=headers)
            response = connection.getresponse()
            return OutboundResponse(
                status=response.status,
                body=response.read(2000).decode("utf-8", "replace"),
                location=response.getheader("Location", "") or "",
            )
        except ConnectionRefusedError as exc:  # try the host's next address
            last_error = exc
        finally:
            connection.close()
    raise last_error or OSError(_("no address to connect to"))
