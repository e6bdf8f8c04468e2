"""The customer's shared plan: signed, revocable, expiring links (the mechanism is
core.signed_links), and the goal a customer ticks through one."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import ActivityKind
from accounts.models import Contact
from accounts.services import activity_create
from core.signed_links import signed_link_revoke, signed_link_token, signed_link_viewed

from ..choices import CompletionSource
from ..models import PlanGoal, PlanShareLink, SuccessPlan
from ..panel_cache import plans_changed_by_id
from ..selectors import SHARE_SALT
from .plans import plan_goal_toggle

__all__ = [
    "customer_goal_toggle",
    "share_link_create",
    "share_link_revoke",
    "share_link_token",
    "share_link_viewed",
]


def share_link_token(link: PlanShareLink) -> str:
    return signed_link_token(link, salt=SHARE_SALT)


def share_link_create(*, plan: SuccessPlan, contact: Contact | None = None, days: int = 30, user=None) -> PlanShareLink:
    if contact is not None and contact.account_id != plan.account_id:
        raise ValidationError({"contact": _("That contact does not belong to this account.")})
    if not 1 <= days <= 365:
        raise ValidationError({"days": _("A link lasts between 1 and 365 days.")})
    return PlanShareLink.objects.create(
        plan=plan, contact=contact, created_by=user, expires_at=timezone.now() + timedelta(days=days)
    )


def share_link_revoke(*, link: PlanShareLink) -> PlanShareLink:
    return signed_link_revoke(link)


def share_link_viewed(*, link: PlanShareLink) -> None:
    """Note when the customer last opened the link (one UPDATE, no signals: the account page's
    plan panel, which shows it, is told here)."""
    signed_link_viewed(link)
    plans_changed_by_id([link.plan_id])


def customer_goal_toggle(*, link: PlanShareLink, goal_id: int, done: bool) -> PlanGoal:
    """The customer ticks a goal through a shared link: only a goal of that link's plan owned
    by one of the account's contacts. Raises PlanGoal.DoesNotExist otherwise."""
    if not link.is_usable():
        raise PermissionError("This link no longer works.")
    goal = PlanGoal.objects.select_related("plan__account", "owner_contact").get(
        pk=goal_id, plan_id=link.plan_id, owner_contact__isnull=False
    )
    was_done = goal.is_done
    goal = plan_goal_toggle(goal=goal, done=done, source=CompletionSource.CUSTOMER)
    if goal.is_done != was_done:
        activity_create(
            account=goal.plan.account,
            kind=ActivityKind.SYSTEM,
            subject=f"Customer {'completed' if done else 'reopened'} a success plan goal",
            body=goal.title,
            contact=link.contact or goal.owner_contact,
            metadata={"plan_id": goal.plan_id, "goal_id": goal.pk, "via": "shared link"},
        )
    return goal
