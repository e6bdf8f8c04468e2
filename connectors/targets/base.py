"""What every target writer shares: the page's context (connection, mappings, run, log), the
mapped values of a remote record, the last-modified-wins rule for fields mapped both ways,
and a page write that isolates a failing record instead of losing the page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from accounts.custom_fields.values import custom_field_values_clean

from ..choices import Direction
from ..fields import CUSTOM_PREFIX, TARGET_LABELS, LocalField, field_convert, local_fields
from ..models import Connection, FieldMapping, SyncRun
from ..registry import ObjectSpec, RemoteRecord

__all__ = [
    "TARGETS",
    "PageContext",
    "Target",
    "mapped_values",
    "register_target",
    "target_fields",
    "target_get",
    "target_label",
    "write_isolated",
]


@dataclass
class PageContext:
    """One page of one object in a run. `state` is the object's cursor state (JSON) a writer may
    keep things in until the object's pull ends (e.g. children whose parent was not seen yet)."""

    connection: Connection
    spec: ObjectSpec
    mappings: Sequence[FieldMapping]
    run: SyncRun
    dry_run: bool
    last_synced_at: datetime | None
    state: dict = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (remote id, reason)

    @property
    def prefix(self) -> str:
        return self.connection.id_prefix

    def ext(self, remote_id: str | None) -> str | None:
        return None if not remote_id else f"{self.prefix}{remote_id}"

    def log(self, message: str, *, record: str = "", level: str = "info") -> None:
        log = self.run.log
        if len(log) < SyncRun.LOG_LIMIT:
            log.append(
                {
                    "at": timezone.now().isoformat(timespec="seconds"),
                    "level": level,
                    "object": self.spec.key,
                    "record": record,
                    "message": message,
                }
            )

    def fail(self, remote_id: str, reason: str) -> None:
        self.failures.append((remote_id, reason))
        self.run.failed += 1

    def would_create(self) -> set:
        """Dry runs: the external ids earlier objects of this run would have created (a deal's
        company that a real run writes first)."""
        if not hasattr(self.run, "_would_create"):
            self.run._would_create = set()
        return self.run._would_create

    def count(self, created: int = 0, updated: int = 0, unchanged: int = 0) -> None:
        self.run.created += created
        self.run.updated += updated
        self.run.unchanged += unchanged


def needs_current(ctx: PageContext) -> bool:
    """Whether the last-modified-wins rule may apply (a field mapped both ways, a previous sync)."""
    return ctx.last_synced_at is not None and any(m.direction == Direction.BOTH for m in ctx.mappings)


def pull_mappings(mappings: Sequence[FieldMapping]) -> list[FieldMapping]:
    return [m for m in mappings if m.direction in (Direction.PULL, Direction.BOTH)]


def mapped_values(
    ctx: PageContext, record: RemoteRecord, fields: dict[str, LocalField], *, entity: str | None = None
) -> dict[str, Any]:
    """Our values from the record through the pull mappings. Two remote fields mapped onto one
    text field are joined with a space (first + last name). Raises ValueError with the reason."""
    values: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for mapping in pull_mappings(ctx.mappings):
        local = fields.get(mapping.local_field)
        if local is None or not local.pull:
            continue
        raw = record.fields.get(mapping.remote_field)
        try:
            value = field_convert(local, raw)
        except ValueError as exc:
            raise ValueError(f"{mapping.remote_field}: {exc}") from None
        if local.kind == "custom":
            custom[mapping.local_field.removeprefix(CUSTOM_PREFIX)] = value
        elif mapping.local_field in values and local.kind == "text" and values[mapping.local_field] and value:
            values[mapping.local_field] = f"{values[mapping.local_field]} {value}"[: local.max_length]
        elif mapping.local_field not in values or value not in (None, ""):
            values[mapping.local_field] = value
    if custom and entity:
        try:
            values["custom_fields"] = custom_field_values_clean(entity=entity, values=custom)
        except ValidationError as exc:
            raise ValueError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
    return values


def _local_value(current, name: str):
    if name.startswith(CUSTOM_PREFIX):
        return (current.custom_fields or {}).get(name.removeprefix(CUSTOM_PREFIX))
    return getattr(current, name, None)


def conflicts_resolve(ctx: PageContext, record: RemoteRecord, values: dict, current) -> dict:
    """Last modified wins for fields mapped both ways that changed on both sides since the last
    sync: the later edit stays, the other is dropped; each conflict is a line in the run's log.
    Our record's `updated_at` and the vendor's modified time are compared."""
    if current is None or ctx.last_synced_at is None:
        return values
    ours_at = getattr(current, "updated_at", None)
    theirs_at = record.modified_at
    if ours_at is None or ours_at <= ctx.last_synced_at or (theirs_at is not None and theirs_at <= ctx.last_synced_at):
        return values
    for mapping in ctx.mappings:
        if mapping.direction != Direction.BOTH:
            continue
        name = mapping.local_field
        if name.startswith(CUSTOM_PREFIX):
            theirs = (values.get("custom_fields") or {}).get(name.removeprefix(CUSTOM_PREFIX))
            present = theirs is not None
        else:
            theirs, present = values.get(name), name in values
        ours = _local_value(current, name)
        if not present or theirs == ours:
            continue
        ours_win = theirs_at is None or ours_at > theirs_at
        ctx.log(
            (
                _(
                    "Conflict on %(field)s: ours %(ours)r (changed %(ours_at)s) kept over "
                    "theirs %(theirs)r (%(theirs_at)s)"
                )
                if ours_win
                else _(
                    "Conflict on %(field)s: theirs %(theirs)r (changed %(theirs_at)s) taken over "
                    "ours %(ours)r (%(ours_at)s)"
                )
            )
            % {
                "field": name,
                "ours": ours,
                "theirs": theirs,
                "ours_at": ours_at.isoformat(timespec="seconds"),
                "theirs_at": theirs_at.isoformat(timespec="seconds") if theirs_at else "?",
            },
            record=record.id,
            level="warning",
        )
        if ours_win:
            if name.startswith(CUSTOM_PREFIX):
                values["custom_fields"] = {
                    k: v for k, v in values["custom_fields"].items() if k != name.removeprefix(CUSTOM_PREFIX)
                }
            else:
                values.pop(name)
    return values


def write_isolated(
    ctx: PageContext, items: list[tuple[str, dict]], write: Callable[[list[dict]], Any], on_result: Callable
) -> None:
    """Write the page's items in one call; if the database refuses the batch, write them one
    at a time so only the bad records fail (each with the database's reason). `write` must be
    atomic itself (the upsert services are: a refused call rolls back to its own savepoint and
    the page's transaction goes on), so no savepoint of ours is added per page."""
    if not items:
        return
    try:
        on_result(write([item for _rid, item in items]))
        return
    except (DatabaseError, ValueError, ValidationError):
        pass
    for remote_id, item in items:
        try:
            on_result(write([item]))
        except (DatabaseError, ValueError, ValidationError) as exc:
            ctx.fail(remote_id, _("Not saved: %(reason)s") % {"reason": exc})


@dataclass(frozen=True)
class Target:
    key: str
    write: Callable[[PageContext, list[RemoteRecord]], None]
    finish: Callable[[PageContext], None] | None = None  # after the object's last page
    fields: Callable[[], dict[str, LocalField]] | None = None
    label: str | Promise = ""  # what the connection page says the vendor object becomes

    def local_fields(self) -> dict[str, LocalField]:
        return self.fields() if self.fields else local_fields(self.key)


TARGETS: dict[str, Target] = {}


def register_target(target: Target) -> Target:
    TARGETS[target.key] = target
    return target


def target_get(key: str) -> Target:
    return TARGETS[key]


def target_fields(key: str) -> dict[str, LocalField]:
    """Our fields a target's mappings may name (its own `fields`, else the built-in ones)."""
    target = TARGETS.get(key)
    return target.local_fields() if target is not None else local_fields(key)


def target_label(key: str) -> str | Promise:
    target = TARGETS.get(key)
    return (target.label if target is not None and target.label else None) or TARGET_LABELS.get(key, key)


def classify(existing: dict, items: list[tuple[str, dict]], key: str = "external_id") -> tuple[int, int, int]:
    """What an upsert of `items` would do, without doing it (dry runs): created, updated, unchanged."""
    created = updated = unchanged = 0
    for _rid, item in items:
        current = existing.get(item[key])
        if current is None:
            created += 1
            continue
        differs = False
        for name, value in item.items():
            if name == "custom_fields":
                merged = {**(current.custom_fields or {}), **value}
                differs |= {k: v for k, v in merged.items() if v is not None} != (current.custom_fields or {})
                continue
            ours = getattr(current, name, None)
            if isinstance(value, str) and hasattr(ours, "external_id") and name == "parent":
                ours = ours.external_id
            differs |= ours != value
        if differs:
            updated += 1
        else:
            unchanged += 1
    return created, updated, unchanged


def users_by_id(ids) -> dict:
    from core.models import User

    ids = {i for i in ids if i}
    return {u.pk: u for u in User.objects.filter(pk__in=ids)} if ids else {}


def owner_of(ctx: PageContext, record: RemoteRecord, users: dict):
    """Our user for the record's owner (matched by e-mail when owners were pulled), or None."""
    remote = record.links.get("owner")
    if not remote:
        return None
    user_id = (ctx.connection.options.get("owners") or {}).get(str(remote))
    return users.get(user_id)


def owner_user_ids(ctx: PageContext, records) -> set:
    owners = ctx.connection.options.get("owners") or {}
    return {owners.get(str(r.links.get("owner"))) for r in records if r.links.get("owner")}
