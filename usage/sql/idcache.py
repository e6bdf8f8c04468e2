"""PostgreSQL only: this process's cache of account and contact ids, valid while the generation
token of accounts migration 0013 is unchanged (docs/decisions.md "Ingest: ids cached per process")."""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models.expressions import RawSQL

from core.db import is_postgresql

from . import lookups

ID_CACHE_MAX = 250_000  # references kept per kind and database; a full cache starts again

_id_caches: dict[str, "_IdCache"] = {}  # database name: its cache


@dataclass(slots=True)
class _IdCache:
    token: str
    accounts: dict = field(default_factory=dict)  # reference (external id or id): id
    contacts: dict = field(default_factory=dict)


def id_token_annotation() -> dict:
    """The generation token as an annotation for a query the request makes anyway (the API-key
    lookup: `core.services.api_key_authenticate(annotations=)`), so that `_id_cache_current`
    needs no round trip of its own. Empty outside PostgreSQL."""
    if not is_postgresql():
        return {}
    return {"id_generation_token": RawSQL("SELECT token::text FROM accounts_idgeneration WHERE id = 1", [])}


def _id_cache_current(token: str | None = None) -> "_IdCache | None":
    """This process's cache of ids for the current database, emptied when the generation token
    (migration accounts.0013: a new one whenever accounts or contacts are deleted, truncated or
    change external id) is not the one it was filled under; None on SQLite and inside a
    transaction, whose reads may still roll back. Read before the lookups it serves, so a
    change that commits in between only makes the cache newer than its token; `token`: the
    token as read earlier in this request, outside a transaction (`id_token_annotation`)."""
    if not is_postgresql() or connection.in_atomic_block:
        return None
    if token is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT token::text FROM accounts_idgeneration WHERE id = 1")
            row = cursor.fetchone()
        if row is None:
            return None  # the row (migration accounts.0013 inserts it) was deleted by hand: no cache
        token = row[0]
    database = connection.settings_dict["NAME"]
    cache = _id_caches.get(database)
    if cache is None or cache.token != token:
        cache = _id_caches[database] = _IdCache(token=token)
    return cache


def _cached_lookup(model, refs: set, known: dict) -> dict:
    """{reference: id} for `refs`: from `known`, and by lookups.ids_by for the rest, which `known` keeps."""
    get = known.get  # get, not `in` then []: another thread may empty `known` in between
    found = {ref: pk for ref in refs if (pk := get(ref)) is not None}
    if len(found) < len(refs):
        missing = refs - found.keys()
        new = lookups.ids_by(model, "external_id", sorted(r for r in missing if type(r) is str))
        new.update(lookups.ids_by(model, "id", sorted(r for r in missing if type(r) is int)))
        if len(known) + len(new) > ID_CACHE_MAX:
            known.clear()
        known.update(new)
        found.update(new)
    return found
