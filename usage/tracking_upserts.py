"""Segment's `identify` and `group` applied a batch at a time (usage.tracking).

The accounts and contacts a batch's identify and group messages name are read with one query
per kind, the messages are applied to them in order in memory, with exactly the rules of one
message at a time (traits mapped, an ingest key only fills what is empty, the last group call
decides a contact's account), and what changed is written at the end: new accounts, then new
contacts, with one INSERT each; changed ones with one UPDATE per kind (bulk_update). A
contact's `last_seen_at` moves forward after commit with the events' (contacts_seen_soon), so
a steady stream of identify calls that change nothing writes nothing in the request.

Another request that creates one of the same new accounts or contacts first makes the INSERT
fail: `TrackingConflict`, and the caller runs the batch again (it then finds them)."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Account, Contact
from core.db import chunked

__all__ = ["ACCOUNT_TRAITS", "CONTACT_TRAITS", "TrackingConflict", "TrackingRecords"]

ACCOUNT_TRAITS = {"name": "name", "website": "domain", "domain": "domain", "industry": "industry"}
CONTACT_TRAITS = {"email": "email", "name": "name", "title": "title", "language": "language", "timezone": "timezone"}
# What says who a contact is (and where surveys and e-mails go): an ingest key sets these only
# while they are empty. Accounts' identity is every trait we map (name, domain, industry).
IDENTITY_CONTACT_FIELDS = {"account", "email"}
ACCOUNT_FIELDS = ("id", "external_id", "name", "domain", "industry")
CONTACT_FIELDS = ("id", "external_id", "account_id", "email", "name", "title", "language", "timezone", "last_seen_at")


class TrackingConflict(Exception):
    """A concurrent request created one of the batch's new accounts or contacts first."""


def _traits(traits: dict, mapping: dict, model) -> dict:
    values = {}
    for trait, field_name in mapping.items():
        value = traits.get(trait)
        if isinstance(value, str) and value.strip() and "\x00" not in value:
            max_length = model._meta.get_field(field_name).max_length
            values[field_name] = value.strip()[:max_length]
    return values


def _unset(record, name: str) -> bool:
    """An identity field nobody has set yet: blank, or an account's name still its external id,
    or a contact without an account."""
    if name == "account":
        return record.account_id is None and record._state.fields_cache.get("account") is None
    value = getattr(record, name)
    return value in (None, "") or (name == "name" and isinstance(record, Account) and value == record.external_id)


def _differs(record, name: str, value) -> bool:
    if name == "account":  # compared without loading the contact's account
        if value.pk is not None:
            return record.account_id != value.pk
        return record._state.fields_cache.get("account") is not value
    return getattr(record, name) != value


class TrackingRecords:
    """The accounts and contacts of one batch, by external id, changed in memory until `save()`."""

    def __init__(self, *, account_ids: set[str], contact_ids: set[str]):
        self.accounts: dict[str, Account] = {}
        self.contacts: dict[str, Contact] = {}
        for chunk in chunked(sorted(account_ids)):
            self.accounts.update(
                (a.external_id, a) for a in Account.objects.filter(external_id__in=chunk).only(*ACCOUNT_FIELDS)
            )
        for chunk in chunked(sorted(contact_ids)):
            self.contacts.update(
                (c.external_id, c) for c in Contact.objects.filter(external_id__in=chunk).only(*CONTACT_FIELDS)
            )
        self.changed: dict[tuple[type, str], set[str]] = {}  # (model, external id): fields
        self.new_accounts: dict[str, Account] = {}
        self.new_contacts: dict[str, Contact] = {}
        self.seen: dict[int, datetime] = {}  # existing contacts' id: latest time seen

    def _set(self, record, values: dict) -> None:
        changed = [name for name, value in values.items() if _differs(record, name, value)]
        for name in changed:
            setattr(record, name, values[name])
        if changed and record.pk is not None:
            self.changed.setdefault((type(record), record.external_id), set()).update(changed)

    def account_upsert(self, group_id: str, traits: dict, *, identity_changes: bool = True) -> Account:
        values = _traits(traits, ACCOUNT_TRAITS, Account)
        account = self.accounts.get(group_id)
        if account is None:
            account = Account(external_id=group_id, name=values.pop("name", group_id), **values)
            self.accounts[group_id] = self.new_accounts[group_id] = account
            return account
        if not identity_changes:
            # An ingest key fills what is empty (a name still equal to the external id, as a track
            # call creates it), never renames (docs/api.md "What an ingest key may change").
            values = {n: v for n, v in values.items() if _unset(account, n)}
        self._set(account, values)
        return account

    def contact_upsert(
        self, user_id: str, traits: dict, account: Account | None, seen_at, *, identity_changes: bool = True
    ) -> Contact:
        values = _traits(traits, CONTACT_TRAITS, Contact)
        if "email" in values and "@" not in values["email"]:
            values.pop("email")
        contact = self.contacts.get(user_id)
        if contact is None:
            contact = Contact(external_id=user_id, account=account, last_seen_at=seen_at, **values)
            self.contacts[user_id] = self.new_contacts[user_id] = contact
            return contact
        if account is not None:
            values["account"] = account
        if not identity_changes:
            # An ingest key never moves a contact to another account nor changes its e-mail;
            # it may attach one that has no account and fill an empty e-mail.
            values = {n: v for n, v in values.items() if n not in IDENTITY_CONTACT_FIELDS or _unset(contact, n)}
        self._set(contact, values)
        if seen_at and (contact.last_seen_at is None or seen_at > contact.last_seen_at):
            contact.last_seen_at = seen_at
            if contact.pk is not None:
                self.seen[contact.pk] = seen_at  # moved after commit (contacts_seen_soon)
        return contact

    def save(self) -> None:
        """Write what changed: new accounts, new contacts, then the changed fields of the others.
        TrackingConflict (rolled back to a savepoint) when another request created one of the
        new ones first."""
        now = timezone.now()
        try:
            with transaction.atomic():
                if self.new_accounts:
                    Account.objects.bulk_create(list(self.new_accounts.values()))
                if self.new_contacts:
                    Contact.objects.bulk_create(list(self.new_contacts.values()))
        except IntegrityError as exc:
            raise TrackingConflict from exc
        for model, records in ((Account, self.accounts), (Contact, self.contacts)):
            fields = set()
            changed = []
            for (kind, external_id), names in self.changed.items():
                if kind is model:
                    changed.append(records[external_id])
                    fields |= names
            if changed:
                for record in changed:
                    record.updated_at = now
                names = sorted("account" if f == "account" else f for f in fields)
                model.objects.bulk_update(changed, [*names, "updated_at"], batch_size=500)
