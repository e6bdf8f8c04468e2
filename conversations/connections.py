"""Writes on a user's connections besides OAuth (conversations.oauth): adding a CalDAV
calendar (checked against the server before it is kept) and running one connection's sync,
which records the outcome on the connection for its owner to see."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import caldav
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .calendars.store import meetings_due_to_timeline
from .calendars.sync import CalendarSyncResult, calendar_sync
from .mailsync.result import MailSyncResult
from .mailsync.sync import mail_sync
from .models import ConnectedAccount, ConnectionStatus, Provider
from .oauth import OAuthError
from .remote import RateLimited, RemoteError

__all__ = ["ConnectionSyncResult", "caldav_connect", "connection_set_syncs", "connection_sync", "connections_to_sync"]

log = logging.getLogger(__name__)


def caldav_connect(*, user, url: str, username: str, password: str) -> ConnectedAccount:
    """Keep a CalDAV calendar for `user` once the server accepts the credentials and shows at
    least one calendar; a refusal is a ValidationError naming the field to fix."""
    try:
        client = caldav.DAVClient(url=url, username=username, password=password, timeout=15)
        calendars = client.principal().calendars()
    except caldav.lib.error.AuthorizationError as exc:
        raise ValidationError({"password": _("The server refused this user name and password.")}) from exc
    except (caldav.lib.error.DAVError, OSError, ValueError) as exc:
        raise ValidationError(
            {"url": _("No CalDAV server answered at this address (%(error)s).") % {"error": exc}}
        ) from exc
    if not calendars:
        raise ValidationError({"url": _("The server has no calendar for this user.")})
    with transaction.atomic():
        connection, _created = ConnectedAccount.objects.select_for_update().get_or_create(
            user=user, provider=Provider.CALDAV, email=username, defaults={"caldav_url": url}
        )
        connection.caldav_url = url
        connection.password = password
        connection.status, connection.last_error, connection.calendar_cursor = ConnectionStatus.ACTIVE, "", ""
        connection.save()
    return connection


def connection_set_syncs(*, connection: ConnectedAccount, mail: bool | None = None, calendar: bool | None = None):
    """Turn the mailbox or the calendar sync of a connection on or off (a CalDAV connection has
    no mailbox). Turned back on, it resumes from its cursor."""
    if mail is not None:
        if mail and connection.provider == Provider.CALDAV:
            raise ValidationError(_("A CalDAV connection has no mailbox to sync."))
        connection.mail_enabled = mail
    if calendar is not None:
        connection.calendar_enabled = calendar
    connection.save(update_fields=["mail_enabled", "calendar_enabled", "updated_at"])
    return connection


@dataclass
class ConnectionSyncResult:
    calendar: CalendarSyncResult | None = None
    mail: MailSyncResult | None = None
    error: str = ""


def connection_sync(*, connection: ConnectedAccount, ingest=None) -> ConnectionSyncResult:
    """Sync the connection's calendar, then its mailbox. A refused token or an unreachable
    server is recorded on the connection (`last_error`, status "needs attention" when the grant
    is gone); a long rate limit is raised for the task to retry later."""
    result = ConnectionSyncResult()
    if connection.status != ConnectionStatus.ACTIVE:
        return result
    try:
        if connection.calendar_enabled:
            result.calendar = calendar_sync(connection=connection)
        if connection.has_mail:
            result.mail = mail_sync(connection=connection, ingest=ingest)
    except RateLimited:
        raise
    except OAuthError as exc:
        result.error = exc.message
    except RemoteError as exc:
        log.warning("sync of connection %s failed: %s", connection.pk, exc)
        result.error = str(exc)
        if exc.status == 401:  # credentials refused even after a refresh: the user reconnects
            connection.status = ConnectionStatus.ERROR
    connection.last_error = result.error[:2000]
    connection.save(update_fields=["last_error", "status", "updated_at"])
    meetings_due_to_timeline(now=timezone.now())
    return result


def connections_to_sync() -> list[int]:
    return list(
        ConnectedAccount.objects.filter(status=ConnectionStatus.ACTIVE).order_by("id").values_list("id", flat=True)
    )
