"""The database router: writes on the primary, reads on the replica only where asked.

`DATABASE_ROUTERS` names it when `REPLICA_DATABASE_URL` is set; without a replica every answer
is the primary (`default`). Which reads may go to the replica, and when they fall back, is
`core.replica`'s business (`read_replica()`)."""

from __future__ import annotations

from typing import Any

from core import replica


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str:
        return replica.read_alias()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        replica.wrote()
        return replica.PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # One database, two copies of it: any two rows may be related.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == replica.PRIMARY
