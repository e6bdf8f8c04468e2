"""External ids to ids: the accounts and contacts a batch names, looked up once per kind
(usage.sql.ids_by), from this process's id cache where it is valid (usage.sql.idcache)."""

from accounts.models import Account, Contact

from ..sql import lookups
from ..sql.idcache import _cached_lookup, _id_cache_current
from .validate import _Row


def _resolve(rows: list[_Row], errors: list[dict]) -> list[_Row]:
    """Turn external ids into ids (one query per kind of reference); refuse unknown ones."""
    account_ids: dict[object, int] = {}
    contact_ids: dict[object, int] = {}
    account_ids.update(
        lookups.ids_by(Account, "external_id", sorted({r.account for r in rows if isinstance(r.account, str)}))
    )
    account_ids.update(lookups.ids_by(Account, "id", sorted({r.account for r in rows if isinstance(r.account, int)})))
    contact_ids.update(
        lookups.ids_by(Contact, "external_id", sorted({r.contact for r in rows if isinstance(r.contact, str)}))
    )
    contact_ids.update(lookups.ids_by(Contact, "id", sorted({r.contact for r in rows if isinstance(r.contact, int)})))
    good = []
    for row in rows:
        account_id = account_ids.get(row.account)
        if account_id is None:
            errors.append({"row": row.number, "field": "account", "reason": f"unknown account {row.account!r}"})
            continue
        contact_id = None
        if row.contact is not None:
            contact_id = contact_ids.get(row.contact)
            if contact_id is None:
                errors.append({"row": row.number, "field": "contact", "reason": f"unknown contact {row.contact!r}"})
                continue
        row.account, row.contact = account_id, contact_id
        good.append(row)
    return good


def _id_maps(accounts: set, contacts: set) -> tuple[dict, dict] | None:
    """{reference: id} for these account and contact references (external ids as text, or our
    ids), one query per kind for those not in the id cache; None if any is unknown (_resolve
    reports). The contact map also takes None (no contact)."""
    cache = _id_cache_current()
    if cache is None:
        account_ids = lookups.ids_by(Account, "external_id", sorted(a for a in accounts if type(a) is str))
        account_ids.update(lookups.ids_by(Account, "id", sorted(a for a in accounts if type(a) is int)))
        contact_ids = lookups.ids_by(Contact, "external_id", sorted(c for c in contacts if type(c) is str))
        contact_ids.update(lookups.ids_by(Contact, "id", sorted(c for c in contacts if type(c) is int)))
    else:
        account_ids = _cached_lookup(Account, accounts, cache.accounts)
        contact_ids = _cached_lookup(Contact, contacts, cache.contacts)
    if len(account_ids) < len(accounts) or len(contact_ids) < len(contacts):
        return None
    contact_ids[None] = None
    return account_ids, contact_ids


def _resolve_plain(plain: list[tuple]) -> list[tuple] | None:
    """Replace external ids (or checked ids) by ids; None if any is unknown (_resolve reports)."""
    maps = _id_maps({row[0] for row in plain}, {row[1] for row in plain} - {None})
    if maps is None:
        return None
    account_ids, contact_ids = maps
    return [(account_ids[a], contact_ids[c], e, o, p, m) for a, c, e, o, p, m in plain]
