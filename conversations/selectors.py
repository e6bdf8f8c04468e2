"""Conversations' reads."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import MailMessage

__all__ = ["compose_contacts", "compose_templates", "review_queue"]


def review_queue(*, q: str = "") -> QuerySet[MailMessage]:
    """Messages waiting for a person, newest first; `q` searches sender and subject."""
    messages = MailMessage.objects.filter(status=MailMessage.Status.REVIEW)
    q = q.strip()[:100]
    if q:
        messages = messages.filter(Q(from_address__icontains=q) | Q(from_name__icontains=q) | Q(subject__icontains=q))
    return messages.only(
        "pk",
        "from_address",
        "from_name",
        "to",
        "cc",
        "subject",
        "snippet",
        "received_at",
        "sent_at",
        "flags",
        "attachments",
        "source",
    ).order_by("-received_at", "-pk")


def compose_contacts(*, account) -> QuerySet:
    """The account's contacts who can be written to."""
    from accounts.models import Contact

    return Contact.objects.filter(account=account).exclude(email="").order_by("name", "id")


def compose_templates() -> list:
    """Playbooks' e-mail templates, offered to start an e-mail from."""
    from playbooks.models import EmailTemplate

    return list(EmailTemplate.objects.only("pk", "name", "subject", "body").order_by("name"))
