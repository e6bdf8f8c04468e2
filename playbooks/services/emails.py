"""Emails a playbook drafted: approve, reject, send."""

from __future__ import annotations

from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import account_can_write
from accounts.choices import ActivityKind

from ..choices import EmailStatus
from ..models import EmailMessage

__all__ = [
    "email_message_approve",
    "email_message_reject",
    "email_message_send",
]


def _can_decide(message: EmailMessage, user) -> bool:
    """Whoever may write the account (accounts.access: its owner and team, their managers, admins)."""
    return account_can_write(user, message.account)


@transaction.atomic
def email_message_approve(*, message: EmailMessage, user) -> EmailMessage:
    """The CSM approves a held email: it is sent if the contact's fatigue budget still allows."""
    from surveys.fatigue import fatigue_allowed_contact_ids

    message = EmailMessage.objects.select_for_update().select_related("account").get(pk=message.pk)
    if not _can_decide(message, user):
        raise PermissionDenied(_("Only the account's book (owner, team, their managers) approves its emails."))
    if message.status != EmailStatus.PENDING_APPROVAL:
        raise ValidationError(
            {
                "status": _("This email is %(status)s, not awaiting approval.")
                % {"status": message.get_status_display().lower()}
            }
        )
    message.approver = user
    message.decided_at = timezone.now()
    if message.contact_id and message.contact_id not in fatigue_allowed_contact_ids(contact_ids=[message.contact_id]):
        message.status = EmailStatus.SUPPRESSED
    else:
        message.status = EmailStatus.QUEUED
    message.save(update_fields=["approver", "decided_at", "status"])
    if message.status == EmailStatus.QUEUED:
        from ..tasks import email_send_task

        transaction.on_commit(lambda: email_send_task.delay(message.pk))
    return message


def email_message_reject(*, message: EmailMessage, user) -> EmailMessage:
    if not _can_decide(message, user):
        raise PermissionDenied(_("Only the account's book (owner, team, their managers) rejects its emails."))
    updated = EmailMessage.objects.filter(pk=message.pk, status=EmailStatus.PENDING_APPROVAL).update(
        status=EmailStatus.REJECTED, approver=user, decided_at=timezone.now()
    )
    if not updated:
        raise ValidationError({"status": _("This email is not awaiting approval.")})
    message.refresh_from_db()
    return message


def email_message_send(*, message_id: int) -> bool:
    """Send a queued email once: the row is claimed (QUEUED -> SENT) before the SMTP call, so
    a retried or duplicated Celery task sends nothing twice. Spends the contact's fatigue
    budget. Returns True when this call sent it."""
    from accounts.services import activity_create
    from surveys.fatigue import fatigue_record

    with transaction.atomic():
        claimed = EmailMessage.objects.filter(pk=message_id, status=EmailStatus.QUEUED).update(
            status=EmailStatus.SENT, sent_at=timezone.now()
        )
        if not claimed:
            return False
        message = EmailMessage.objects.select_related("account", "contact").get(pk=message_id)
        try:
            mail.send_mail(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.to_email])
        except Exception as exc:  # noqa: BLE001 - kept on the row for the log
            EmailMessage.objects.filter(pk=message_id).update(status=EmailStatus.FAILED, error=str(exc)[:2000])
            return False
        if message.contact_id:
            fatigue_record(contact_id=message.contact_id, channel="email", kind="email", account_id=message.account_id)
        activity_create(
            account=message.account,
            kind=ActivityKind.SYSTEM,
            contact=message.contact,
            subject=f"Email sent: {message.subject}",
            body=message.body[:2000],
            metadata={"email_message_id": message.pk, "playbook_id": message.playbook_id},
        )
    return True
