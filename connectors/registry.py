"""The vendor registry: what each vendor offers and how to talk to it. The framework
(connectors.sync) knows no vendor; a vendor package registers itself in `ConnectorsConfig.ready()`
(`connectors/vendors/<kind>/__init__.py` has a `register()`), so a vendor is added without
editing the framework.

A vendor's client turns the vendor's API into pages of `RemoteRecord`s:

    client = vendor.client_factory(connection)          # a VendorClient
    page = client.fetch_page(object_key, cursor=None, since=None)   # first page
    page = client.fetch_page(object_key, cursor=page.cursor, since=since)   # next, until cursor is None
    client.fetch_ids(object_key, ids) -> [RemoteRecord]             # the retry of failed records
    client.push(object_key, [(remote_id, {remote_field: value})])   # batch update (push mappings)
    client.remote_fields(object_key) -> [(name, label)]             # the mapping page's choices

`cursor` is opaque to the framework (JSON-safe: it is saved after each page); `since` is the
modified-since mark (a datetime) or None for a full pull. Errors the framework understands:
`AuthFailed` (revoked or expired credentials: the run fails, the connection needs
authorisation), `RateLimited` (retries exhausted), `VendorError` (anything else the vendor
refused, with its message).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from django.utils.functional import Promise

__all__ = [
    "VENDORS",
    "AuthFailed",
    "ObjectSpec",
    "OAuthSpec",
    "Page",
    "RateLimited",
    "RemoteRecord",
    "Vendor",
    "VendorClient",
    "VendorError",
    "register_vendor",
    "vendor_get",
    "vendors",
]


class VendorError(Exception):
    """The vendor refused a request; the message says why (shown on the run's page)."""


class AuthFailed(VendorError):
    """The credentials were refused (revoked token, expired refresh token)."""


class RateLimited(VendorError):
    """Still rate-limited after the bounded retries (`Retry-After` honoured, backoff)."""


@dataclass
class RemoteRecord:
    """One vendor record in the framework's terms. `fields` by the vendor's field names;
    `links` name related records: {"parent": company id, "account": company id, "owner":
    owner id}; a deleted record has `deleted=True`; a merge names the surviving id in
    `merged_into` (on the record that went away) or lists the absorbed ids in `merged_ids` (on
    the survivor)."""

    id: str
    modified_at: datetime | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    links: dict[str, str | None] = field(default_factory=dict)
    deleted: bool = False
    merged_into: str | None = None
    merged_ids: list[str] = field(default_factory=list)


@dataclass
class Page:
    records: list[RemoteRecord]
    cursor: Any = None  # None: this was the last page
    total: int | None = None  # the vendor's total, when it says (the progress bar)


@dataclass(frozen=True)
class ObjectSpec:
    """A vendor object and the record of ours it becomes: target is "account", "contact",
    "opportunity" or "owner" (owners become links to our users by e-mail, never new users);
    "ticket" and "subscription" write tickets / subscriptions. `default_mappings` are
    (remote field, local field, direction) rows a new connection starts with. `pushable`: the
    vendor takes batch updates of this object."""

    key: str
    label: str | Promise
    target: str
    default_mappings: Sequence[tuple[str, str, str]] = ()
    pushable: bool = False


@dataclass(frozen=True)
class OAuthSpec:
    """OAuth 2 authorisation-code flow: URLs relative to the connection's base URL unless
    absolute; `pkce`: the vendor supports S256 code challenges."""

    authorize_url: str
    token_url: str
    scopes: Sequence[str] = ()
    pkce: bool = False


class VendorClient(Protocol):
    def fetch_page(self, object_key: str, *, cursor: Any, since: datetime | None) -> Page: ...

    def fetch_ids(self, object_key: str, ids: list[str]) -> list[RemoteRecord]: ...

    def push(self, object_key: str, updates: list[tuple[str, dict]]) -> None: ...

    def remote_fields(self, object_key: str) -> list[tuple[str, str]]: ...


@dataclass(frozen=True)
class Vendor:
    kind: str
    label: str | Promise
    objects: Sequence[ObjectSpec]  # pulled in this order (owners and parents before children)
    client_factory: Callable[..., VendorClient]  # (connection) -> client
    default_base_url: str
    oauth: OAuthSpec | None = None
    options_help: str | Promise = ""  # what `Connection.options` keys the vendor reads

    def object(self, key: str) -> ObjectSpec:
        for spec in self.objects:
            if spec.key == key:
                return spec
        raise KeyError(key)


VENDORS: dict[str, Vendor] = {}


def register_vendor(vendor: Vendor) -> Vendor:
    """Add (or replace) a vendor by its kind."""
    VENDORS[vendor.kind] = vendor
    return vendor


def vendor_get(kind: str) -> Vendor:
    try:
        return VENDORS[kind]
    except KeyError:
        raise KeyError(f"unknown connector kind {kind!r} (one of {', '.join(sorted(VENDORS)) or 'none'})") from None


def vendors() -> list[Vendor]:
    return sorted(VENDORS.values(), key=lambda v: v.kind)
