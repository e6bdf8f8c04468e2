"""Contacts' `last_seen_at` moved forward to given times (Segment tracking): one UPDATE on
PostgreSQL, one per contact elsewhere. Never moves a time back."""

from datetime import datetime

import orjson
from django.db import connection
from django.db.models import Q

from accounts.models import Contact
from core.db import is_postgresql

__all__ = ["contacts_seen_update"]


def contacts_seen_update(latest: dict[int, datetime]) -> None:
    """{contact id: time seen}: each contact's last_seen_at becomes that time where it is later."""
    if is_postgresql():
        _seen_update_postgresql(latest)
    else:
        _seen_update_portable(latest)


def _seen_update_postgresql(latest: dict[int, datetime]) -> None:
    payload = orjson.dumps([{"id": pk, "ts": ts.isoformat()} for pk, ts in latest.items()]).decode()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Contact._meta.db_table} c SET last_seen_at = x.ts "
            "FROM jsonb_to_recordset(%s::jsonb) AS x(id bigint, ts timestamptz) "
            "WHERE c.id = x.id AND (c.last_seen_at IS NULL OR c.last_seen_at < x.ts)",
            [payload],
        )


def _seen_update_portable(latest: dict[int, datetime]) -> None:
    for pk, seen in latest.items():
        Contact.objects.filter(pk=pk).filter(Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=seen)).update(
            last_seen_at=seen
        )
