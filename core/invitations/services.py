"""Writes of invitations: create (and mail), resend, revoke, accept."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.i18n import recipient_language
from core.models import User

from .models import Invitation

__all__ = [
    "invitation_accept",
    "invitation_create",
    "invitation_for_token",
    "invitation_resend",
    "invitation_revoke",
]


def _valid_days() -> int:
    return int(getattr(settings, "INVITATION_VALID_DAYS", 7))


def _mail(invitation: Invitation, token: str) -> None:
    link = settings.SITE_URL + reverse("core:invitation_accept", args=[token])
    inviter = invitation.invited_by
    # Written for the invited person: their language, else the inviter's (recipient_language's default).
    invitee = User(language=invitation.language, timezone=getattr(inviter, "timezone", "UTC"))
    with recipient_language(invitee, default=getattr(inviter, "language", "")):
        context = {
            "invitation": invitation,
            "link": link,
            "inviter": (inviter.get_full_name() or inviter.username) if inviter else _("An administrator"),
            "days": _valid_days(),
        }
        subject = _("You are invited to Pulse CS")
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("core/emails/invitation.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[invitation.email],
        )
        message.attach_alternative(render_to_string("core/emails/invitation.html", context), "text/html")
    transaction.on_commit(lambda: message.send(fail_silently=False))


def _new_token(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = Invitation.hash_token(token)
    invitation.expires_at = timezone.now() + timedelta(days=_valid_days())
    return token


@transaction.atomic
def invitation_create(
    *,
    email: str,
    role: str,
    invited_by: User | None,
    first_name: str = "",
    last_name: str = "",
    manager: User | None = None,
    language: str = "",
) -> Invitation:
    """Invite `email`; the mail leaves after commit. An address that already has an active user,
    or a pending invitation, is refused with a reason on the field."""
    email = User.objects.normalize_email(email.strip())
    if User.objects.filter(email__iexact=email, is_active=True).exists():
        raise ValidationError({"email": _("A team member with this e-mail already exists.")})
    pending = Invitation.objects.filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
    if pending.exists():
        raise ValidationError({"email": _("This address already has a pending invitation: resend it instead.")})
    invitation = Invitation(
        email=email,
        role=role,
        invited_by=invited_by,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        manager=manager,
        language=language or "",
    )
    token = _new_token(invitation)
    invitation.full_clean()
    invitation.save()
    _mail(invitation, token)
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation) -> Invitation:
    """A new link (the old one stops working) valid for another INVITATION_VALID_DAYS."""
    if invitation.state in ("accepted", "revoked"):
        raise ValidationError(_("This invitation was already used or revoked."))
    token = _new_token(invitation)
    invitation.save(update_fields=["token_hash", "expires_at"])
    _mail(invitation, token)
    return invitation


def invitation_revoke(*, invitation: Invitation) -> Invitation:
    if invitation.state == "pending" or invitation.state == "expired":
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link names, whatever its state (None for an unknown token)."""
    return Invitation.objects.filter(token_hash=Invitation.hash_token(token)).select_related("manager").first()


@transaction.atomic
def invitation_accept(*, token: str, username: str, password: str) -> User:
    """Create the invited user with their chosen user name and password (Django's validators),
    once: a second use, an expired or revoked link is refused with a reason."""
    invitation = Invitation.objects.select_for_update().filter(token_hash=Invitation.hash_token(token)).first()
    if invitation is None or invitation.state != "pending":
        raise ValidationError(_("This invitation link is no longer valid. Ask an administrator for a new one."))
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This user name is taken; choose another.")})
    user = User(
        username=username,
        email=invitation.email,
        first_name=invitation.first_name,
        last_name=invitation.last_name,
        role=invitation.role,
        manager=invitation.manager,
        language=invitation.language,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    return user
